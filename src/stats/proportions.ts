/**
 * Two-proportion z-test with the pooled variance, two-sided, as
 * statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2]).
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface ZResult {
  statistic: number;
  pValue: number;
}

/** z for share x1/n1 minus share x2/n2. */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): ZResult {
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const statistic = (x1 / n1 - x2 / n2) / se;
  if (!Number.isFinite(statistic)) return { statistic: Number.NaN, pValue: Number.NaN };
  return { statistic, pValue: 2 * normalCdf(-Math.abs(statistic), 0, 1) };
}
