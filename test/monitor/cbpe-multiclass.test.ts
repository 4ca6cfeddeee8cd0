/**
 * Multiclass CBPE against scripts/reference/cbpe_multiclass.py (scikit-learn's isotonic regression,
 * NannyML's formulas), and its promise on shifted data with known labels: the realised accuracy
 * lies within the estimate's interval in at least 90% of windows, and the estimate follows the
 * realised accuracy down when a covariate shift crowds rows where the classes meet.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MULTICLASS_CBPE_METRICS, estimateCbpeMulticlass, fitCbpeMulticlass, realisedMulticlass } from '../../src/stats/cbpe-multiclass.ts';
import { uniformSource } from '../../src/stats/random.ts';
import { multiclassWorld as world } from './support.ts';

type Estimates = Record<string, { value: number; sampling_error: number; lower: number; upper: number }>;
const ref = JSON.parse(readFileSync('test/fixtures/reference/cbpe_multiclass.json', 'utf8')) as {
  reference: { proba: number[][]; pred: number[]; label: number[]; realised: Record<string, number>; components: { accuracy: number; precision: [number, number][]; recall: [number, number][]; f1: [number, number][] } };
  windows: { shift: number[]; proba: number[][]; pred: number[]; label: number[]; calibrated: number[][]; estimates: Estimates; realised: Record<string, number> }[];
};

describe('multiclass CBPE (NannyML) against the reference implementation', () => {
  const model = fitCbpeMulticlass(ref.reference);

  it('realises the reference metrics (scikit-learn, macro) and the sampling-error components as NannyML', () => {
    for (const m of MULTICLASS_CBPE_METRICS) expect(model.reference[m]!, m).toBeCloseTo(ref.reference.realised[m]!, 12);
    expect(model.components.accuracy.std).toBeCloseTo(ref.reference.components.accuracy, 12);
    for (const m of ['precision', 'recall', 'f1'] as const) {
      model.components[m].forEach((c, k) => {
        expect(c.std, `${m} class ${k}`).toBeCloseTo(ref.reference.components[m][k]![0], 12);
        expect(c.fraction, `${m} class ${k}`).toBeCloseTo(ref.reference.components[m][k]![1], 12);
      });
    }
  });

  it.each([0, 1, 2])('estimates window %i (calibrated probabilities, metrics, intervals) as the reference', (w) => {
    const win = ref.windows[w]!;
    const out = estimateCbpeMulticlass(model, win);
    expect(out.rows).toBe(win.pred.length);
    out.calibrated.forEach((cls, c) => Array.from(cls).forEach((v, i) => expect(v).toBeCloseTo(win.calibrated[c]![i]!, 12)));
    for (const e of out.estimates) {
      const r = win.estimates[e.metric]!;
      expect(e.value!, e.metric).toBeCloseTo(r.value, 10);
      expect(e.sampling_error!, e.metric).toBeCloseTo(r.sampling_error, 12);
      expect(e.lower!, e.metric).toBeCloseTo(r.lower, 10);
      expect(e.upper!, e.metric).toBeCloseTo(r.upper, 10);
    }
    const realised = realisedMulticlass(win);
    for (const m of MULTICLASS_CBPE_METRICS) expect(realised[m]!, m).toBeCloseTo(win.realised[m]!, 12);
  });

  it('skips rows with a NaN probability or an unknown class, gives nothing for an empty window', () => {
    const w = ref.windows[0]!;
    const proba = w.proba.map((p) => [Number.NaN, ...p.slice(0, 3)]);
    const out = estimateCbpeMulticlass(model, { proba, pred: [0, -1, 7, w.pred[2]!] });
    expect(out.rows).toBe(1);
    const empty = estimateCbpeMulticlass(model, { proba: [[], [], []], pred: [] });
    expect(empty.rows).toBe(0);
    expect(empty.estimates.every((e) => e.value === null && e.lower === null)).toBe(true);
  });

  it('a row every calibrator puts at 0 counts 1/K for each class, never NaN', () => {
    // Calibrators fitted where class 0 and 1 appear only at high scores and class 2 only at high ones too.
    const m = fitCbpeMulticlass({ proba: [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]], pred: [0, 1, 2], label: [0, 1, 2] });
    const out = estimateCbpeMulticlass(m, { proba: [[0.01], [0.01], [0.01]], pred: [0] });
    expect(out.calibrated.map((c) => c[0])).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(out.estimates[0]!.value).toBeCloseTo(1 / 3, 12);
  });

  it('refuses a reference missing a class, and shapes that do not match', () => {
    expect(() => fitCbpeMulticlass({ proba: [[0.9, 0.8], [0.05, 0.1], [0.05, 0.1]], pred: [0, 0], label: [0, 1] })).toThrow(/class 2 never occurs in the reference labels/);
    expect(() => fitCbpeMulticlass({ proba: [[0.9, 0.8]], pred: [0, 0], label: [0, 0] })).toThrow(/at least 2 are needed/);
    expect(() => estimateCbpeMulticlass(model, { proba: [[0.5], [0.5]], pred: [0] })).toThrow(/the window has 2 class probabilities, the reference 3/);
  });
});

describe('multiclass CBPE on shifted data with known labels', () => {
  it('holds the realised accuracy within its interval in >= 90% of windows', () => {
    const w = world(7);
    const model = fitCbpeMulticlass(w.shifted(5000, [0, 0, 0]));
    const windows = 200;
    const u = uniformSource(8);
    let inside = 0;
    let f1Inside = 0;
    for (let k = 0; k < windows; k++) {
      const shift = [0, 0, 0].map(() => 1.6 * (u() - 0.5)); // each feature moved by up to ±0.8
      const win = w.shifted(500, shift);
      const est = estimateCbpeMulticlass(model, win).estimates;
      const real = realisedMulticlass(win);
      const acc = est.find((e) => e.metric === 'accuracy')!;
      const f1 = est.find((e) => e.metric === 'f1')!;
      if (real.accuracy! >= acc.lower! && real.accuracy! <= acc.upper!) inside++;
      if (real.f1! >= f1.lower! && real.f1! <= f1.upper!) f1Inside++;
    }
    console.log(`multiclass CBPE interval coverage over ${windows} windows: accuracy ${((inside / windows) * 100).toFixed(1)}%, macro F1 ${((f1Inside / windows) * 100).toFixed(1)}%`);
    expect(inside / windows).toBeGreaterThanOrEqual(0.9);
  });

  it('moves down with the realised accuracy when the shift crowds rows where the classes meet', () => {
    const w = world(11);
    const model = fitCbpeMulticlass(w.shifted(5000, [0, 0, 0]));
    const base = w.shifted(2000, [0, 0, 0]);
    const hard = w.crowded(2000);
    const acc = (d: ReturnType<typeof w.shifted>) => estimateCbpeMulticlass(model, d).estimates.find((e) => e.metric === 'accuracy')!;
    const before = acc(base);
    const after = acc(hard);
    const realBefore = realisedMulticlass(base).accuracy!;
    const realAfter = realisedMulticlass(hard).accuracy!;
    console.log(`accuracy: realised ${realBefore.toFixed(3)} -> ${realAfter.toFixed(3)}, estimated ${before.value!.toFixed(3)} -> ${after.value!.toFixed(3)}`);
    expect(realAfter).toBeLessThan(realBefore - 0.1);
    expect(after.value!).toBeLessThan(before.value! - 0.1);
    expect(after.upper!).toBeLessThan(before.lower!);
    expect(Math.abs(after.value! - realAfter)).toBeLessThan(3 * after.sampling_error!);
  });
});
