/**
 * Latency A/B: candidate and baseline timed interleaved (A B, then B A, …) on the same inputs,
 * so that machine noise hits both alike. The statistic that gates is the one the report shows:
 * the ratio of p95s (candidate / baseline), judged on its paired bootstrap interval over the
 * interleaved pairs. It blocks only when the interval lies above the blocker ratio, warns when it
 * lies above the warning ratio or still contains the blocker ratio (DELAY: not shown either way),
 * and passes otherwise. While a limit lies inside the interval, more pairs are timed (doubling)
 * up to `max_iterations` or `time_budget_s`. Mann–Whitney (a shift of the whole distribution, a
 * different question) is reported for reference only.
 */
import type { GateConfig } from '../config/types.ts';
import { latencyFeeds, timeCall } from './latency.ts';
import { feedsFor, type FeatureRows } from '../data/features.ts';
import { pairedBootstrap, type Interval } from '../stats/bootstrap.ts';
import { mannWhitneyU, type MannWhitney } from '../stats/mannwhitney.ts';
import { quantileSorted, sortedCopy } from '../stats/quantile.ts';
import type { Clock } from '../clock.ts';
import type { ModelRunner } from '../runners/types.ts';
import { result, type CheckResult } from '../core/check-result.ts';
import { percentRounded, round } from '../core/format.ts';

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
  /** Why timing stopped: the ratio limits were decided, or the pair or time budget ran out. */
  stopped?: 'decided' | 'max_iterations' | 'time_budget';
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
): Promise<{ candidate: Float64Array; baseline: Float64Array; stopped: LatencyComparison['stopped'] }> {
  const { batch_size: batch, warmup, iterations, max_iterations, time_budget_s } = config.comparison.latency;
  const most = Math.max(iterations, max_iterations);
  const feeds = latencyFeeds(rows, batch, iterations);
  const baseFeeds = baselineRows === rows ? feeds : feeds.map((_, i) => feedsFor(baselineRows, i * batch, batch));
  for (let i = 0; i < warmup; i++) {
    await candidate.infer(feeds[i % feeds.length]!);
    await baseline.infer(baseFeeds[i % feeds.length]!);
  }
  const a: number[] = [];
  const b: number[] = [];
  const time = (runner: ModelRunner, i: number) => timeCall(runner, (runner === baseline ? baseFeeds : feeds)[i % feeds.length]!, clock);
  const t0 = clock.now();
  for (let target = iterations; ; target = Math.min(most, a.length * 2)) {
    for (let i = a.length; i < target; i++) {
      // Alternate who goes first, so neither always runs on a warmer cache.
      if (i % 2 === 0) {
        a.push(await time(candidate, i));
        b.push(await time(baseline, i));
      } else {
        b.push(await time(baseline, i));
        a.push(await time(candidate, i));
      }
    }
    const done = (stopped: LatencyComparison['stopped']) => ({ candidate: Float64Array.from(a), baseline: Float64Array.from(b), stopped });
    const interval = p95RatioInterval(Float64Array.from(a), Float64Array.from(b), config);
    if (ratioState(interval, ratioLimits(p95Of(b), config)) !== 'undecided') return done('decided');
    if (a.length >= most) return done('max_iterations');
    if (clock.now() - t0 >= time_budget_s * 1000) return done('time_budget');
  }
}

/**
 * The type-7 q-quantile of values resampled with multiplicities `counts`, walking the values in
 * a precomputed ascending order: O(n) per resample, no copies (the bootstrap runs it thousands of times).
 */
function weightedQuantile(values: Float64Array, order: Uint32Array, counts: Float64Array, q: number): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const position = (total - 1) * q;
  const lo = Math.floor(position);
  const fraction = position - lo;
  let seen = 0;
  let a = Number.NaN;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const c = counts[i]!;
    if (c === 0) continue;
    if (Number.isNaN(a) && seen + c > lo) {
      a = values[i]!;
      if (fraction === 0 || seen + c > lo + 1) return a;
    } else if (!Number.isNaN(a)) {
      return a + (values[i]! - a) * fraction;
    }
    seen += c;
  }
  return a;
}

const ascending = (x: Float64Array) => Uint32Array.from(x.keys()).sort((i, j) => x[i]! - x[j]! || i - j);

function ratioIntervals(candidate: Float64Array, baseline: Float64Array, config: GateConfig, resamples: number): (Interval | null)[] {
  const cfg = config.comparison;
  const oc = ascending(candidate);
  const ob = ascending(baseline);
  return pairedBootstrap(
    candidate.length,
    (w) => [weightedQuantile(candidate, oc, w, 0.5) / weightedQuantile(baseline, ob, w, 0.5), weightedQuantile(candidate, oc, w, 0.95) / weightedQuantile(baseline, ob, w, 0.95)],
    { resamples, level: cfg.confidence, seed: cfg.seed },
  ).intervals;
}

/** The p95 ratio's interval alone, as timing goes (fewer resamples: it only decides whether to time more). */
function p95RatioInterval(candidate: Float64Array, baseline: Float64Array, config: GateConfig): Interval | null {
  return ratioIntervals(candidate, baseline, config, Math.min(config.comparison.resamples, 1000))[1] ?? null;
}

type RatioState = 'blocker' | 'warning' | 'undecided' | 'pass';

