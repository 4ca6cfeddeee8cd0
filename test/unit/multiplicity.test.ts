// Holm and Benjamini–Hochberg against statsmodels' multipletests (scripts/reference/multiplicity.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adjust, benjaminiHochberg, holm } from '../../src/stats/multiplicity.ts';

interface Case {
  p: number[];
  holm: { adjusted: number[]; reject_05: boolean[] };
  bh: { adjusted: number[]; reject_05: boolean[] };
}
const reference = JSON.parse(
  readFileSync(new URL('../fixtures/reference/multiplicity.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('multiple-testing control', () => {
  it.each(reference.cases.map((c, i) => [i, c] as const))('case %i matches statsmodels', (_i, c) => {
    const h = holm(c.p);
    const b = benjaminiHochberg(c.p);
    c.holm.adjusted.forEach((v, i) => expect(h[i]).toBeCloseTo(v, 12));
    c.bh.adjusted.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 12));
    expect(h.map((v) => v <= 0.05)).toEqual(c.holm.reject_05);
    expect(b.map((v) => v <= 0.05)).toEqual(c.bh.reject_05);
  });

  it('treats a NaN p-value as untestable (1), never as a discovery', () => {
    expect(holm([Number.NaN, 0.01])).toEqual([1, 0.02]);
    expect(adjust([Number.NaN], 'none')).toEqual([1]);
  });
});
