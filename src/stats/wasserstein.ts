/**
 * The first Wasserstein (earth mover's) distance between two samples, as
 * scipy.stats.wasserstein_distance: ∫ |F₁(x) − F₂(x)| dx over the merged sorted values.
 */
import { compareEcdfs } from './ecdf.ts';

/** Both samples sorted, without NaN, non-empty. */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return compareEcdfs(a, b).wasserstein;
}

/**
 * Population standard deviation (ddof = 0), as numpy's std, stable at any offset: the corrected
 * two-pass algorithm (Chan, Golub & LeVeque 1983) — the mean's own rounding error, Σ(x − mean),
 * is taken back out of the sum of squares, so a 1e9 offset costs no digits of the spread.
 */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  // Neumaier-compensated sum for the mean.
  let sum = 0;
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    const t = sum + x;
    carry += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  const mean = (sum + carry) / n;
  let ss = 0;
  let drift = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    ss += d * d;
    drift += d;
  }
  return Math.sqrt(Math.max(0, ss - (drift * drift) / n) / n);
}