/**
 * The ratio limits for a baseline p95: the configured ratios, raised so that a slowdown smaller than
 * min_slowdown_ms never counts (a microsecond model doubles its p95 with one scheduler hiccup).
 */
function ratioLimits(baselineP95Ms: number, config: GateConfig): { warn: number; block: number } {
  const { warning_ratio, blocker_ratio, min_slowdown_ms } = config.comparison.latency;
  const floor = baselineP95Ms > 0 && Number.isFinite(baselineP95Ms) ? 1 + min_slowdown_ms / baselineP95Ms : 1;
  return { warn: Math.max(warning_ratio, floor), block: Math.max(blocker_ratio, floor) };
}

const p95Of = (x: readonly number[]) => quantileSorted(sortedCopy(x), 0.95);

/** Where the interval lies against the ratio limits; no interval is undecided. */
function ratioState(interval: Interval | null, { warn, block }: { warn: number; block: number }): RatioState {
  if (!interval) return 'undecided';
  if (interval.low > block) return 'blocker';
  if (interval.high > block) return 'undecided';
  if (interval.low > warn) return 'warning';
  return 'pass';
}

export function compareLatency(candidate: Float64Array, baseline: Float64Array, config: GateConfig, stopped?: LatencyComparison['stopped']): LatencyComparison {
  const cfg = config.comparison;
  const q = (x: ArrayLike<number>) => {
    const s = sortedCopy(x);
    return { p50_ms: quantileSorted(s, 0.5), p95_ms: quantileSorted(s, 0.95) };
  };
  const c = q(candidate);
  const b = q(baseline);
  const [p50, p95] = ratioIntervals(candidate, baseline, config, Math.min(cfg.resamples, 2000));
  return {
    batch_size: cfg.latency.batch_size,
    samples: candidate.length,
    candidate: c,
    baseline: b,
    p50_ratio: c.p50_ms / b.p50_ms,
    p95_ratio: c.p95_ms / b.p95_ms,
    p50_ratio_interval: p50 ?? null,
    p95_ratio_interval: p95 ?? null,
    mann_whitney: mannWhitneyU(candidate, baseline),
    distribution: distribution(candidate, baseline),
    ...(stopped ? { stopped } : {}),
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
 * The p95 ratio judged on its interval against the warning and blocker ratios. The message names
 * the ratio, its interval and where the interval lies, so the words cannot contradict the numbers.
 */
export function judgeLatencyComparison(l: LatencyComparison, config: GateConfig): CheckResult[] {
  const cfg = config.comparison;
  const limits = ratioLimits(l.baseline.p95_ms, config);
  const { warn, block } = limits;
  const raised = warn > cfg.latency.warning_ratio ? `, limits raised by comparison.latency.min_slowdown_ms (${cfg.latency.min_slowdown_ms} ms)` : '';
  // Said in the message too: a ×10 limit on a sub-millisecond baseline reads as a bug otherwise.
  const why = raised
    ? ` (the limits ×${round(cfg.latency.warning_ratio, 3)} / ×${round(cfg.latency.blocker_ratio, 3)} are raised so that a slowdown under comparison.latency.min_slowdown_ms = ${cfg.latency.min_slowdown_ms} ms never counts)`
    : '';
  const interval = l.p95_ratio_interval;
  const state = ratioState(interval, limits);
  const ratio = round(l.p95_ratio, 3);
  const level = `${percentRounded(cfg.confidence, 1)} CI`;
  const ci = interval ? `${level} ×${round(interval.low, 3)}–×${round(interval.high, 3)}` : `no ${level} (too few defined resamples)`;
  const setting = `p95 ${round(l.candidate.p95_ms)} ms vs ${round(l.baseline.p95_ms)} ms, batch ${l.batch_size}, ${l.samples} interleaved calls each`;
  const stoppedBy = l.stopped === 'time_budget' ? ' (time budget reached)' : l.stopped === 'max_iterations' ? ' (max_iterations reached)' : '';
  const messages: Record<RatioState, string> = {
    blocker: `the candidate is slower: the p95 ratio ×${ratio}, ${ci} lies above ×${round(block, 3)}, which blocks`,
    undecided: interval
      ? `inconclusive: the p95 ratio ×${ratio}, ${ci} contains ×${round(block, 3)}${stoppedBy}, so it may or may not block: a human look`
      : `inconclusive: the p95 ratio ×${ratio} has no interval${stoppedBy}`,
    warning: `the candidate is slower: the p95 ratio ×${ratio}, ${ci} lies above ×${round(warn, 3)} (below ×${round(block, 3)}), which warns`,
    pass: `within limits: the p95 ratio ×${ratio}, ${ci} does not lie above ×${round(warn, 3)}${interval && interval.low > 1 ? ' (slower, but not beyond the warning ratio)' : ''}`,
  };
  return [
    result({
      id: 'comparison.latency.p95_ratio',
      category: 'comparison',
      severity: state === 'blocker' ? 'blocker' : 'warning',
      status: state === 'pass' ? 'pass' : 'fail',
      value: ratio,
      threshold: `×${round(warn, 3)} warns, ×${round(block, 3)} blocks, when the ${level} of the p95 ratio lies above it (inconclusive while it contains ×${round(block, 3)})${raised}`,
      message: `${messages[state]}; ${setting}${why}`,
    }),
  ];
}
