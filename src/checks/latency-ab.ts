/**
 * Latency A/B: candidate and baseline timed interleaved (A B, then B A, …) on the same inputs,
 * so that machine noise hits both alike. Ratios of p50 and p95 with a paired bootstrap interval
 * (each pair was measured back to back), and a Mann–Whitney U test like scipy's. A slowdown
 * counts only when it is significant.
 */
import type { GateConfig } from '../config/types.ts';
import { timeCall } from './latency.ts';
import { feedsFor, type FeatureRows } from '../data/features.ts';
import { pairedBootstrap, type Interval } from '../stats/bootstrap.ts';
import { mannWhitneyU, type MannWhitney } from '../stats/mannwhitney.ts';
import { quantileSorted, sortedCopy } from '../stats/quantile.ts';
import type { Clock } from '../clock.ts';
import type { ModelRunner } from '../runners/types.ts';
import { result, round, type CheckResult } from './types.ts';

export interface LatencyComparison {
  batch_size: number;
  samples: number;
  candidate: { p50_ms: number; p95_ms: number };
  baseline: { p50_ms: number; p95_ms: number };
  p50_ratio: number;
  p95_ratio: number;
  p50_ratio_interval: Interval | null;
  p95_ratio_interval: Interval | null;
  mann_whitney: MannWhitney;
  /** The two latency distributions at the same percentiles, for charts. */
  distribution: { percentiles: number[]; candidate_ms: number[]; baseline_ms: number[] };
}

const DISTRIBUTION_PERCENTILES = [10, 25, 50, 75, 90, 95, 99];

export async function timeInterleaved(
  candidate: ModelRunner,
  baseline: ModelRunner,
  rows: FeatureRows,
  config: GateConfig,
  clock: Clock,
  /** The same rows fed as the baseline takes them, when its inputs differ. */
  baselineRows: FeatureRows = rows,
): Promise<{ candidate: Float64Array; baseline: Float64Array }> {
  const { batch_size: batch, warmup, iterations } = config.comparison.latency;
  const feeds = Array.from({ length: Math.min(iterations, 64) }, (_, i) => feedsFor(rows, i * batch, batch));
  const baseFeeds = baselineRows === rows ? feeds : feeds.map((_, i) => feedsFor(baselineRows, i * batch, batch));
  for (let i = 0; i < warmup; i++) {
    await candidate.infer(feeds[i % feeds.length]!);
    await baseline.infer(baseFeeds[i % feeds.length]!);
  }
  const a = new Float64Array(iterations);
  const b = new Float64Array(iterations);
  const time = (runner: ModelRunner, i: number) => timeCall(runner, (runner === baseline ? baseFeeds : feeds)[i % feeds.length]!, clock);
  for (let i = 0; i < iterations; i++) {
    // Alternate who goes first, so neither always runs on a warmer cache.
    if (i % 2 === 0) {
      a[i] = await time(candidate, i);
      b[i] = await time(baseline, i);
    } else {
      b[i] = await time(baseline, i);
      a[i] = await time(candidate, i);
    }
  }
  return { candidate: a, baseline: b };
}

export function compareLatency(candidate: Float64Array, baseline: Float64Array, config: GateConfig): LatencyComparison {
  const cfg = config.comparison;
  const q = (x: ArrayLike<number>) => {
    const s = sortedCopy(x);
    return { p50_ms: quantileSorted(s, 0.5), p95_ms: quantileSorted(s, 0.95) };
  };
  const c = q(candidate);
  const b = q(baseline);
  const n = candidate.length;
  const boot = pairedBootstrap(
    n,
    (w) => {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < w[i]!; k++) {
          xs.push(candidate[i]!);
          ys.push(baseline[i]!);
        }
      }
      const qc = q(xs);
      const qb = q(ys);
      return [qc.p50_ms / qb.p50_ms, qc.p95_ms / qb.p95_ms];
    },
    { resamples: Math.min(cfg.resamples, 2000), level: cfg.confidence, seed: cfg.seed },
  );
  return {
    batch_size: cfg.latency.batch_size,
    samples: n,
    candidate: c,
    baseline: b,
    p50_ratio: c.p50_ms / b.p50_ms,
    p95_ratio: c.p95_ms / b.p95_ms,
    p50_ratio_interval: boot.intervals[0] ?? null,
    p95_ratio_interval: boot.intervals[1] ?? null,
    mann_whitney: mannWhitneyU(candidate, baseline),
    distribution: distribution(candidate, baseline),
  };
}

