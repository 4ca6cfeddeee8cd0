import { describe, expect, it } from 'vitest';
import { sortFloat64 } from '../../src/stats/sort.ts';
import { numericSample } from '../support/samples.ts';

describe('sortFloat64', () => {
  it('orders like TypedArray sort: negatives, zeros of both signs, ties, infinities, tiny and huge', () => {
    const base = numericSample({ seed: 5, n: 50_000, loc: 0, scale: 1e3, step: 0.5 });
    const values = new Float64Array(base.length + 8);
    values.set(base);
    values.set([-0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324, -5e-324, 1.7976931348623157e308, -1e-300], base.length);
    const expected = Float64Array.from(values).sort();
    const actual = sortFloat64(Float64Array.from(values));
    expect(actual.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++) expect(Object.is(actual[i], expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBe(true);
  });

  it('sorts a view in place without touching the rest of its buffer', () => {
    const buffer = new Float64Array(10_000).map((_, i) => ((i * 7919) % 10_007) - 5000.25);
    const view = buffer.subarray(100, 9_900);
    const outside = [...buffer.subarray(0, 100), ...buffer.subarray(9_900)];
    const expected = Float64Array.from(view).sort();
    expect(sortFloat64(view)).toBe(view);
    expect([...view]).toEqual([...expected]);
    expect([...buffer.subarray(0, 100), ...buffer.subarray(9_900)]).toEqual(outside);
  });
});
