/**
 * The baseline comparison's statistics against scripts/reference/comparison.py (pROC's DeLong,
 * scipy's row bootstrap, statsmodels' z intervals, non-inferiority test and power, sklearn's
 * float32 log loss), and the non-inferiority decisions they feed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareMetrics, judgeComparison } from '../../src/checks/compare.ts';
import { estimateChanges, methodFor } from '../../src/checks/compare-estimate.ts';
import { metricsFunction, type Evaluation } from '../../src/checks/evaluation.ts';
import { defaultConfig } from '../../src/config/load.ts';
import type { GateConfig, MetricName } from '../../src/config/types.ts';
import { argsortFloat64 } from '../../src/stats/argsort.ts';
import { pairedBootstrap } from '../../src/stats/bootstrap.ts';
import { logLoss } from '../../src/stats/classification.ts';
import { delongPaired } from '../../src/stats/delong.ts';
import { mannWhitneyGrouped } from '../../src/stats/mannwhitney.ts';
import { binomial } from '../../src/stats/multinomial.ts';
import { judgeNonInferiority, minimumDetectableEffect } from '../../src/stats/noninferiority.ts';
import { normalQuantile } from '../../src/stats/normal.ts';
import { uniformSource } from '../../src/stats/random.ts';
import { populationStd } from '../../src/stats/wasserstein.ts';

interface DelongCase {
  name: string;
  y: number[];
  score1: number[];
  score2: number[];
  auc1: number;
  auc2: number;
  se: number;
  z: number;
  p_value: number;
  sklearn_auc1: number;
  sklearn_auc2: number;
}
interface Interval3 {
  delta: number;
  low: number;
  high: number;
  standard_error: number;
}
const reference = JSON.parse(readFileSync('test/fixtures/reference/comparison.json', 'utf8')) as {
  delong: DelongCase[];
  row_bootstrap: { y: number[]; candidate: number[]; baseline: number[]; accuracy: Interval3; f1_macro: Interval3 };
  noninferiority: {
    y: number[];
    candidate: number[];
    baseline: number[];
    alpha: number;
    power: number;
    metrics: Record<string, { margin: number; delta: number; low: number; high: number; se: number; p_noninferiority: number; mde: number; sklearn_candidate: number }>;
  };
  parity: {
    log_loss_float32: { y: number[]; proba: number[][]; value: number; float64_value: number };
    mannwhitney_all_tied: { x: number[]; y: number[]; p_value: number };
    std_offset: { n: number; offset: number; multiplier: number; modulus: number; numpy_std: number; exact_std: number };
  };
};

const close = (actual: number, expected: number, rel = 1e-9) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));

/** A classification evaluation from labels, predicted classes and (optionally) probabilities. */
function classification(y: ArrayLike<number>, pred: ArrayLike<number>, k: number, proba: Float64Array | null = null, weights: Float64Array | null = null): Evaluation {
  const p = Int32Array.from(pred);
  const classes = Array.from({ length: k }, (_, i) => i);
  return {
    task: k === 2 ? 'binary' : 'multiclass',
    view: { task: k === 2 ? 'binary' : 'multiclass', classes, proba, pred: p, score: null, outputs: 'x' },
    data: { k, y: Int32Array.from(y), pred: p, proba },
    weights,
  };
}

/** Binary evaluations from P(class 1) per row. */
function binary(y: ArrayLike<number>, p1: ArrayLike<number>): Evaluation {
  const proba = new Float64Array(2 * y.length);
  const pred = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    proba[2 * i] = 1 - p1[i]!;
    proba[2 * i + 1] = p1[i]!;
    pred[i] = p1[i]! > 0.5 ? 1 : 0;
  }
  return classification(y, pred, 2, proba);
}

function config(patch: (c: GateConfig) => void = () => undefined): GateConfig {
  const c = defaultConfig();
  c.comparison.resamples = 2000;
  patch(c);
  return c;
}

