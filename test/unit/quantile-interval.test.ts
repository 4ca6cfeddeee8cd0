/**
 * Order-statistic confidence intervals for quantiles against scipy (scripts/reference/
 * quantile_intervals.py: scipy.stats.binom ranks, equal to scipy.stats.quantile_test's interval).
 */
import { describe, expect, it } from 'vitest';
import reference from '../fixtures/reference/quantile-intervals.json' with { type: 'json' };
import { quantileInterval, quantileRanks } from '../../src/stats/quantile.ts';

describe('quantileRanks / quantileInterval match scipy', () => {
  it('every case: ranks, bounds and exact coverage', () => {
    const samples = reference.samples as Record<string, number[]>;
    for (const c of reference.cases) {
      const r = quantileRanks(c.n, c.p, c.level);
      expect([r.lo, r.hi], `n=${c.n} p=${c.p} level=${c.level}`).toEqual([c.lo, c.hi]);
      expect(r.coverage).toBeCloseTo(c.coverage, 9);
      const iv = quantileInterval(Float64Array.from(samples[String(c.n)]!), c.p, c.level);
      expect(iv.low).toBe(c.low ?? Number.NEGATIVE_INFINITY);
      expect(iv.high).toBe(c.high ?? Number.POSITIVE_INFINITY);
    }
  });

  it('too few samples bound nothing; bad arguments give no bounds, never a loop', () => {
    expect(quantileRanks(5, 0.95, 0.95)).toMatchObject({ hi: 6 });
    expect(quantileRanks(0, 0.5, 0.95)).toMatchObject({ lo: 0, hi: 1 });
    expect(quantileRanks(100, Number.NaN, 0.95)).toMatchObject({ lo: 0, hi: 101 });
    expect(quantileRanks(100, 0.5, Number.NaN).coverage).toBeNaN();
  });
});
