/**
 * Latency: per-call samples after warm-up for each batch size; p50/p95/p99 by linear
 * interpolation (numpy's default), max, mean and rows/s, judged against per-batch-size limits.
 * A percentile limit is judged on the percentile's distribution-free interval (order statistics),
 * so that machine noise cannot flip the verdict: fail only when the interval lies above the
 * limit, inconclusive (a warning: DELAY) while the limit lies inside it, pass when it lies below.
 * While a limit lies inside, more calls are timed (doubling) until it does not, or
 * `max_iterations` or `time_budget_s` is reached. The budget holds from the first call: a slow
 * model gets fewer than `iterations` calls (MIN_CALLS at least), and says so.
 */
import type { Clock } from '../clock.ts';
import type { GateConfig, LatencyLimits } from '../config/types.ts';
import type { Feeds, ModelRunner } from '../runners/types.ts';
import { batchSkipReason, feedsFor, type FeatureRows } from '../data/features.ts';
import { bytesPerRow } from './batch-bytes.ts';
import { getErrorMessage } from '../errors.ts';
import { mean, quantileInterval, quantileSorted, sortedCopy } from '../stats/quantile.ts';
import type { CheckContext } from './context.ts';
import { errored, result, skipped, type CheckResult } from '../core/check-result.ts';
import { percentRounded, round } from '../core/format.ts';

const CATEGORY = 'latency';

export interface LatencyStats {
  batch_size: number;
  samples: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
  rows_per_s: number;
  /** Distribution-free intervals of the percentiles at `confidence`, [low, high] in ms; null: unbounded (too few calls). */
  confidence?: number;
  intervals?: Record<'p50_ms' | 'p95_ms' | 'p99_ms', [number | null, number | null]>;
  /** Why timing stopped: the limits were decided, or the call or time budget ran out. */
  stopped?: 'decided' | 'max_iterations' | 'time_budget';
}

const PERCENTILES = { p50_ms: 0.5, p95_ms: 0.95, p99_ms: 0.99 } as const;
/** Timed calls per batch size however slow the model: fewer say nothing of a p50. */
export const MIN_CALLS = 20;

export function summarize(batchSize: number, samplesMs: ArrayLike<number>, confidence = 0.95): LatencyStats {
  const sorted = sortedCopy(samplesMs);
  const avg = mean(sorted);
  const bounds = (q: number): [number | null, number | null] => {
    const iv = quantileInterval(sorted, q, confidence);
    return [Number.isFinite(iv.low) ? iv.low : null, Number.isFinite(iv.high) ? iv.high : null];
  };
  return {
    batch_size: batchSize,
    samples: sorted.length,
    p50_ms: quantileSorted(sorted, 0.5),
    p95_ms: quantileSorted(sorted, 0.95),
    p99_ms: quantileSorted(sorted, 0.99),
    max_ms: sorted[sorted.length - 1] ?? Number.NaN,
    mean_ms: avg,
    rows_per_s: (batchSize * 1000) / avg,
    confidence,
    intervals: { p50_ms: bounds(PERCENTILES.p50_ms), p95_ms: bounds(PERCENTILES.p95_ms), p99_ms: bounds(PERCENTILES.p99_ms) },
  };
}

/** Batch sizes to measure: the configured ones plus any that a limit names. */
export function latencyBatchSizes(config: GateConfig): number[] {
  const cfg = config.checks.latency;
  return [...new Set([...cfg.batch_sizes, ...Object.keys(cfg.limits).map(Number)])].sort((a, b) => a - b);
}

/** Distinct requests the timed calls cycle through: at most 64, and at most FEEDS_BYTES of them. */
const FEEDS_BYTES = 64 * 2 ** 20;

/** The requests a latency loop cycles through, built before timing so that only the model call is measured. */
export function latencyFeeds(rows: FeatureRows, batchSize: number, iterations: number): Feeds[] {
  const count = Math.max(1, Math.min(iterations, 64, Math.floor(FEEDS_BYTES / (bytesPerRow(rows) * batchSize))));
  return Array.from({ length: count }, (_, i) => feedsFor(rows, i * batchSize, batchSize));
}