describe('DeLong paired test (pROC algorithm, scripts/reference/comparison.py)', () => {
  for (const c of reference.delong) {
    it(`${c.name}: AUCs, standard error, z and p as pROC`, () => {
      const r = delongPaired(c.score1, c.score2, c.y)!;
      close(r.auc1, c.auc1, 1e-12);
      close(r.auc2, c.auc2, 1e-12);
      close(r.auc1, c.sklearn_auc1, 1e-12);
      close(r.se, c.se, 1e-9);
      close(r.z, c.z, 1e-9);
      close(r.p_value, c.p_value, 1e-9);
    });
  }

  it('the comparison uses it for ROC AUC: the same interval as delta ± z·SE', () => {
    const c = reference.delong[0]!;
    const [cand, base] = [binary(c.y, c.score1), binary(c.y, c.score2)];
    const [e] = estimateChanges(cand, base, ['roc_auc'], { confidence: 0.95, resamples: 100, seed: 1, eceBins: 15 });
    expect(e!.method).toBe('DeLong');
    close(e!.se!, c.se, 1e-9);
    close(e!.interval!.high, c.auc1 - c.auc2 + normalQuantile(0.975) * c.se, 1e-9);
  });
});

describe('multinomial bootstrap of the joint table against the row bootstrap (scipy.stats.bootstrap)', () => {
  const b = reference.row_bootstrap;
  const cand = classification(b.y, b.candidate, 3);
  const base = classification(b.y, b.baseline, 3);
  const [acc, f1] = estimateChanges(cand, base, ['accuracy', 'f1_macro'], { confidence: 0.95, resamples: 10000, seed: 11, eceBins: 15 });

  it('draws the same distribution: interval ends and standard errors within Monte-Carlo error', () => {
    for (const [e, ref] of [
      [acc!, b.accuracy],
      [f1!, b.f1_macro],
    ] as const) {
      expect(e.method).toBe('multinomial bootstrap');
      close(e.delta!, ref.delta, 1e-12);
      // Each end of a percentile interval from 4,000–10,000 resamples varies by ~0.1–0.15 standard errors.
      expect(Math.abs(e.interval!.low - ref.low)).toBeLessThan(0.35 * ref.standard_error);
      expect(Math.abs(e.interval!.high - ref.high)).toBeLessThan(0.35 * ref.standard_error);
      expect(Math.abs(e.se! / ref.standard_error - 1)).toBeLessThan(0.05);
    }
  });

  it('weighted rows: confusion metrics by the (cell, weight) groups, the rest by the row bootstrap', () => {
    expect(methodFor('accuracy', 1_000_000, true, 'multiclass')).toBe('multinomial bootstrap');
    expect(methodFor('log_loss', 1_000_000, true, 'binary')).toBe('row bootstrap');
    expect(methodFor('accuracy', 10, false, 'multiclass')).toBe('multinomial bootstrap');
    expect(methodFor('log_loss', 999, false, 'binary')).toBe('row bootstrap');
    expect(methodFor('log_loss', 1000, false, 'binary')).toBe('normal (CLT)');
    expect(methodFor('ece', 1_000_000, false, 'binary')).toBe('row bootstrap');
  });

  it('with sample weights, the grouped multinomial draws the row bootstrap’s distribution (within Monte-Carlo error)', () => {
    const weights = Float64Array.from(b.y, (_, i) => [0.5, 1, 2.5][i % 3]!);
    const wc = { ...cand, weights };
    const wb = { ...base, weights };
    const names: MetricName[] = ['accuracy', 'f1_macro'];
    const fast = estimateChanges(wc, wb, names, { confidence: 0.95, resamples: 10000, seed: 11, eceBins: 15 });
    const rows = pairedBootstrap(b.y.length, (w) => {
      const c = metricsFunction(wc, names, 15)(w);
      const d = metricsFunction(wb, names, 15)(w);
      return c.map((v, i) => v! - d[i]!);
    }, { resamples: 10000, level: 0.95, seed: 12, weights });
    fast.forEach((e, i) => {
      expect(e.method).toBe('multinomial bootstrap');
      const se = rows.standardErrors[i]!;
      expect(Math.abs(e.interval!.low - rows.intervals[i]!.low)).toBeLessThan(0.35 * se);
      expect(Math.abs(e.interval!.high - rows.intervals[i]!.high)).toBeLessThan(0.35 * se);
      expect(Math.abs(e.se! / se - 1)).toBeLessThan(0.05);
    });
    // The weights matter: the weighted interval is not the unweighted one.
    expect(Math.abs(fast[0]!.delta! - acc!.delta!)).toBeGreaterThan(1e-6);
  });

  it('binomial draws have the right mean and variance, in both the inversion and the BTRS regimes', () => {
    const random = uniformSource(3);
    for (const [n, p] of [
      [40, 0.05],
      [100000, 0.3],
    ] as const) {
      let s = 0;
      let s2 = 0;
      const draws = 20000;
      for (let i = 0; i < draws; i++) {
        const x = binomial(n, p, random) - n * p;
        s += x;
        s2 += x * x;
      }
      const variance = n * p * (1 - p);
      expect(Math.abs(s / draws)).toBeLessThan(5 * Math.sqrt(variance / draws));
      expect(Math.abs(s2 / draws / variance - 1)).toBeLessThan(0.05);
    }
  });
});

