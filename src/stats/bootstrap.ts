/**
 * Paired bootstrap percentile intervals, like `scipy.stats.bootstrap(..., paired=True,
 * method='percentile')`: rows are resampled with replacement (the same rows for candidate and
 * baseline), the statistics are recomputed on each resample, and the interval is read off their
 * distribution with numpy's linear quantiles. Seeded, so a rerun gives the same interval.
 *
 * A resample is expressed as row weights (multiplicity × sample weight), which every metric in
 * stats/ accepts: no rows are copied.
 */
import { quantileSorted } from './quantile.ts';
import { uniformSource } from './random.ts';

export interface BootstrapOptions {
  resamples: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  seed: number;
  /** Sample weights of the rows, multiplied into each resample's multiplicities. */
  weights?: Float64Array | null;
  /** Called after each resample with (done, resamples); the caller throttles it. */
  progress?: (done: number, total: number) => void;
}

export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapResult {
  /** One interval per statistic; null when too many resamples left it undefined. */
  intervals: (Interval | null)[];
  /** Resamples per statistic on which it was undefined (e.g. a class missing from the resample). */
  undefinedResamples: number[];
}

/** Resamples on which a statistic may be undefined before its interval is withheld. */
const MAX_UNDEFINED_SHARE = 0.01;

export function pairedBootstrap(
  n: number,
  statistics: (weights: Float64Array) => (number | null)[],
  options: BootstrapOptions,
): BootstrapResult {
  const random = uniformSource(options.seed);
  const counts = new Float64Array(n);
  const sampleWeights = options.weights ?? null;
  let draws: Float64Array[] | null = null;
  let filled: number[] = [];
  for (let b = 0; b < options.resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(random() * n)]! += 1;
    if (sampleWeights) for (let i = 0; i < n; i++) counts[i]! *= sampleWeights[i]!;
    const values = statistics(counts);
    if (!draws) {
      draws = values.map(() => new Float64Array(options.resamples));
      filled = values.map(() => 0);
    }
    values.forEach((v, s) => {
      if (v !== null && Number.isFinite(v)) draws![s]![filled[s]!++] = v;
    });
    options.progress?.(b + 1, options.resamples);
  }
  const alpha = (1 - options.level) / 2;
  const intervals = (draws ?? []).map((d, s) => {
    const ok = filled[s]!;
    if (ok === 0 || options.resamples - ok > MAX_UNDEFINED_SHARE * options.resamples) return null;
    const sorted = d.subarray(0, ok).sort();
    return { low: quantileSorted(sorted, alpha), high: quantileSorted(sorted, 1 - alpha) };
  });
  return { intervals, undefinedResamples: filled.map((f) => options.resamples - f) };
}
