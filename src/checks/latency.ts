/**
 * Latency: per-call samples after warm-up for each batch size; p50/p95/p99 by linear
 * interpolation (numpy's default), max, mean and rows/s, judged against per-batch-size limits.
 */
import type { Clock } from '../clock.ts';
import type { GateConfig, LatencyLimits } from '../config/types.ts';
import type { Feeds, ModelRunner } from '../runners/types.ts';
import { batchSkipReason, feedsFor } from '../data/features.ts';
import { getErrorMessage } from '../errors.ts';
import { mean, quantileSorted, sortedCopy } from '../stats/quantile.ts';
import type { CheckContext } from './context.ts';
import { errored, result, round, skipped, type CheckResult } from './types.ts';

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
}

export function summarize(batchSize: number, samplesMs: ArrayLike<number>): LatencyStats {
  const sorted = sortedCopy(samplesMs);
  const avg = mean(sorted);
  return {
    batch_size: batchSize,
    samples: sorted.length,
    p50_ms: quantileSorted(sorted, 0.5),
    p95_ms: quantileSorted(sorted, 0.95),
    p99_ms: quantileSorted(sorted, 0.99),
    max_ms: sorted[sorted.length - 1] ?? Number.NaN,
    mean_ms: avg,
    rows_per_s: (batchSize * 1000) / avg,
  };
}

/** Batch sizes to measure: the configured ones plus any that a limit names. */
export function latencyBatchSizes(config: GateConfig): number[] {
  const cfg = config.checks.latency;
  return [...new Set([...cfg.batch_sizes, ...Object.keys(cfg.limits).map(Number)])].sort((a, b) => a - b);
}

export async function measureLatency(ctx: CheckContext, batchSize: number): Promise<LatencyStats> {
  const { warmup, iterations } = ctx.config.checks.latency;
  // Feeds are built before timing so that only the model call is measured.
  const feeds = Array.from({ length: Math.min(iterations, 64) }, (_, i) => feedsFor(ctx.rows, i * batchSize, batchSize));
  for (let i = 0; i < warmup; i++) await ctx.runner.infer(feeds[i % feeds.length]!);
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) samples[i] = await timeCall(ctx.runner, feeds[i % feeds.length]!, ctx.clock);
  return summarize(batchSize, samples);
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
  const measured = `p50 ${round(stats.p50_ms)} ms, p95 ${round(stats.p95_ms)} ms, p99 ${round(stats.p99_ms)} ms, max ${round(stats.max_ms)} ms, ${Math.round(stats.rows_per_s)} rows/s`;
  const value = {
    p50_ms: round(stats.p50_ms),
    p95_ms: round(stats.p95_ms),
    p99_ms: round(stats.p99_ms),
    rows_per_s: Math.round(stats.rows_per_s),
  };
  if (!limit) {
    return result({ id, category: CATEGORY, severity: 'info', status: 'pass', value, message: `batch ${stats.batch_size}: ${measured}` });
  }
  const rules: string[] = [];
  const broken: string[] = [];
  for (const [key, stat, label] of LIMIT_FIELDS) {
    const bound = limit[key];
    if (bound === undefined) continue;
    rules.push(`${label} <= ${bound} ms`);
    const v = stats[stat] as number;
    if (!(v <= bound)) broken.push(`${label} ${round(v)} ms > ${bound} ms`);
  }
  if (limit.min_rows_per_s !== undefined) {
    rules.push(`>= ${limit.min_rows_per_s} rows/s`);
    if (!(stats.rows_per_s >= limit.min_rows_per_s)) broken.push(`${Math.round(stats.rows_per_s)} rows/s < ${limit.min_rows_per_s}`);
  }
  return result({
    id,
    category: CATEGORY,
    severity,
    status: broken.length === 0 ? 'pass' : 'fail',
    value,
    threshold: rules.join(', '),
    message: broken.length === 0 ? `batch ${stats.batch_size}: ${measured}` : `batch ${stats.batch_size}: ${broken.join(', ')} (${measured})`,
  });
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
    ctx.progress(`latency: batch ${b}, ${ctx.config.checks.latency.iterations} timed calls`);
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