describe('the fast methods agree with the row bootstrap they replace, within its Monte-Carlo error', () => {
  const rowBoot = (c: Evaluation, b: Evaluation, names: MetricName[]) => {
    const fc = metricsFunction(c, names, 15);
    const fb = metricsFunction(b, names, 15);
    const n = c.task === 'regression' ? c.y.length : c.data.y.length;
    return pairedBootstrap(
      n,
      (w) => {
        const bw = fb(w);
        return fc(w).map((v, i) => (v === null || bw[i] === null ? null : v - bw[i]!));
      },
      { resamples: 4000, level: 0.95, seed: 5 },
    );
  };

  it('the existing reference (metrics.json): the accuracy delta by the multinomial bootstrap, as scipy’s row bootstrap', () => {
    const b = (JSON.parse(readFileSync('test/fixtures/reference/metrics.json', 'utf8')) as { bootstrap: { y: number[]; candidate: number[]; baseline: number[]; low: number; high: number; standard_error: number } }).bootstrap;
    const [e] = estimateChanges(classification(b.y, b.candidate, 2), classification(b.y, b.baseline, 2), ['accuracy'], { confidence: 0.95, resamples: 10000, seed: 7, eceBins: 15 });
    expect(e!.method).toBe('multinomial bootstrap');
    expect(Math.abs(e!.interval!.low - b.low)).toBeLessThan(0.25 * b.standard_error);
    expect(Math.abs(e!.interval!.high - b.high)).toBeLessThan(0.25 * b.standard_error);
  });

  it('CLT (log loss, Brier) and DeLong (ROC AUC) on 2,000 rows', () => {
    const r = reference.noninferiority;
    const [c, b] = [binary(r.y, r.candidate), binary(r.y, r.baseline)];
    const names: MetricName[] = ['log_loss', 'brier', 'roc_auc'];
    const fast = estimateChanges(c, b, names, { confidence: 0.95, resamples: 100, seed: 1, eceBins: 15 });
    const slow = rowBoot(c, b, names);
    expect(fast.map((e) => e.method)).toEqual(['normal (CLT)', 'normal (CLT)', 'DeLong']);
    fast.forEach((e, i) => {
      const se = slow.standardErrors[i]!;
      expect(Math.abs(e.se! / se - 1), names[i]).toBeLessThan(0.08);
      expect(Math.abs(e.interval!.low - slow.intervals[i]!.low), names[i]).toBeLessThan(0.3 * se);
      expect(Math.abs(e.interval!.high - slow.intervals[i]!.high), names[i]).toBeLessThan(0.3 * se);
    });
  });

  it('CLT through the delta method (RMSE, R²) and plain (MAE, MAPE) on 3,000 regression rows', () => {
    const random = uniformSource(8);
    const n = 3000;
    const y = Float64Array.from({ length: n }, () => 10 + 4 * (random() + random() + random() - 1.5));
    const noisy = (scale: number) => Float64Array.from(y, (v) => v + scale * (random() + random() - 1));
    const ev = (pred: Float64Array): Evaluation => ({ task: 'regression', view: { task: 'regression', pred, score: pred, outputs: 'x' }, y, weights: null });
    const [c, b] = [ev(noisy(1.1)), ev(noisy(1))];
    const names: MetricName[] = ['rmse', 'r2', 'mae', 'mape'];
    const fast = estimateChanges(c, b, names, { confidence: 0.95, resamples: 100, seed: 1, eceBins: 15 });
    const slow = rowBoot(c, b, names);
    fast.forEach((e, i) => {
      expect(e.method).toBe('normal (CLT)');
      const se = slow.standardErrors[i]!;
      expect(Math.abs(e.se! / se - 1), names[i]).toBeLessThan(0.08);
      expect(Math.abs(e.interval!.low - slow.intervals[i]!.low), names[i]).toBeLessThan(0.3 * se);
      expect(Math.abs(e.interval!.high - slow.intervals[i]!.high), names[i]).toBeLessThan(0.3 * se);
    });
  });
});

