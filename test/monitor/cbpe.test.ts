/**
 * CBPE and isotonic regression against scripts/reference/cbpe.py (scikit-learn), and CBPE's
 * promise on shifted data with known labels: the realised accuracy lies within the estimate's
 * interval in at least 90% of windows, and the estimate follows the realised accuracy down when a
 * covariate shift degrades the model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CBPE_METRICS, estimateCbpe, fitCbpe, realisedBinary } from '../../src/stats/cbpe.ts';
import { fitIsotonic, predictIsotonic } from '../../src/stats/isotonic.ts';
import { uniformSource } from '../../src/stats/random.ts';

const ref = JSON.parse(readFileSync('test/fixtures/reference/cbpe.json', 'utf8')) as {
  isotonic: { x: number[]; y: number[]; query: number[]; predicted: number[] };
  reference: { score: number[]; pred: number[]; label: number[]; realised: Record<string, number>; components: Record<string, [number, number]> };
  windows: { shift: number; score: number[]; pred: number[]; label: number[]; calibrated: number[]; estimates: Record<string, { value: number; sampling_error: number; lower: number; upper: number }>; realised: Record<string, number> }[];
};

describe('isotonic regression (sklearn IsotonicRegression, out_of_bounds=clip)', () => {
  it('fits ties and violations and predicts inside and outside the range as scikit-learn', () => {
    const model = fitIsotonic(ref.isotonic.x, ref.isotonic.y, { yMin: 0, yMax: 1 });
    const got = Array.from(predictIsotonic(model, ref.isotonic.query));
    got.forEach((v, i) => expect(v).toBeCloseTo(ref.isotonic.predicted[i]!, 12));
    for (let i = 1; i < model.y.length; i++) expect(model.y[i]!).toBeGreaterThanOrEqual(model.y[i - 1]!);
  });

  it('refuses non-finite data instead of fitting around it', () => {
    expect(() => fitIsotonic([0, Number.NaN], [0, 1])).toThrow(/row 1 is not finite/);
    expect(() => fitIsotonic([], [])).toThrow(/no data/);
  });
});

describe('CBPE (NannyML) against the reference implementation', () => {
  const model = fitCbpe(ref.reference);
  it('realises the reference metrics and the sampling-error components as NannyML', () => {
    for (const m of CBPE_METRICS) {
      expect(model.reference[m]!, m).toBeCloseTo(ref.reference.realised[m]!, 12);
      expect(model.components[m].std, m).toBeCloseTo(ref.reference.components[m]![0], 12);
      expect(model.components[m].fraction, m).toBeCloseTo(ref.reference.components[m]![1], 12);
    }
  });

  it.each([0, 1, 2])('estimates window %i (calibrated scores, metrics, intervals) as the reference', (w) => {
    const win = ref.windows[w]!;
    const out = estimateCbpe(model, win);
    Array.from(out.calibrated).forEach((v, i) => expect(v).toBeCloseTo(win.calibrated[i]!, 12));
    for (const e of out.estimates) {
      const r = win.estimates[e.metric]!;
      expect(e.value!, e.metric).toBeCloseTo(r.value, 9);
      expect(e.sampling_error!, e.metric).toBeCloseTo(r.sampling_error, 12);
      expect(e.lower!, e.metric).toBeCloseTo(r.lower, 9);
      expect(e.upper!, e.metric).toBeCloseTo(r.upper, 9);
    }
    const realised = realisedBinary(win);
    for (const m of CBPE_METRICS) expect(realised[m]!, m).toBeCloseTo(win.realised[m]!, 12);
  });

  it('gives no estimate for an empty window and ignores rows with a NaN score', () => {
    const empty = estimateCbpe(model, { score: [], pred: [] });
    expect(empty.rows).toBe(0);
    expect(empty.estimates.every((e) => e.value === null)).toBe(true);
    const nan = estimateCbpe(model, { score: [Number.NaN, 0.9], pred: [1, 1] });
    expect(nan.rows).toBe(1);
  });

  it('refuses a reference with one class', () => {
    expect(() => fitCbpe({ score: [0.1, 0.9], pred: [0, 1], label: [1, 1] })).toThrow(/all positive/);
  });
});

/** A world where P(y | x) is fixed and the model over-confident; windows move x (covariate shift). */
function world(seed: number) {
  const u = uniformSource(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const w = [1.5, -1.0, 0.8];
  return (n: number, shift: number) => {
    const score = new Float64Array(n);
    const pred = new Int32Array(n);
    const label = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let logit = -0.3;
      for (const wj of w) logit += wj * (normal() + shift);
      label[i] = u() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
      score[i] = 1 / (1 + Math.exp(-2 * logit));
      pred[i] = score[i]! >= 0.5 ? 1 : 0;
    }
    return { score, pred, label };
  };
}

describe('CBPE on shifted data with known labels', () => {
  it('holds the realised accuracy within its interval in >= 90% of windows', () => {
    const draw = world(7);
    const model = fitCbpe(draw(5000, 0));
    let inside = 0;
    const windows = 200;
    for (let k = 0; k < windows; k++) {
      const shift = -1 + (2 * k) / (windows - 1); // from -1 to +1 (the model is worse near the boundary)
      const win = draw(500, shift);
      const est = estimateCbpe(model, win).estimates.find((e) => e.metric === 'accuracy')!;
      const real = realisedBinary(win).accuracy!;
      if (real >= est.lower! && real <= est.upper!) inside++;
    }
    const coverage = inside / windows;
    console.log(`CBPE accuracy interval coverage: ${(coverage * 100).toFixed(1)}% of ${windows} windows`);
    expect(coverage).toBeGreaterThanOrEqual(0.9);
  });

  it('moves down with the realised accuracy when the shift degrades the model', () => {
    const draw = world(11);
    const model = fitCbpe(draw(5000, 0));
    // Shift each feature so the rows crowd the decision boundary (w·x = 0.3): accuracy falls.
    const base = draw(2000, 0);
    const degraded = (() => {
      const u = uniformSource(99);
      const n = 2000;
      const score = new Float64Array(n);
      const pred = new Int32Array(n);
      const label = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const logit = (u() - 0.5) * 1.2; // near the boundary: hard rows
        label[i] = u() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
        score[i] = 1 / (1 + Math.exp(-2 * logit));
        pred[i] = score[i]! >= 0.5 ? 1 : 0;
      }
      return { score, pred, label };
    })();
    const acc = (w: ReturnType<typeof draw>) => estimateCbpe(model, w).estimates.find((e) => e.metric === 'accuracy')!;
    const before = acc(base);
    const after = acc(degraded);
    const realBefore = realisedBinary(base).accuracy!;
    const realAfter = realisedBinary(degraded).accuracy!;
    expect(realAfter).toBeLessThan(realBefore - 0.1);
    expect(after.value!).toBeLessThan(before.value! - 0.1);
    expect(after.upper!).toBeLessThan(before.lower!);
    expect(Math.abs(after.value! - realAfter)).toBeLessThan(3 * after.sampling_error!);
  });
});
