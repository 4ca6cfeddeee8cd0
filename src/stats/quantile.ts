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