describe('normal intervals, non-inferiority and power (statsmodels zconfint, ztest, NormalIndPower)', () => {
  const r = reference.noninferiority;
  const cand = binary(r.y, r.candidate);
  const base = binary(r.y, r.baseline);
  const names = ['log_loss', 'brier'] as const;
  const estimates = estimateChanges(cand, base, names, { confidence: 1 - 2 * r.alpha, resamples: 100, seed: 1, eceBins: 15 });

  names.forEach((metric, i) => {
    const ref = r.metrics[metric]!;
    it(`${metric}: the CLT interval of the paired differences, the verdict against the margin, the MDE`, () => {
      const e = estimates[i]!;
      expect(e.method).toBe('normal (CLT)');
      close(e.candidate!, ref.sklearn_candidate, 1e-9);
      close(e.delta!, ref.delta, 1e-9);
      close(e.se!, ref.se, 1e-9);
      close(e.interval!.low, ref.low, 1e-9);
      close(e.interval!.high, ref.high, 1e-9);
      const j = judgeNonInferiority({ estimate: e.delta!, interval: e.interval!, se: e.se, direction: 'lower', rows: r.y.length }, ref.margin, r.alpha, r.power);
      expect(j.verdict).toBe(ref.p_noninferiority < r.alpha ? 'non-inferior' : 'inconclusive');
      close(j.mde!, ref.mde, 1e-6); // statsmodels solves for the effect size numerically
      expect(j.underpowered).toBe(ref.mde > ref.margin);
      if (j.underpowered) expect(j.rows_needed).toBe(Math.ceil(r.y.length * (j.mde! / ref.margin) ** 2));
    });
  });

  it('judges the three outcomes from the interval alone, oriented by the direction', () => {
    const at = (low: number, high: number, direction: 'higher' | 'lower') =>
      judgeNonInferiority({ estimate: (low + high) / 2, interval: { low, high }, se: (high - low) / 3.92, direction, rows: 1000 }, 0.01, 0.025).verdict;
    expect(at(-0.03, -0.015, 'higher')).toBe('inferior');
    expect(at(-0.009, 0.004, 'higher')).toBe('non-inferior');
    expect(at(-0.02, 0.004, 'higher')).toBe('inconclusive');
    expect(at(0.015, 0.03, 'lower')).toBe('inferior');
    expect(minimumDetectableEffect(1, 0.025, 0.8)).toBeCloseTo(1.959963984540054 + 0.8416212335729143, 12);
  });
});

