/**
 * Two sorted samples' empirical distribution functions compared in one merge pass: the largest
 * gap (the KS statistic), the area between them (the first Wasserstein distance), and the number
 * of distinct values. One pass serves all three because drift computes them on the same order.
 */
import { allFinite } from './finite.ts';

export interface EcdfComparison {
  /** sup |F₁ − F₂|, as scipy.stats.ks_2samp's statistic. */
  ks: number;
  /** ∫ |F₁ − F₂| dx, as scipy.stats.wasserstein_distance. */
  wasserstein: number;
  distinct: number;
}

/**
 * Both samples sorted ascending, without NaN, non-empty; ties are taken together. A NaN would stop
 * the merge from advancing, so any NaN makes every result NaN (undefined); an infinite value has
 * a rank (KS is defined) but no finite area (the Wasserstein distance is NaN).
 */
export function compareEcdfs(a: ArrayLike<number>, b: ArrayLike<number>): EcdfComparison {
  const n1 = a.length;
  const n2 = b.length;
  const finite = allFinite(a) && allFinite(b);
  if (!finite && (hasNaN(a) || hasNaN(b))) return { ks: Number.NaN, wasserstein: Number.NaN, distinct: Number.NaN };
  let i = 0;
  let j = 0;
  let ks = 0;
  let distinct = 0;
  // Neumaier summation: hundreds of thousands of small terms.
  let sum = 0;
  let carry = 0;
  let previous = 0;
  let gap = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    if (distinct > 0) {
      const term = gap * (v - previous);
      const t = sum + term;
      carry += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
      sum = t;
    }
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    gap = Math.abs(i / n1 - j / n2);
    if (gap > ks) ks = gap;
    previous = v;
    distinct++;
  }
  return { ks, wasserstein: finite ? sum + carry : Number.NaN, distinct };
}

function hasNaN(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) return true;
  return false;
}
