import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';

/**
 * Quantiles with linear interpolation between order statistics (Hyndman & Fan type 7), numpy's
 * default `np.quantile(x, q)`. simple-statistics uses a different definition, hence this helper.
 * Between an infinite and a finite value the quantile is the infinity (numpy's lerp gives NaN on
 * one side of the midpoint); between -∞ and +∞ it is undefined (NaN). A NaN q gives NaN.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(q)) return Number.NaN;
  if (q <= 0) return sorted[0]!;
  if (q >= 1) return sorted[n - 1]!;
  const position = (n - 1) * q;
  const lo = Math.floor(position);
  const fraction = position - lo;
  const a = sorted[lo]!;
  if (fraction === 0 || lo + 1 >= n) return a;
  const b = sorted[lo + 1]!;
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    if (a === b) return a;
    if (Number.isNaN(a) || Number.isNaN(b) || (a === -Infinity && b === Infinity)) return Number.NaN;
    return Number.isFinite(a) ? b : a;
  }
  // numpy's _lerp, to the last bit: from the nearer end, so bin edges match numpy's exactly.
  const diff = b - a;
  return fraction >= 0.5 ? b - diff * (1 - fraction) : a + diff * fraction;
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Ranks (1-based) of the order statistics that bound the q-quantile with at least `level`
 * confidence, distribution-free, equal-tailed, as scipy.stats.quantile_test(...).
 * confidence_interval(level): with B ~ Binomial(n, q) and a = (1 − level)/2, lo is the least j
 * with P(B ≤ j) > a and hi = 1 + the least j with P(B ≤ j) ≥ 1 − a. lo = 0 means the samples give
 * no lower bound (−∞), hi = n + 1 no upper bound (+∞): too few samples for that tail.
 * `coverage` is the exact P(X₍lo₎ ≤ ξ_q ≤ X₍hi₎) for continuous data.
 */
export function quantileRanks(n: number, q: number, level: number): { lo: number; hi: number; coverage: number } {
  if (!(Number.isInteger(n) && n >= 0 && q > 0 && q < 1 && level > 0 && level < 1)) return { lo: 0, hi: n + 1, coverage: Number.NaN };
  const a = (1 - level) / 2;
  const F = (j: number) => (j < 0 ? 0 : j >= n ? 1 : binomialCdf(j, n, q));
  // least j in [0, n] with pred(F(j)); F is non-decreasing, so binary search
  const least = (pred: (f: number) => boolean) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred(F(mid))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const lo = least((f) => f > a);
  const hi = 1 + least((f) => f >= 1 - a);
  return { lo, hi, coverage: F(hi - 1) - F(lo - 1) };
}

export interface QuantileInterval {
  /** The point estimate (linear interpolation, numpy's default). */
  estimate: number;
  /** Order-statistic bounds; −∞ / +∞ when the samples are too few to bound that side. */
  low: number;
  high: number;
  level: number;
  coverage: number;
}

/** The q-quantile of sorted values with its distribution-free interval (see quantileRanks). */
export function quantileInterval(sorted: ArrayLike<number>, q: number, level: number): QuantileInterval {
  const n = sorted.length;
  const { lo, hi, coverage } = quantileRanks(n, q, level);
  return {
    estimate: quantileSorted(sorted, q),
    low: lo >= 1 ? sorted[lo - 1]! : Number.NEGATIVE_INFINITY,
    high: hi <= n ? sorted[hi - 1]! : Number.POSITIVE_INFINITY,
    level,
    coverage,
  };
}