describe('decisions: material, not merely significant', () => {
  /**
   * Two models right on ~85% of n rows, their errors independent, the candidate also wrong on
   * `flip` of the rows it had right: a regression of about 0.85·flip.
   */
  function pair(n: number, flip: number, seed = 1): [Evaluation, Evaluation] {
    const random = uniformSource(seed);
    const y = Int32Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0));
    const base = Int32Array.from(y, (v) => (random() < 0.85 ? v : 1 - v));
    const cand = Int32Array.from(y, (v) => (random() < 0.85 ? v : 1 - v)).map((v, i) => (v === y[i] && random() < flip ? 1 - v : v));
    return [classification(y, cand, 2), classification(y, base, 2)];
  }

  it('a significant but tiny regression on 1,000,000 rows passes (within the 1-point margin) and says so', () => {
    const [c, b] = pair(1_000_000, 0.004);
    const cfg = config();
    const report = compareMetrics(c, b, cfg);
    const acc = report.metrics[0]!;
    expect(acc.verdict).toBe('regression');
    expect(acc.noninferiority).toMatchObject({ verdict: 'non-inferior', margin: 0.01, alpha: 0.025, underpowered: false });
    const [check] = judgeComparison(report, 'binary', cfg);
    expect(check).toMatchObject({ id: 'comparison.accuracy', status: 'pass', threshold: 'regress by <= 0.01 (one-sided α = 2.5%)' });
    expect(check!.message).toMatch(/\(95% CI \[-0\.00\d+, -0\.00\d+\], multinomial bootstrap\).*held to a margin of 0\.01 at one-sided α = 2\.5%, smallest detectable regression .* \(80% power\): within the tolerated regression \(a significant but tolerated regression\)/);
  });

  it('a regression shown to exceed the margin blocks', () => {
    const [c, b] = pair(20_000, 0.05);
    const cfg = config();
    const [check] = judgeComparison(compareMetrics(c, b, cfg), 'binary', cfg);
    expect(check).toMatchObject({ status: 'fail', severity: 'blocker', message: expect.stringContaining('worse than the tolerated regression') });
  });

  it('an eval set too small to show non-inferiority says so, with the rows it would need, without blocking', () => {
    const [c, b] = pair(400, 0);
    const cfg = config();
    const report = compareMetrics(c, b, cfg);
    expect(report.metrics[0]!.noninferiority!.underpowered).toBe(true);
    const [check] = judgeComparison(report, 'binary', cfg);
    expect(check!.status).toBe('warn');
    expect(check!.message).toMatch(/too small to show non-inferiority — about [\d,]+ rows would be needed; a GO here is not evidence/);
  });

  it('models that predict the same class on every row: the exact bound, not a [0, 0] interval, so a small eval set shows nothing', () => {
    const [, b] = pair(200, 0);
    const cfg = config();
    // 0 of n rows differing bounds the differing share at 1 − α^(1/n) (Clopper–Pearson, scipy.stats.beta.ppf(0.975, 1, n)).
    const small = compareMetrics(b, b, cfg);
    expect(small.metrics[0]).toMatchObject({ method: 'same classes on every row', delta: 0 });
    expect(small.metrics[0]!.interval!.high).toBeCloseTo(1 - 0.025 ** (1 / 200), 12);
    const [note] = judgeComparison(small, 'binary', cfg);
    expect(note).toMatchObject({ status: 'warn' });
    expect(note!.message).toMatch(/predict the same class on all 200 rows, which bounds the change at 0\.018\d* \(one-sided α\), more than the margin; about 368 rows would show non-inferiority/);
    const [, big] = pair(400, 0);
    const [pass] = judgeComparison(compareMetrics(big, big, cfg), 'binary', cfg);
    expect(pass).toMatchObject({ status: 'pass' });
  });

  it('error metrics default to a relative margin (1% of the baseline)', () => {
    const r = reference.noninferiority;
    const cfg = config((c) => (c.metrics.primary = 'log_loss'));
    const report = compareMetrics(binary(r.y, r.candidate), binary(r.y, r.baseline), cfg);
    const [check] = judgeComparison(report, 'binary', cfg);
    expect(check!.threshold).toBe('regress by <= 1% of the baseline (one-sided α = 2.5%)');
    expect(report.metrics[0]!.noninferiority!.relative).toBe(true);
  });

  it('below 100 rows a claim also needs the paired permutation test', () => {
    // 40 rows, 4 discordant rows all against the candidate: the bootstrap interval excludes the
    // margin, but the permutation p = 2^-4 = 0.0625 > 2.5%, so no regression is claimed.
    const y = Int32Array.from({ length: 40 }, (_, i) => i % 2);
    const base = Int32Array.from(y);
    const cand = Int32Array.from(y, (v, i) => (i < 4 ? 1 - v : v));
    const cfg = config();
    const report = compareMetrics(classification(y, cand, 2), classification(y, base, 2), cfg);
    const acc = report.metrics[0]!;
    expect(acc.interval!.high).toBeLessThan(-0.01);
    expect(acc.permutation!.less).toBeGreaterThan(0.05);
    expect(acc.verdict).toBe('no significant change');
    const [check] = judgeComparison(report, 'binary', cfg);
    expect(check!.status).toBe('warn');
    expect(check!.message).toContain('below 100 rows a claim also needs the paired permutation test');
    // 8 such rows: p ≈ 2^-8, and the regression is claimed.
    const worse = Int32Array.from(y, (v, i) => (i < 8 ? 1 - v : v));
    const again = compareMetrics(classification(y, worse, 2), classification(y, base, 2), cfg);
    expect(again.metrics[0]!.permutation!.less).toBeLessThan(0.01);
    expect(judgeComparison(again, 'binary', cfg)[0]!.status).toBe('fail');
  });
});

