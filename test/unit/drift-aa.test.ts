/**
 * Drift's false-alarm rate and power on seeded simulations (scripts/simulate/drift-aa.ts): a
 * 5,000-row reference against 200 current rows of the same 20 features, and a 0.3-sd shift of
 * one feature at 1,000 rows. The long runs behind docs/statistics-drift-latency.md use the same
 * code with more runs.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../scripts/simulate/drift-aa.ts';
import { chi2Isf, chi2Sf } from '../../src/stats/chi2.ts';

describe('drift A/A and power', () => {
  it('A/A, 5,000 vs 200 rows × 20 features: few runs with any drift warning (Holm), many without adjustment', () => {
    const holm = simulate(100, 5000, 200, 0, 3);
    // 2,000 runs measure 4.5%; 100 runs allow for Monte-Carlo error.
    expect(holm.any_warning).toBeLessThanOrEqual(0.08);
    expect(holm.gating).toBeLessThanOrEqual(0.05);
    const none = simulate(30, 5000, 200, 0, 3, { multiplicity: 'none' });
    expect(none.any_warning).toBeGreaterThan(0.4);
  }, 120_000);

  it('power: a 0.3-sd mean shift of one feature at 1,000 current rows is flagged in every run', () => {
    const r = simulate(20, 5000, 1000, 0.3, 5);
    expect(r.x0_flagged).toBe(1);
    const bh = simulate(10, 5000, 1000, 0.3, 5, { multiplicity: 'bh' });
    expect(bh.x0_flagged).toBe(1);
  }, 120_000);

  it('the chi-squared quantile inverts its survival function (scipy chi2.isf)', () => {
    expect(chi2Isf(0.05, 9)).toBeCloseTo(16.91897760462045, 9);
    expect(chi2Isf(1e-6, 3)).toBeCloseTo(30.664849706213598, 8);
    expect(chi2Sf(chi2Isf(0.01, 1), 1)).toBeCloseTo(0.01, 12);
    expect(chi2Isf(Number.NaN, 2)).toBeNaN();
    expect(chi2Isf(0.5, 0)).toBeNaN();
  });
});
