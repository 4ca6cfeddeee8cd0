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

/**
 * The x with P(χ²_dof > x) = p, by bisection on chi2Sf (monotone), to 1e-12 relative: used for
 * the size-aware noise levels of PSI and Jensen–Shannon. NaN unless 0 < p < 1 and dof > 0.
 */
export function chi2Isf(p: number, dof: number): number {
  if (!(p > 0 && p < 1 && dof > 0)) return Number.NaN;
  let lo = 0;
  let hi = Math.max(1, dof);
  while (chi2Sf(hi, dof) > p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (chi2Sf(mid, dof) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Chi-squared on binned counts where some bins may be empty on both sides (quantile bins of a
 * reference can be): those bins carry no evidence and are left out, the degrees of freedom with
 * them. One bin left: no test possible, p = 1.
 */
export function chi2Binned(reference: ArrayLike<number>, current: ArrayLike<number>): Chi2Result {
  const r: number[] = [];
  const c: number[] = [];
  for (let j = 0; j < reference.length; j++) {
    if (reference[j]! + current[j]! === 0) continue;
    r.push(reference[j]!);
    c.push(current[j]!);
  }
  return chi2TwoSample(r, c);
}
