import { describe, expect, it } from 'vitest';
import reference from '../fixtures/reference/drift.json' with { type: 'json' };
import { chi2TwoSample } from '../../src/stats/chi2.ts';
import { jensenShannon } from '../../src/stats/jensen-shannon.ts';
import { kolmogorovSf } from '../../src/stats/kolmogorov.ts';
import { ks2samp } from '../../src/stats/ks.ts';
import { binShares, psiOfShares, quantileEdges, PSI_DEFAULTS } from '../../src/stats/psi.ts';
import { twoProportionZ } from '../../src/stats/proportions.ts';
import { populationStd, wasserstein } from '../../src/stats/wasserstein.ts';
import { categoricalSample, numericSample } from '../support/samples.ts';

// Expected values come from scripts/reference/drift.py (Debian's scipy 1.10, numpy 1.24,
// statsmodels 0.13) on samples that test/support/samples.ts regenerates bit for bit.

/** Statistics to 1e-9 relative. */
function statClose(actual: number, expected: number, what: string) {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(1e-15, 1e-9 * Math.abs(expected)));
}

/** p-values to 1e-6 relative or 1e-12 absolute. */
function pClose(actual: number, expected: number, what: string) {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(1e-12, 1e-6 * Math.abs(expected)));
}

describe('numeric drift measures against scipy', () => {
  for (const c of reference.numeric) {
    it(c.name, () => {
      const a = numericSample(c.reference).sort();
      const b = numericSample(c.current).sort();
      const ks = ks2samp(a, b);
      statClose(ks.statistic, c.ks_statistic, 'KS statistic');
      pClose(ks.pValue, c.ks_p_value, 'KS p-value');
      expect(ks.method).toBe(Math.max(a.length, b.length) <= 10_000 ? 'exact' : 'asymptotic');
      const wd = wasserstein(a, b);
      statClose(wd, c.wasserstein, 'Wasserstein');
      statClose(wd / Math.max(populationStd(a), 0.001), c.wasserstein_normed, 'normed Wasserstein');
      const edges = quantileEdges(a, PSI_DEFAULTS.bins);
      const r = binShares(a, edges);
      const s = binShares(b, edges);
      statClose(psiOfShares(r, s, PSI_DEFAULTS.floor), c.psi, 'PSI');
      statClose(jensenShannon(r, s), c.jensen_shannon, 'Jensen–Shannon');
    });
  }
});

describe('categorical drift measures against scipy and statsmodels', () => {
  for (const c of reference.categorical) {
    it(c.name, () => {
      const a = categoricalSample(c.reference);
      const b = categoricalSample(c.current);
      const count = (xs: string[]) => Float64Array.from(c.categories, (k) => xs.filter((x) => x === k).length);
      const ra = count(a);
      const rb = count(b);
      const chi2 = chi2TwoSample(ra, rb);
      statClose(chi2.statistic, c.chi2_statistic, 'chi2');
      pClose(chi2.pValue, c.chi2_p_value, 'chi2 p');
      expect(chi2.dof).toBe(c.chi2_dof);
      statClose(jensenShannon(ra, rb), c.jensen_shannon, 'Jensen–Shannon');
      const share = (x: Float64Array) => x.map((v) => v / x.reduce((s, y) => s + y, 0));
      statClose(psiOfShares(share(ra), share(rb), PSI_DEFAULTS.floor), c.psi, 'PSI');
      if ('z_statistic' in c) {
        const z = twoProportionZ(rb[1]!, b.length, ra[1]!, a.length);
        statClose(z.statistic, c.z_statistic!, 'z');
        pClose(z.pValue, c.z_p_value!, 'z p');
      }
    });
  }
});

describe('the exact one-sample distribution against scipy.stats.kstwo', () => {
  it('agrees on every branch of the algorithm choice', () => {
    for (const { n, x, sf } of reference.kstwo_sf) pClose(kolmogorovSf(n, x), sf, `kstwo.sf(${x}, ${n})`);
  });
});
