/**
 * The first Wasserstein (earth mover's) distance between two samples, as
 * scipy.stats.wasserstein_distance: ∫ |F₁(x) − F₂(x)| dx over the merged sorted values.
 */
import { compareEcdfs } from './ecdf.ts';

/** Both samples sorted, without NaN, non-empty. */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return compareEcdfs(a, b).wasserstein;
}

/** Population standard deviation (ddof = 0), two passes, as numpy's std. */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return Math.sqrt(ss / n);
}