function distribution(candidate: Float64Array, baseline: Float64Array): LatencyComparison['distribution'] {
  const sc = sortedCopy(candidate);
  const sb = sortedCopy(baseline);
  return {
    percentiles: DISTRIBUTION_PERCENTILES,
    candidate_ms: DISTRIBUTION_PERCENTILES.map((p) => quantileSorted(sc, p / 100)),
    baseline_ms: DISTRIBUTION_PERCENTILES.map((p) => quantileSorted(sb, p / 100)),
  };
}

/**
 * The p95 ratio gates only when the slowdown is significant by both tests: its bootstrap interval
 * lies above 1 and Mann–Whitney (a shift of the whole distribution) has p < α. The message names
 * each, its value and whether it holds, so the words cannot contradict the numbers beside them.
 */
export function judgeLatencyComparison(l: LatencyComparison, config: GateConfig): CheckResult[] {
  const cfg = config.comparison;
  const interval = l.p95_ratio_interval;
  const p = Number(l.mann_whitney.p_value.toPrecision(3));
  const mwSignificant = l.mann_whitney.p_value < cfg.alpha;
  const ciAbove = !!interval && interval.low > 1;
  const slower = mwSignificant && ciAbove;
  const ratio = round(l.p95_ratio, 3);
  const level = `${round(cfg.confidence * 100, 1)}% CI`;
  const ci = interval
    ? `${level} ×${round(interval.low, 3)}–×${round(interval.high, 3)} ${interval.low > 1 ? 'excludes 1 (slower)' : interval.high < 1 ? 'excludes 1 (faster)' : 'includes 1'}`
    : `no ${level} (too few defined resamples)`;
  const mw = `Mann–Whitney p=${p} ${mwSignificant ? '<' : '≥'} α ${cfg.alpha} (${mwSignificant ? 'significant' : 'not significant'})`;
  const setting = `p95 ${round(l.candidate.p95_ms)} ms vs ${round(l.baseline.p95_ms)} ms, batch ${l.batch_size}, ${l.samples} interleaved calls each`;
  const blocked = slower && l.p95_ratio >= cfg.latency.blocker_ratio;
  const warned = slower && l.p95_ratio >= cfg.latency.warning_ratio;
  const limit = blocked ? cfg.latency.blocker_ratio : cfg.latency.warning_ratio;
  const why = !slower
    ? `not significant, so it does not gate: ${[!ciAbove ? (interval ? 'the CI does not lie above 1' : 'no CI') : null, !mwSignificant ? 'Mann–Whitney is not significant' : null].filter(Boolean).join(' and ')}`
    : blocked || warned
      ? `significant (CI above 1 and Mann–Whitney p < α) and ≥ ×${limit}, which ${blocked ? 'blocks' : 'warns'}`
      : `significant but < ×${cfg.latency.warning_ratio}, within limits`;
  const headline = blocked || warned ? 'the candidate is significantly slower' : slower ? 'slower, within limits' : 'no significant slowdown';
  return [
    result({
      id: 'comparison.latency.p95_ratio',
      category: 'comparison',
      severity: blocked ? 'blocker' : 'warning',
      status: blocked || warned ? 'fail' : 'pass',
      value: ratio,
      threshold: `×${cfg.latency.warning_ratio} warns, ×${cfg.latency.blocker_ratio} blocks, when significant (CI above 1 and Mann–Whitney p < α ${cfg.alpha})`,
      message: `${headline}: decided by the p95 ratio ×${ratio}, ${why}; ${ci}; ${mw}; ${setting}`,
    }),
  ];
}
