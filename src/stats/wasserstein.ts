/**
 * The first Wasserstein (earth mover's) distance between two samples, as
 * scipy.stats.wasserstein_distance: ∫ |F₁(x) − F₂(x)| dx over the merged sorted values.
 */

/** Both samples sorted, without NaN, non-empty. */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  // Neumaier summation: hundreds of thousands of small terms.
  let sum = 0;
  let carry = 0;
  let previous = Number.NaN;
  let gap = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    if (i + j > 0) {
      const term = gap * (v - previous);
      const t = sum + term;
      carry += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
      sum = t;
    }
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    gap = Math.abs(i / n1 - j / n2);
    previous = v;
  }
  return sum + carry;
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
