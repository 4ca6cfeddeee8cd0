import { describe, expect, it } from 'vitest';
import reference from '../fixtures/reference/quantiles.json' with { type: 'json' };
import { summarize } from '../../src/checks/latency.ts';
import { mean, quantileSorted, sortedCopy } from '../../src/stats/quantile.ts';

// Values from scripts/reference/quantiles.py (numpy's default linear quantiles).
describe('quantileSorted matches numpy.quantile', () => {
  for (const c of reference.cases) {
    it(c.name, () => {
      const sorted = sortedCopy(c.x);
      reference.q.forEach((q, i) => {
        expect(quantileSorted(sorted, q)).toBeCloseTo(c.quantiles[i]!, 12);
      });
      expect(mean(c.x)).toBeCloseTo(c.mean, 12);
    });
  }

  it('is NaN on no samples rather than a made-up number', () => {
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN();
  });

  it('summarize() reports p50/p95/p99 and rows/s from the same samples', () => {
    const c = reference.cases.find((x) => x.name === 'latency_1000')!;
    const s = summarize(32, c.x);
    expect(s.p50_ms).toBeCloseTo(c.quantiles[reference.q.indexOf(0.5)]!, 12);
    expect(s.p95_ms).toBeCloseTo(c.quantiles[reference.q.indexOf(0.95)]!, 12);
    expect(s.p99_ms).toBeCloseTo(c.quantiles[reference.q.indexOf(0.99)]!, 12);
    expect(s.max_ms).toBe(Math.max(...c.x));
    expect(s.rows_per_s).toBeCloseTo((32 * 1000) / c.mean, 6);
  });
});
