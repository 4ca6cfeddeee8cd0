/**
 * McNemar's exact test on paired correctness, as statsmodels `mcnemar(table, exact=True)`:
 * statistic min(b, c), p = min(1, 2 · BinomCDF(min(b, c); b + c, ½)), where b counts rows only
 * the candidate got right and c rows only the baseline got right.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';

export interface McNemar {
  /** Rows the candidate got right and the baseline wrong. */
  candidate_only: number;
  /** Rows the baseline got right and the candidate wrong. */
  baseline_only: number;
  statistic: number;
  p_value: number;
}

export function mcnemarExact(candidateOnly: number, baselineOnly: number): McNemar {
  const statistic = Math.min(candidateOnly, baselineOnly);
  const n = candidateOnly + baselineOnly;
  const p = n === 0 ? 1 : Math.min(1, 2 * binomialCdf(statistic, n, 0.5));
  return { candidate_only: candidateOnly, baseline_only: baselineOnly, statistic, p_value: p };
}

/** Discordant pairs from per-row correctness (weights are not used: the test counts rows). */
export function discordant(candidateRight: Uint8Array, baselineRight: Uint8Array): [number, number] {
  let b = 0;
  let c = 0;
  for (let i = 0; i < candidateRight.length; i++) {
    if (candidateRight[i] && !baselineRight[i]) b++;
    else if (!candidateRight[i] && baselineRight[i]) c++;
  }
  return [b, c];
}
