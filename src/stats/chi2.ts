/**
 * Pearson's chi-squared test of independence on a 2 × k table (reference vs current counts per
 * category), as scipy.stats.chi2_contingency(table, correction=False).
 */
import gammainc from '@stdlib/math-base-special-gammainc';

export interface Chi2Result {
  statistic: number;
  pValue: number;
  dof: number;
}

/** P(χ²_dof > x), the regularized upper incomplete gamma Q(dof/2, x/2), accurate far in the tail. */
export function chi2Sf(x: number, dof: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, dof / 2, true, true);
}

/**
 * Rows are the two samples' counts over the same categories; every category has a count
 * somewhere. NaN (undefined) when a count is negative or not finite.
 */
export function chi2TwoSample(reference: ArrayLike<number>, current: ArrayLike<number>): Chi2Result {
  const k = reference.length;
  const dof = k - 1;
  for (let j = 0; j < k; j++) {
    if (!(reference[j]! >= 0 && current[j]! >= 0 && reference[j]! < Infinity && current[j]! < Infinity)) return { statistic: Number.NaN, pValue: Number.NaN, dof };
  }
  if (dof === 0) return { statistic: 0, pValue: 1, dof: 0 };
  let nr = 0;
  let nc = 0;
  for (let j = 0; j < k; j++) {
    nr += reference[j]!;
    nc += current[j]!;
  }
  const total = nr + nc;
  let statistic = 0;
  for (let j = 0; j < k; j++) {
    const column = reference[j]! + current[j]!;
    const er = (nr * column) / total;
    const ec = (nc * column) / total;
    statistic += (reference[j]! - er) ** 2 / er + (current[j]! - ec) ** 2 / ec;
  }
  return { statistic, pValue: chi2Sf(statistic, dof), dof };
}