export async function measureLatency(ctx: CheckContext, batchSize: number): Promise<LatencyStats> {
  const { warmup, iterations, confidence, max_iterations, time_budget_s } = ctx.config.checks.latency;
  const limit = ctx.config.checks.latency.limits[String(batchSize)];
  const most = Math.max(iterations, max_iterations);
  const feeds = latencyFeeds(ctx.rows, batchSize, iterations);
  const budgetMs = time_budget_s * 1000;
  // A model that takes seconds a call (an OCR model at batch 32) would spend minutes on the
  // defaults: warm-up gets a quarter of the budget (one call at least), timing the budget
  // (MIN_CALLS at least), as pytest-benchmark bounds rounds by max_time.
  const w0 = ctx.clock.now();
  for (let i = 0; i < warmup && (i === 0 || ctx.clock.now() - w0 < budgetMs / 4); i++) await ctx.runner.infer(feeds[i % feeds.length]!);
  const samples: number[] = [];
  const t0 = ctx.clock.now();
  const spent = () => ctx.clock.now() - t0 >= budgetMs;
  for (let target = iterations; ; target = Math.min(most, samples.length * 2)) {
    while (samples.length < target && !(samples.length >= MIN_CALLS && spent())) samples.push(await timeCall(ctx.runner, feeds[samples.length % feeds.length]!, ctx.clock));
    const stats = summarize(batchSize, samples, confidence);
    if (!limit || !limitChecks(stats, limit).some((c) => c.state === 'inside')) return { ...stats, stopped: samples.length < target ? 'time_budget' : 'decided' };
    if (samples.length >= most) return { ...stats, stopped: 'max_iterations' };
    if (ctx.clock.now() - t0 >= time_budget_s * 1000) return { ...stats, stopped: 'time_budget' };
    ctx.progress(`latency: batch ${batchSize}, a limit inside the interval after ${samples.length} calls: timing ${Math.min(most, samples.length * 2) - samples.length} more`);
  }
}

type LimitState = 'under' | 'inside' | 'over';

interface LimitCheck {
  label: string;
  bound: number;
  state: LimitState;
  text: string;
}

const ms = (x: number | null, side: 'low' | 'high') => (x === null ? (side === 'low' ? '−∞' : '∞') : `${round(x)}`);

/**
 * Each configured limit against its statistic. Percentiles by their interval; max and rows/s
 * (no distribution-free interval for a maximum; the mean is stable) by their value.
 */
function limitChecks(stats: LatencyStats, limit: LatencyLimits): LimitCheck[] {
  const out: LimitCheck[] = [];
  for (const [key, stat, label] of LIMIT_FIELDS) {
    const bound = limit[key];
    if (bound === undefined) continue;
    const v = stats[stat] as number;
    const iv = stat === 'max_ms' ? undefined : stats.intervals?.[stat as keyof typeof PERCENTILES];
    if (!iv) {
      out.push({ label, bound, state: v <= bound ? 'under' : 'over', text: `${label} ${round(v)} ms ${v <= bound ? '≤' : '>'} ${bound} ms` });
      continue;
    }
    const [low, high] = iv;
    // NaN or missing bounds are not "under": fail closed on a NaN estimate, stay inconclusive on an open interval.
    const state: LimitState = Number.isNaN(v) || (low !== null && low > bound) ? 'over' : high !== null && high <= bound ? 'under' : 'inside';
    const ci = `${percentRounded(stats.confidence ?? 0.95, 1)} CI ${ms(low, 'low')}–${ms(high, 'high')} ms`;
    const relation = state === 'over' ? `lies above ${bound} ms` : state === 'under' ? `lies below ${bound} ms` : `contains ${bound} ms`;
    out.push({ label, bound, state, text: `${label} ${round(v)} ms (${ci} ${relation})` });
  }
  if (limit.min_rows_per_s !== undefined) {
    const ok = stats.rows_per_s >= limit.min_rows_per_s;
    out.push({ label: 'rows/s', bound: limit.min_rows_per_s, state: ok ? 'under' : 'over', text: `${Math.round(stats.rows_per_s)} rows/s ${ok ? '≥' : '<'} ${limit.min_rows_per_s}` });
  }
  return out;
}

/** One call's latency in ms: as the runner measures it where the model runs, else around the call. */
export async function timeCall(runner: ModelRunner, feeds: Feeds, clock: Clock): Promise<number> {
  if (runner.timed) return (await runner.timed(feeds)).ms;
  const t0 = clock.now();
  await runner.infer(feeds);
  return clock.now() - t0;
}

const LIMIT_FIELDS: [keyof LatencyLimits, keyof LatencyStats, string][] = [
  ['p50_ms', 'p50_ms', 'p50'],
  ['p95_ms', 'p95_ms', 'p95'],
  ['p99_ms', 'p99_ms', 'p99'],
  ['max_ms', 'max_ms', 'max'],
];

