/**
 * Every statistic fed NaN and ±Infinity: it finishes, and where it is undefined it says so (NaN
 * or null) rather than a number that reads as a pass. Calls that once looped forever run in a
 * worker thread that is terminated after a few seconds, so a regression fails here instead of
 * hanging the suite.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { nonFiniteEvaluation } from '../../src/checks/finite.ts';
import type { Evaluation } from '../../src/checks/evaluation.ts';
import type { PromotionMetric } from '../../src/config/types.ts';
import type { DriftRules } from '../../src/config/types.ts';
import { judgeFeature } from '../../src/drift/judge.ts';
import { measureFeature, type FeatureMeasures } from '../../src/drift/measure.ts';
import { judgeMetric } from '../../src/promotion/judge.ts';
import { pairedBootstrap } from '../../src/stats/bootstrap.ts';
import { chi2Sf, chi2TwoSample } from '../../src/stats/chi2.ts';
import { brier, ece, logLoss, rocAuc, scoreOrder, type ClassificationData } from '../../src/stats/classification.ts';
import { compareEcdfs } from '../../src/stats/ecdf.ts';
import { describeNonFinite, nonFiniteRows } from '../../src/stats/finite.ts';
import { jensenShannon } from '../../src/stats/jensen-shannon.ts';
import { kolmogorovSf, smirnov } from '../../src/stats/kolmogorov.ts';
import { ks2samp, ksTest } from '../../src/stats/ks.ts';
import { mannWhitneyGrouped, mannWhitneyU } from '../../src/stats/mannwhitney.ts';
import { mcnemarExact } from '../../src/stats/mcnemar.ts';
import { twoProportionZ } from '../../src/stats/proportions.ts';
import { binShares, psi, quantileEdges } from '../../src/stats/psi.ts';
import { quantileSorted } from '../../src/stats/quantile.ts';
import { regressionMetrics } from '../../src/stats/regression.ts';
import { sortFloat64 } from '../../src/stats/sort.ts';
import { populationStd, wasserstein } from '../../src/stats/wasserstein.ts';

const { NaN: nan, POSITIVE_INFINITY: inf, NEGATIVE_INFINITY: ninf } = Number;

/** Calls `fn` of a module under src/stats in a worker; rejects if it has not returned within `ms`. */
function inWorker(module: string, fn: string, args: unknown[], ms = 5000): Promise<unknown> {
  const url = pathToFileURL(resolve('src/stats', module)).href;
  const code = `const { parentPort, workerData } = require('node:worker_threads');
import(workerData.url).then((m) => parentPort.postMessage(m[workerData.fn](...workerData.args)));`;
  return new Promise((done, fail) => {
    const worker = new Worker(code, { eval: true, workerData: { url, fn, args } });
    const timer = setTimeout(() => {
      void worker.terminate();
      fail(new Error(`${fn} did not finish within ${ms} ms`));
    }, ms);
    worker.once('message', (value) => {
      clearTimeout(timer);
      void worker.terminate();
      done(value);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
  });
}

const binary = (scores: number[], y: number[]): ClassificationData => ({
  k: 2,
  y: Int32Array.from(y),
  pred: Int32Array.from(scores, (s) => (s > 0.5 ? 1 : 0)),
  proba: Float64Array.from(scores.flatMap((s) => [1 - s, s])),
});

describe('classification metrics on NaN and infinite probabilities', () => {
  const y = [0, 1, 0, 1, 1, 0, 1, 0];
  for (const [what, bad] of [
    ['NaN', nan],
    ['Infinity', inf],
    ['-Infinity', ninf],
  ] as const) {
    it(`ROC AUC finishes and is undefined (null) with a score of ${what}`, async () => {
      const d = binary([0.1, 0.9, bad, 0.8, 0.7, 0.3, bad, 0.2], y);
      const orders = [new Int32Array(0), scoreOrder(d, 1)];
      expect(await inWorker('classification.ts', 'rocAuc', [d, orders, null])).toBeNull();
      const three: ClassificationData = { k: 3, y: Int32Array.from([0, 1, 2, 0]), pred: Int32Array.from([0, 1, 2, 0]), proba: Float64Array.from([0.8, 0.1, 0.1, bad, 0.8, 0.1, 0.1, 0.1, 0.8, 0.7, 0.2, 0.1]) };
      const orders3 = [0, 1, 2].map((c) => scoreOrder(three, c));
      expect(await inWorker('classification.ts', 'rocAuc', [three, orders3, null])).toBeNull();
    });

    it(`log loss, Brier and ECE are NaN with a probability of ${what} (clipping would hide it)`, () => {
      const d = binary([0.1, 0.9, bad, 0.8, 0.7, 0.3, 0.6, 0.2], y);
      expect(logLoss(d, null)).toBeNaN();
      expect(brier(d, null)).toBeNaN();
      expect(ece(d, null)).toBeNaN();
    });
  }

  it('the score order is total: NaN last, equal infinities tied, finite scores as before', () => {
    const d = binary([0.4, nan, 0.2, inf, nan, ninf, 0.9, inf], [0, 0, 0, 0, 1, 1, 1, 1]);
    const scores = Array.from(scoreOrder(d, 1), (i) => d.proba![2 * i + 1]!);
    expect(scores).toEqual([ninf, 0.2, 0.4, 0.9, inf, inf, nan, nan]);
    expect(rocAuc(binary([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), [new Int32Array(0), scoreOrder(binary([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 1)], null)).toBe(0.75);
  });
});

describe('regression metrics on NaN and infinite values', () => {
  const y = Float64Array.from([1, 2, 3, 4]);
  it('are all NaN when a prediction, a label or a weight is NaN or infinite', () => {
    for (const bad of [nan, inf, ninf]) {
      for (const m of [
        regressionMetrics({ y, pred: Float64Array.from([1, bad, 3, 4]) }, null),
        regressionMetrics({ y: Float64Array.from([1, 2, bad, 4]), pred: y }, null),
        regressionMetrics({ y, pred: y }, Float64Array.from([1, 1, bad, 1])),
      ]) {
        // max_error once skipped a NaN row and reported the largest of the others.
        for (const v of Object.values(m)) expect(v).toBeNaN();
      }
    }
  });

  it('a row of weight zero (absent from a resample) does not count', () => {
    const m = regressionMetrics({ y, pred: Float64Array.from([1, nan, 3, 5]) }, Float64Array.from([1, 0, 1, 1]));
    expect(m.max_error).toBe(1);
    expect(m.mae).toBeCloseTo(1 / 3, 15);
  });
});

describe('two-sample tests and distances on NaN and infinite values', () => {
  it('the ECDF merge finishes: NaN makes everything NaN, infinities keep KS but not the area', async () => {
    // A NaN at the end of the first sample once stopped the merge from ever advancing.
    const nanCase = (await inWorker('ecdf.ts', 'compareEcdfs', [Float64Array.from([1, nan]), Float64Array.from([0])])) as Record<string, number>;
    expect(nanCase.ks).toBeNaN();
    expect(nanCase.wasserstein).toBeNaN();
    const infCase = compareEcdfs(Float64Array.from([ninf, 1, 2]), Float64Array.from([1, 2, inf]));
    expect(infCase.ks).toBeCloseTo(1 / 3, 15);
    expect(infCase.wasserstein).toBeNaN();
    expect(wasserstein([1, 2], [1, inf])).toBeNaN();
    expect(compareEcdfs([1, 2, 3], [2, 3, 4])).toEqual({ ks: expect.closeTo(1 / 3, 15), wasserstein: 1, distinct: 4 });
  });

  it('the KS p-value is NaN for a NaN or infinite statistic or size, and never loops', async () => {
    for (const d of [nan, inf, ninf, 1.5]) {
      const r = (await inWorker('ks.ts', 'ksTest', [5, 5, d])) as { pValue: number };
      expect(r.pValue, String(d)).toBeNaN();
      expect(ksTest(5, 7, d).pValue).toBeNaN();
      expect(ksTest(20_000, 30_000, d).pValue).toBeNaN();
    }
    expect(ksTest(inf, 5, 0.5).pValue).toBeNaN();
    expect(ksTest(0, 5, 0.5).pValue).toBeNaN();
    expect(ks2samp([1, 2, nan], [1, 2, 3]).pValue).toBeNaN();
    expect(await inWorker('kolmogorov.ts', 'smirnov', [inf, 0.5])).toBeNaN();
    expect(kolmogorovSf(inf, 0.5)).toBeNaN();
    expect(kolmogorovSf(10, nan)).toBeNaN();
    expect(smirnov(10, nan)).toBeNaN();
  });

  it('Mann–Whitney is NaN with a NaN value (no rank), ranks infinities like any extreme', () => {
    expect(mannWhitneyU([1, 2, nan], [3, 4, 5])).toMatchObject({ statistic: nan, p_value: nan });
    const withInf = mannWhitneyU([1, 2, inf, 9, 10, 11, 12, 13, 14], [3, 4, ninf, 5, 6, 7, 8, 15, 16]);
    const asFinite = mannWhitneyU([1, 2, 1e9, 9, 10, 11, 12, 13, 14], [3, 4, -1e9, 5, 6, 7, 8, 15, 16]);
    expect(withInf).toEqual(asFinite);
    expect(mannWhitneyGrouped([1, nan, 2], [2, 1, 1]).p_value).toBeNaN();
    expect(mannWhitneyGrouped([1, inf, 2], [2, 1, 1]).p_value).toBeNaN();
    expect(mannWhitneyGrouped([1, -1, 2], [2, 1, 1]).p_value).toBeNaN();
  });

  it('chi-squared, the z-test and McNemar are NaN on NaN or infinite counts', () => {
    expect(chi2TwoSample([1, nan], [2, 3]).pValue).toBeNaN();
    expect(chi2TwoSample([1, inf], [2, 3]).pValue).toBeNaN();
    expect(chi2Sf(nan, 2)).toBeNaN();
    expect(twoProportionZ(nan, 10, 1, 10).pValue).toBeNaN();
    expect(twoProportionZ(1, inf, 1, 10).pValue).toBeNaN();
    expect(mcnemarExact(nan, 3).p_value).toBeNaN();
  });

  it('Jensen–Shannon is NaN, not 0, when a count is NaN or infinite', () => {
    expect(jensenShannon([1, nan], [1, 1])).toBeNaN();
    expect(jensenShannon([1, inf], [1, 1])).toBeNaN();
    expect(jensenShannon([0, 0], [1, 1])).toBeNaN();
    expect(jensenShannon([1, 1], [1, 1])).toBe(0);
  });

  it('PSI is NaN with a NaN value; infinities fall in the open outer bins; edges stay finite', () => {
    const reference = Float64Array.from({ length: 100 }, (_, i) => i);
    expect(psi(reference, [1, 2, nan])).toBeNaN();
    expect(psi([1, nan, 3], reference)).toBeNaN();
    const edges = quantileEdges(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, inf, inf]), 10);
    expect(edges.every(Number.isFinite)).toBe(true);
    expect(Array.from(binShares([ninf, 50, inf, inf], quantileEdges(reference, 10)))).toEqual([0.25, 0, 0, 0, 0, 0.25, 0, 0, 0, 0.5]);
    expect(Number.isFinite(psi(reference, [ninf, 50, inf, inf]))).toBe(true);
  });

  it('population std is NaN with an infinity; the bootstrap counts NaN and infinite draws as undefined', () => {
    expect(populationStd([1, inf])).toBeNaN();
    const boot = pairedBootstrap(10, (w) => [w[0]! > 0 ? nan : 1, inf, 2], { resamples: 200, level: 0.9, seed: 1 });
    expect(boot.intervals[0]).toBeNull();
    expect(boot.intervals[1]).toBeNull();
    expect(boot.intervals[2]).toEqual({ low: 2, high: 2 });
    expect(boot.undefinedResamples[1]).toBe(200);
  });
});

describe('quantiles and sorting with infinities and NaN', () => {
  it('a quantile next to an infinity is that infinity; between -∞ and +∞, or at q = NaN, NaN', () => {
    expect(quantileSorted([1, 2, inf], 0.9)).toBe(inf);
    expect(quantileSorted([1, 2, inf], 0.6)).toBe(inf);
    expect(quantileSorted([ninf, 1, 2], 0.1)).toBe(ninf);
    expect(quantileSorted([ninf, 1, 2], 0.4)).toBe(ninf);
    expect(quantileSorted([ninf, inf], 0.5)).toBeNaN();
    expect(quantileSorted([inf, inf], 0.5)).toBe(inf);
    expect(quantileSorted([1, 2, 3], nan)).toBeNaN();
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('the radix sort finishes with NaN present (callers remove it) and orders everything else', () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) => (i % 1000 === 7 ? nan : i % 997 === 3 ? inf : Math.sin(i) * 1e3));
    const sorted = Array.from(sortFloat64(values.slice())).filter((v) => !Number.isNaN(v));
    expect(sorted).toEqual(Array.from(values.slice().sort()).filter((v) => !Number.isNaN(v)));
  });
});

describe('non-finite rows, described', () => {
  it('names the kind, counts rows (not values), and shows the first five rows', () => {
    expect(nonFiniteRows([1, 2, 3])).toBeNull();
    const f = nonFiniteRows([nan, nan, 1, 2, 0, inf], 2)!;
    expect(describeNonFinite(f)).toBe('NaN or Infinity on 2 rows (rows 1, 3)');
    expect(describeNonFinite(nonFiniteRows([1, ninf])!)).toBe('-Infinity on 1 row (row 2)');
    const many = nonFiniteRows(Float64Array.from({ length: 20 }, (_, i) => (i % 2 ? inf : ninf)))!;
    expect(describeNonFinite(many)).toBe('±Infinity on 20 rows (rows 1, 2, 3, 4, 5, …)');
  });

  it('an evaluation with NaN probabilities or infinite regression labels is refused by name', () => {
    const proba = Float64Array.from([0.2, 0.8, nan, nan, 0.5, 0.5]);
    const ev: Evaluation = {
      task: 'binary',
      view: { task: 'binary', classes: [0, 1], proba, pred: Int32Array.from([1, 0, 0]), score: null, outputs: 'probabilities + label' },
      data: { k: 2, y: Int32Array.from([1, 0, 1]), pred: Int32Array.from([1, 0, 0]), proba },
      weights: null,
    };
    expect(nonFiniteEvaluation(ev, 'baseline')).toBe(`the baseline's output "probabilities" is NaN on 1 row (row 2): metrics need finite predictions`);
    const pred = Float64Array.from([1, 2, 3]);
    const reg: Evaluation = { task: 'regression', view: { task: 'regression', pred, score: pred, outputs: 'y' }, y: Float64Array.from([1, inf, 3]), weights: null };
    expect(nonFiniteEvaluation(reg, 'candidate', { path: 'eval.csv', column: 'target' })).toBe('eval.csv: label column "target" is Infinity on 1 row (row 2): metrics need finite labels');
    expect(nonFiniteEvaluation({ ...reg, y: pred }, 'candidate')).toBeNull();
  });
});

describe('judges never pass on NaN', () => {
  const rules: DriftRules = { min_rows: 3, large_sample_rows: 1000, p_value: 0.05, distance: 0.1, psi: { bins: 10, floor: 1e-4, warning: 0.1, blocker: 0.25 }, dataset_share: 0.5, multiplicity: 'holm', features: {} };

  it('drift: NaN and infinite values count as missing; an undefined measure is an error, not stable', () => {
    const m = measureFeature('x', { kind: 'numeric', values: [1, 2, nan, inf, 3, 4, 5, 6, 7, 8] }, { kind: 'numeric', values: [ninf, 2, 3, 4, 5, 6, 7, 8, 9] }, rules.psi);
    expect(m.missing).toEqual({ reference: 2, current: 1 });
    expect(judgeFeature(m, rules).status).not.toBe('error');
    const broken: FeatureMeasures = { ...m, ks_p_value: nan };
    expect(judgeFeature(broken, rules)).toMatchObject({ status: 'error', drifted: null, message: 'KS p is undefined on these values (NaN)' });
    expect(judgeFeature({ ...m, psi: nan }, rules)).toMatchObject({ status: 'error', psi_level: null });
  });

  const metric = (over: Partial<PromotionMetric>): PromotionMetric => ({ name: 'm', kind: 'error_rate', confidence: 0.98, critical: false, step_seconds: 5, ...over });

  it('promotion: NaN error counts, histograms, samples or values are errors, never a pass', () => {
    const er = judgeMetric(metric({}), { kind: 'error_rate', errors: { canary: nan, stable: 1 }, requests: { canary: 1000, stable: 1000 } }, 50);
    expect(er).toMatchObject({ verdict: 'error', reason: 'the metrics provider gave counts that cannot be: errors.canary is NaN' });
    expect(judgeMetric(metric({}), { kind: 'error_rate', errors: { canary: 1, stable: 1 }, requests: { canary: inf, stable: 1000 } }, 50).verdict).toBe('error');

    const le = [0.1, 0.5, 1, inf];
    const good = { le, cumulative: [100, 900, 990, 1000] };
    const lat = (canary: { le: number[]; cumulative: number[] }) => judgeMetric(metric({ kind: 'latency' }), { kind: 'latency', buckets: { canary, stable: good } }, 50);
    expect(lat(good).verdict).toBe('inconclusive'); // one window: a comparison with stable needs three
    expect(lat({ le, cumulative: [100, nan, 990, 1000] })).toMatchObject({ verdict: 'error', reason: 'latency histogram: canary: count NaN in bucket le=0.5' });
    expect(lat({ le: [0.1, nan, 1, inf], cumulative: good.cumulative }).verdict).toBe('error');
    expect(lat({ le, cumulative: [100, 900, 990, nan] }).verdict).toBe('error');

    const samples = (canary: number[]) => judgeMetric(metric({ kind: 'latency' }), { kind: 'latency', samples: { canary, stable: [1, 2, 3, 4] } }, 50);
    expect(samples([1, 2, nan, 4])).toMatchObject({ verdict: 'error', reason: "latency samples: 1 of the canary's 4 samples are NaN, infinite, negative or over 1000000000000000" });
    expect(samples([1, 2, inf, 4]).verdict).toBe('error');

    // A NaN from the provider is a broken measurement (error), not a missing one (inconclusive):
    // either way it is never a pass, and the consecutive-error limit rolls back.
    const value = judgeMetric(metric({ kind: 'value', max_relative: { factor: 1.1, plus: 0 } }), { kind: 'value', value: { canary: 5, stable: nan } }, 50);
    expect(value.verdict).toBe('error');
  });
});
