import { describe, expect, it } from 'vitest';
import reference from '../fixtures/reference/metrics.json' with { type: 'json' };
import { computeMetrics, metricsFunction, type Evaluation } from '../../src/checks/evaluation.ts';
import { CLASSIFICATION_METRICS, REGRESSION_METRICS } from '../../src/config/types.ts';
import { pairedBootstrap } from '../../src/stats/bootstrap.ts';
import { mannWhitneyU } from '../../src/stats/mannwhitney.ts';
import { mcnemarExact } from '../../src/stats/mcnemar.ts';
import schema from '../../schema/model-gate.schema.json' with { type: 'json' };

// Expected values come from scripts/reference/metrics.py (scikit-learn 1.2, scipy 1.10,
// statsmodels 0.13, Debian packages) run on the inputs stored beside them.

/** Relative agreement, with an absolute floor for values near zero. */
function expectClose(actual: number | null | undefined, expected: number, what: string) {
  expect(actual, what).not.toBeNull();
  const tol = Math.max(1e-12, 1e-10 * Math.abs(expected));
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

function classificationEval(c: (typeof reference.classification)[number]): Evaluation {
  const classes = Array.from({ length: c.k }, (_, i) => i);
  const proba = c.proba ? Float64Array.from(c.proba) : null;
  return {
    task: c.k === 2 ? 'binary' : 'multiclass',
    view: { task: c.k === 2 ? 'binary' : 'multiclass', classes, proba, pred: Int32Array.from(c.pred), score: null, outputs: 'test' },
    data: { k: c.k, y: Int32Array.from(c.y), pred: Int32Array.from(c.pred), proba },
    weights: c.weights ? Float64Array.from(c.weights) : null,
  };
}

describe('classification metrics equal scikit-learn', () => {
  for (const c of reference.classification) {
    it(c.name, () => {
      const report = computeMetrics(classificationEval(c), 15);
      for (const [name, expected] of Object.entries(c.expected)) {
        expectClose(report.values[name as keyof typeof report.values], expected, name);
      }
      if (!c.proba) {
        for (const m of ['roc_auc', 'log_loss', 'brier', 'ece'] as const) expect(report.values[m]).toBeNull();
      }
      for (const [cls, v] of Object.entries(c.per_class)) {
        expectClose(report.per_class![cls]!.precision, v.precision, `precision of ${cls}`);
        expectClose(report.per_class![cls]!.recall, v.recall, `recall of ${cls}`);
        expectClose(report.per_class![cls]!.f1, v.f1, `f1 of ${cls}`);
      }
      report.confusion_matrix!.forEach((row, t) => row.forEach((v, p) => expectClose(v, c.confusion_matrix[t]![p]!, `cm[${t}][${p}]`)));
    });
  }
});

describe('regression metrics equal scikit-learn', () => {
  for (const c of reference.regression) {
    it(c.name, () => {
      const pred = Float64Array.from(c.pred);
      const ev: Evaluation = {
        task: 'regression',
        view: { task: 'regression', pred, score: pred, outputs: 'test' },
        y: Float64Array.from(c.y),
        weights: c.weights ? Float64Array.from(c.weights) : null,
      };
      const report = computeMetrics(ev, 15);
      for (const [name, expected] of Object.entries(c.expected)) expectClose(report.values[name as 'rmse'], expected, name);
    });
  }
});

describe('paired tests equal statsmodels and scipy', () => {
  it.each(reference.mcnemar)('McNemar exact, b=$b c=$c', (c) => {
    const r = mcnemarExact(c.b, c.c);
    expect(r.statistic).toBe(c.statistic);
    expectClose(r.p_value, c.p_value, 'p');
  });

  it.each(reference.mannwhitneyu)('Mann–Whitney U, $name', (c) => {
    const r = mannWhitneyU(c.x, c.y);
    expect(r.statistic).toBe(c.statistic);
    expect(Math.abs(r.p_value - c.p_value)).toBeLessThanOrEqual(Math.max(1e-12, 1e-9 * c.p_value));
  });
});

describe('paired bootstrap', () => {
  const b = reference.bootstrap;
  const y = Int32Array.from(b.y);
  const delta = (w: Float64Array) => {
    let cand = 0;
    let base = 0;
    let total = 0;
    for (let i = 0; i < y.length; i++) {
      total += w[i]!;
      if (b.candidate[i] === y[i]) cand += w[i]!;
      if (b.baseline[i] === y[i]) base += w[i]!;
    }
    return [(cand - base) / total];
  };

  it('agrees with scipy.stats.bootstrap(paired=True, method="percentile") within Monte Carlo error', () => {
    const r = pairedBootstrap(y.length, delta, { resamples: 10000, level: 0.95, seed: 7 });
    const ci = r.intervals[0]!;
    // Each end of a 10,000-resample percentile interval varies by about 0.1 standard errors.
    expect(Math.abs(ci.low - b.low)).toBeLessThan(0.25 * b.standard_error);
    expect(Math.abs(ci.high - b.high)).toBeLessThan(0.25 * b.standard_error);
  });

  it('is reproducible from its seed and changes with it', () => {
    const a = pairedBootstrap(y.length, delta, { resamples: 500, level: 0.9, seed: 3 });
    const again = pairedBootstrap(y.length, delta, { resamples: 500, level: 0.9, seed: 3 });
    const other = pairedBootstrap(y.length, delta, { resamples: 500, level: 0.9, seed: 4 });
    expect(again.intervals).toEqual(a.intervals);
    expect(other.intervals).not.toEqual(a.intervals);
  });

  it('resamples the same rows for both models: a constant shift has a zero-width interval', () => {
    const ev: Evaluation = {
      task: 'regression',
      view: { task: 'regression', pred: new Float64Array([1, 2, 3, 4, 5]), score: new Float64Array(5), outputs: 'x' },
      y: new Float64Array([1.5, 1, 3.5, 6, 4]),
      weights: null,
    };
    const f = metricsFunction(ev, ['mae'], 15);
    const shifted = metricsFunction({ ...ev, view: { ...ev.view, pred: ev.view.pred.map((v) => v + 100) } }, ['mae'], 15);
    const r = pairedBootstrap(5, (w) => [shifted(w)[0]! - f(w)[0]!], { resamples: 200, level: 0.95, seed: 1 });
    expect(r.intervals[0]!.low).toBeGreaterThan(90);
  });
});

it('the schema lists exactly the metrics model-gate computes', () => {
  const names = Object.keys(schema.properties.metrics.properties.thresholds.properties).sort();
  expect(names).toEqual([...CLASSIFICATION_METRICS, ...REGRESSION_METRICS].sort());
  expect(schema.properties.metrics.properties.primary.enum.sort()).toEqual(names);
});