export function judgeLatency(stats: LatencyStats, config: GateConfig): CheckResult {
  const { severity, limits } = config.checks.latency;
  const limit = limits[String(stats.batch_size)];
  const id = `latency.batch_${stats.batch_size}`;
  const budget = stats.stopped === 'time_budget' ? ` (the ${config.checks.latency.time_budget_s} s budget, checks.latency.time_budget_s)` : '';
  const measured = `p50 ${round(stats.p50_ms)} ms, p95 ${round(stats.p95_ms)} ms, p99 ${round(stats.p99_ms)} ms, max ${round(stats.max_ms)} ms, ${Math.round(stats.rows_per_s)} rows/s, ${stats.samples} calls${budget}`;
  const value = {
    p50_ms: round(stats.p50_ms),
    p95_ms: round(stats.p95_ms),
    p99_ms: round(stats.p99_ms),
    rows_per_s: Math.round(stats.rows_per_s),
  };
  if (!limit) {
    return result({ id, category: CATEGORY, severity: 'info', status: 'pass', value, message: `batch ${stats.batch_size}: ${measured}; no limit set (checks.latency.limits)` });
  }
  const checks = limitChecks(stats, limit);
  const threshold = checks.map((c) => (c.label === 'rows/s' ? `>= ${c.bound} rows/s` : `${c.label} <= ${c.bound} ms`)).join(', ') + (checks.some((c) => c.label.startsWith('p')) ? ' (percentiles judged on their interval)' : '');
  const over = checks.filter((c) => c.state === 'over');
  const inside = checks.filter((c) => c.state === 'inside');
  if (over.length > 0) {
    return result({ id, category: CATEGORY, severity, status: 'fail', value, threshold, message: `batch ${stats.batch_size}: ${over.map((c) => c.text).join(', ')} (${measured})` });
  }
  if (inside.length > 0) {
    // Not shown either way: a human look (DELAY), never a NO-GO on noise.
    const why = stats.stopped === 'time_budget' ? 'the time budget (checks.latency.time_budget_s) ran out' : `${stats.samples} calls (checks.latency.max_iterations) were not enough`;
    return result({
      id,
      category: CATEGORY,
      severity: severity === 'info' ? 'info' : 'warning',
      status: 'fail',
      value,
      threshold,
      message: `batch ${stats.batch_size}: inconclusive: ${inside.map((c) => c.text).join(', ')}; ${why} to tell; rerun on a quieter machine or allow more calls (${measured})`,
    });
  }
  return result({ id, category: CATEGORY, severity, status: 'pass', value, threshold, message: `batch ${stats.batch_size}: ${checks.map((c) => c.text).join(', ')} (${measured})` });
}

export async function runLatency(ctx: CheckContext): Promise<{ checks: CheckResult[]; stats: LatencyStats[] }> {
  const checks: CheckResult[] = [];
  const stats: LatencyStats[] = [];
  const sizes = latencyBatchSizes(ctx.config);
  const fixed = ctx.rows.fixedBatch;
  if (fixed !== null && !sizes.includes(fixed)) sizes.push(fixed);
  for (const b of sizes) {
    const skip = batchSkipReason(ctx.rows, b);
    if (skip) {
      // A limit on a batch size the model cannot take is not met: say so, and fail it.
      const limited = ctx.config.checks.latency.limits[String(b)] !== undefined;
      checks.push(
        limited
          ? result({ id: `latency.batch_${b}`, category: CATEGORY, severity: ctx.config.checks.latency.severity, status: 'fail', message: `a limit is set for batch ${b}, but ${skip}` })
          : skipped(`latency.batch_${b}`, CATEGORY, 'info', `batch ${b} not measured: ${skip}`),
      );
      continue;
    }
    ctx.progress(`latency: batch ${b}, ${ctx.config.checks.latency.iterations} timed calls (fewer if they take over ${ctx.config.checks.latency.time_budget_s} s, more while a limit is undecided)`);
    try {
      const s = await measureLatency(ctx, b);
      stats.push(s);
      checks.push(judgeLatency(s, ctx.config));
    } catch (error) {
      checks.push(errored(`latency.batch_${b}`, CATEGORY, ctx.config.checks.latency.severity, `could not measure: ${getErrorMessage(error)}`));
    }
  }
  return { checks, stats };
}