describe('parity', () => {
  it('log loss clips at the epsilon of the probabilities’ dtype, as scikit-learn (float32 → float32 eps)', () => {
    const p = reference.parity.log_loss_float32;
    const d = { k: 2, y: Int32Array.from(p.y), pred: new Int32Array(p.y.length), proba: Float64Array.from(p.proba.flat()) };
    close(logLoss({ ...d, eps: 2 ** -23 }, null), p.value, 1e-7);
    // sklearn 1.2 renormalises each row; float32-rounded rows sum to 1 only within ~1e-8.
    close(logLoss(d, null), p.float64_value, 1e-8);
  });

  it('the grouped Mann–Whitney gives p = 1 when everything is tied, as scipy', () => {
    const t = reference.parity.mannwhitney_all_tied;
    expect(mannWhitneyGrouped(t.x, t.y, 'greater').p_value).toBe(t.p_value);
    expect(mannWhitneyGrouped(t.x, t.y).p_value).toBe(1);
  });

  it('the population std keeps its digits at a 1e9 offset', () => {
    const s = reference.parity.std_offset;
    const x = Float64Array.from({ length: s.n }, (_, i) => s.offset + ((i * s.multiplier) % s.modulus) / s.modulus);
    close(populationStd(x), s.exact_std, 1e-11);
  });

  it('the radix argsort orders scores as the comparator sort does, ties by row', () => {
    const random = uniformSource(4);
    const v = Float64Array.from({ length: 5000 }, () => (random() < 0.3 ? Math.round(random() * 4) / 4 : random() < 0.05 ? -Infinity : random() - 0.5));
    const radix = argsortFloat64(v.length, (i) => v[i]!);
    const comparator = Int32Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a]! - v[b]! || a - b);
    expect(Array.from(radix)).toEqual(Array.from(comparator));
  });
});
