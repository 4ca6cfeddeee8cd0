/**
 * Paired bootstrap percentile intervals, like `scipy.stats.bootstrap(..., paired=True,
 * method='percentile')`: rows are resampled with replacement (the same rows for candidate and
 * baseline), the statistics are recomputed on each resample, and the interval is read off their
 * distribution with numpy's linear quantiles. Seeded, so a rerun gives the same interval.
 *
 * A resample is expressed as row weights (multiplicity × sample weight), which every metric in
 * stats/ accepts: no rows are copied.
 *
 * When the statistics depend on the rows only through the counts of a small table (a confusion
 * matrix, or the joint candidate/baseline/label table), `multinomialBootstrap` draws those counts
 * directly: the same distribution as the row bootstrap, in O(cells) per resample instead of O(n).
 */
import { multinomialResample } from './multinomial.ts';
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
  /** Standard deviation of each statistic over the resamples (its bootstrap standard error). */
  standardErrors: (number | null)[];
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
  const collect = collector(options.resamples);
  for (let b = 0; b < options.resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(random() * n)]! += 1;
    if (sampleWeights) for (let i = 0; i < n; i++) counts[i]! *= sampleWeights[i]!;
    collect.add(statistics(counts));
    options.progress?.(b + 1, options.resamples);
  }
  return collect.result(options.level);
}

/**
 * The row bootstrap of statistics that read the rows only through per-cell counts: each
 * resample is a Multinomial(Σcells, cells / Σcells) draw of the counts. `cells` are row counts;
 * with sample weights, cells must also be split by weight (a row adds its weight to its cell).
 */
export function multinomialBootstrap(
  cells: Float64Array,
  statistics: (counts: Float64Array) => (number | null)[],
  options: Omit<BootstrapOptions, 'weights'>,
): BootstrapResult {
  const random = uniformSource(options.seed);
  let n = 0;
  for (const c of cells) n += c;
  const counts = new Float64Array(cells.length);
  const collect = collector(options.resamples);
  for (let b = 0; b < options.resamples; b++) {
    collect.add(statistics(multinomialResample(cells, n, random, counts)));
    options.progress?.(b + 1, options.resamples);
  }
  return collect.result(options.level);
}

/** Accumulates the finite values of each statistic, then reads intervals and standard errors off them. */
function collector(resamples: number) {
  let draws: Float64Array[] | null = null;
  let filled: number[] = [];
  return {
    add(values: (number | null)[]) {
      if (!draws) {
        draws = values.map(() => new Float64Array(resamples));
        filled = values.map(() => 0);
      }
      values.forEach((v, s) => {
        if (v !== null && Number.isFinite(v)) draws![s]![filled[s]!++] = v;
      });
    },
    result(level: number): BootstrapResult {
      const alpha = (1 - level) / 2;
      const usable = (s: number) => filled[s]! > 1 && resamples - filled[s]! <= MAX_UNDEFINED_SHARE * resamples;
      const intervals = (draws ?? []).map((d, s) => {
        if (!usable(s)) return null;
        const sorted = d.subarray(0, filled[s]!).sort();
        return { low: quantileSorted(sorted, alpha), high: quantileSorted(sorted, 1 - alpha) };
      });
      const standardErrors = (draws ?? []).map((d, s) => (usable(s) ? sampleStd(d.subarray(0, filled[s]!)) : null));
      return { intervals, undefinedResamples: filled.map((f) => resamples - f), standardErrors };
    },
  };
}

/** Two-pass sample standard deviation (n − 1), stable whatever the offset. */
function sampleStd(values: Float64Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}
