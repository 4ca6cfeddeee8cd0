/**
 * `model-gate drift` end to end on CSV files written here: the JSON a user scripts against, the
 * deciding method by sample size, the gates (PSI blocker → NO-GO, dataset drift → DELAY), per-
 * feature overrides, and bad input reported per feature while the others are still judged.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import reference from './fixtures/reference/drift.json' with { type: 'json' };
import type { DriftReport } from '../src/drift/run.ts';
import type { FeatureDrift } from '../src/drift/judge.ts';
import { byId, cli } from './support/cli.ts';
import { categoricalSample, numericSample, type NumericSpec } from './support/samples.ts';

const work = mkdtempSync(join(tmpdir(), 'model-gate-drift-'));

function csv(name: string, columns: Record<string, ArrayLike<number | string>>): string {
  const names = Object.keys(columns);
  const n = Math.max(...names.map((k) => columns[k]!.length));
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => String(columns[k]![i] ?? '')).join(','));
  const path = join(work, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function drift(args: string[]): Promise<{ code: number; report: DriftReport; stderr: string }> {
  const r = await cli(['drift', '--json', ...args]);
  expect(r.stdout, r.stderr).not.toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as DriftReport, stderr: r.stderr };
}

const feature = (report: DriftReport, name: string): FeatureDrift => {
  const f = report.features.find((x) => x.name === name);
  if (!f) throw new Error(`no feature ${name} in ${report.features.map((x) => x.name).join(', ')}`);
  return f;
};

const spec = (seed: number, n: number, loc = 0, scale = 1): NumericSpec => ({ seed, n, loc, scale });

describe('model-gate drift', () => {
  it('reports every measure per feature, equal to scipy on the same data', async () => {
    const c = reference.numeric.find((x) => x.name === 'heavy ties')!;
    const cat = reference.categorical.find((x) => x.name === 'three colours')!;
    // Columns of unequal length: the shorter one has empty (missing) cells at the end.
    const refPath = csv('small-ref.csv', { x: numericSample(c.reference), colour: categoricalSample(cat.reference) });
    const curPath = csv('small-cur.csv', { x: numericSample(c.current), colour: categoricalSample(cat.current) });
    const { code, report } = await drift(['--reference', refPath, '--current', curPath]);
    const x = feature(report, 'x');
    // 300 reference rows: a test decides; 7 distinct values (> 5): KS.
    expect(x).toMatchObject({ kind: 'numeric', method: 'ks', threshold: 0.05, n_reference: 300, n_current: 400, missing: { reference: 300, current: 100 }, drifted: false });
    expect(x.ks_statistic).toBeCloseTo(c.ks_statistic, 12);
    expect(Math.abs(x.ks_p_value! - c.ks_p_value)).toBeLessThan(1e-6 * c.ks_p_value);
    expect(x.value).toBe(x.ks_p_value);
    expect(x.wasserstein).toBeCloseTo(c.wasserstein, 12);
    expect(x.wasserstein_normed).toBeCloseTo(c.wasserstein_normed, 12);
    expect(x.psi).toBeCloseTo(c.psi, 12);
    expect(x.jensen_shannon).toBeCloseTo(c.jensen_shannon, 12);
    // Not beyond noise by KS: PSI is reported and does not gate.
    expect(x).toMatchObject({ psi_level: 'ok', effective_rows: 171.429, noise_test: 'ks', p_value: x.ks_p_value });
    // Two items in the family (x, colour): Holm multiplies the smaller p by 2, the larger by at most 1.
    const colourP = feature(report, 'colour').p_value!;
    expect(feature(report, 'colour').p_adjusted).toBeCloseTo(Math.min(1, 2 * colourP), 6);
    expect(x.p_adjusted).toBeGreaterThanOrEqual(x.p_value!);
    // The colour samples drift (p = 6.7e-5): drifted, judged by chi-squared below 1,000 rows.
    const colour = feature(report, 'colour');
    expect(colour).toMatchObject({ kind: 'categorical', method: 'chi2', chi2_dof: 2, drifted: true, status: 'drifted' });
    expect(Math.abs(colour.chi2_p_value! - cat.chi2_p_value) / cat.chi2_p_value).toBeLessThan(1e-6);
    expect(colour.categories!.map((k) => k.value)).toEqual(['blue', 'green', 'red']);
    expect(report).toMatchObject({ judged_features: 2, drifted_features: 1, drifted_share: 0.5, dataset_drift: true });
    // Dataset drift is a warning: DELAY, exit 3.
    expect(report.decision).toBe('DELAY');
    expect(code).toBe(3);
    expect(byId(report, 'drift.dataset')).toMatchObject({ status: 'fail', severity: 'warning' });
    expect(byId(report, 'drift.feature.colour')).toMatchObject({ status: 'warn', severity: 'info' });
  });

  it('exits 3 on dataset drift, 1 when PSI passes its blocker level, 0 when stable', async () => {
    const n = 5000;
    const refPath = csv('big-ref.csv', { a: numericSample(spec(1, n)), b: numericSample(spec(2, n)), c: numericSample(spec(3, n)) });
    const same = csv('big-same.csv', { a: numericSample(spec(4, n)), b: numericSample(spec(5, n)), c: numericSample(spec(6, n)) });
    const shifted = csv('big-shift.csv', { a: numericSample(spec(7, n, 0.5)), b: numericSample(spec(8, n)), c: numericSample(spec(9, n)) });
    const stable = await drift(['--reference', refPath, '--current', same]);
    expect(stable.code).toBe(0);
    // Above 1,000 reference rows the normed Wasserstein distance decides, not a p-value.
    expect(stable.report.features.map((f) => [f.method, f.drifted, f.psi_level])).toEqual([
      ['wasserstein', false, 'ok'],
      ['wasserstein', false, 'ok'],
      ['wasserstein', false, 'ok'],
    ]);
    const moved = await drift(['--reference', refPath, '--current', shifted]);
    // A 0.5 shift of a 0.577-sd feature: PSI far above 0.25 → NO-GO.
    expect(moved.code).toBe(1);
    const a = feature(moved.report, 'a');
    expect(a).toMatchObject({ drifted: true, psi_level: 'blocker' });
    expect(a.wasserstein_normed).toBeGreaterThan(0.4);
    expect(byId(moved.report, 'drift.feature.a')).toMatchObject({ status: 'fail', severity: 'blocker', message: expect.stringMatching(/^a: PSI [\d.]+ ≥ 0\.25/) });
    expect(moved.report.reason).toMatch(/drift\.feature\.a/);
    // One of three drifted: below the 0.5 share, so no dataset drift.
    expect(moved.report).toMatchObject({ drifted_features: 1, dataset_drift: false });

    const columnsOnly = await drift(['--reference', refPath, '--current', shifted, '--columns', 'b,c']);
    expect(columnsOnly.code).toBe(0);
    expect(columnsOnly.report.features.map((f) => f.name)).toEqual(['b', 'c']);
  });

  it('takes per-feature methods, thresholds and kinds from the config', async () => {
    const n = 2000;
    const refPath = csv('cfg-ref.csv', { a: numericSample(spec(11, n)), code: Array.from({ length: n }, (_, i) => (i * 7) % 9) });
    const curPath = csv('cfg-cur.csv', { a: numericSample(spec(12, n, 0.05)), code: Array.from({ length: n }, (_, i) => (i * 5) % 9) });
    const config = join(work, 'drift.yml');
    writeFileSync(config, 'drift:\n  features:\n    a: { method: ks, threshold: 0.01 }\n    code: { kind: categorical }\n  psi: { blocker: 0.5 }\n');
    const { report } = await drift(['--reference', refPath, '--current', curPath, '--config', config]);
    expect(feature(report, 'a')).toMatchObject({ method: 'ks', threshold: 0.01, ks_method: 'exact' });
    const code = feature(report, 'code');
    // Codes compared as categories: chi-squared (2,000 a side is an effective size of 1,000), no KS.
    expect(code).toMatchObject({ kind: 'categorical', method: 'chi2', chi2_dof: 8, effective_rows: 1000 });
    expect(code.ks_statistic).toBeUndefined();
    expect(report.rules.psi.blocker).toBe(0.5);
  });

  it('reports bad input per feature and still judges the rest', async () => {
    const n = 100;
    const ok = numericSample(spec(21, n));
    const refPath = csv('bad-ref.csv', {
      good: ok,
      only_ref: ok,
      mixed: ok,
      nan_all: ok,
      constant: Array.from({ length: n }, () => 4),
      tiny: Array.from({ length: n }, (_, i) => (i < 20 ? i : '')),
      holes: Array.from(ok, (v, i) => (i % 10 === 0 ? '' : v)),
    });
    const curPath = csv('bad-cur.csv', {
      good: numericSample(spec(22, n)),
      mixed: Array.from({ length: n }, (_, i) => `w${i % 3}`),
      nan_all: Array.from({ length: n }, () => 'NaN'),
      constant: Array.from({ length: n }, () => 4),
      tiny: Array.from({ length: n }, (_, i) => (i < 20 ? i : '')),
      holes: numericSample(spec(23, n)),
      only_cur: ok,
    });
    const { code, report } = await drift(['--reference', refPath, '--current', curPath]);
    // Columns that could not be compared leave drift unknown: not GO (issue #18), though each
    // feature item is info by default and the dataset share is still judged.
    expect(code).toBe(3);
    expect(byId(report, 'drift.coverage')).toMatchObject({ status: 'error', severity: 'warning', value: 4, message: expect.stringMatching(/^4 of 7 columns could not be compared \(only_ref, mixed, nan_all, tiny\)/) });
    expect(feature(report, 'good')).toMatchObject({ status: 'stable', method: 'ks' });
    expect(feature(report, 'only_ref')).toMatchObject({ status: 'error', message: `column "only_ref" is not in ${curPath}` });
    expect(feature(report, 'mixed')).toMatchObject({ status: 'error', message: expect.stringMatching(/"mixed" holds numbers in the reference data but text in the current data; .*kind: categorical/) });
    expect(feature(report, 'nan_all')).toMatchObject({ status: 'error', message: 'every value of "nan_all" in the current data is missing (100 rows)' });
    // Constant on both sides: one value, nothing moved.
    expect(feature(report, 'constant')).toMatchObject({ status: 'stable', distinct: 1, method: 'chi2', chi2_dof: 0, value: 1 });
    expect(feature(report, 'tiny')).toMatchObject({ status: 'inconclusive', drifted: null, n_reference: 20, missing: { reference: 80, current: 80 } });
    expect(feature(report, 'holes')).toMatchObject({ n_reference: 90, n_current: 100, missing: { reference: 10, current: 0 } });
    expect(byId(report, 'drift.feature.tiny')).toMatchObject({ status: 'skip', message: expect.stringMatching(/inconclusive: 20 vs 20 values, fewer than 30/) });
    expect(byId(report, 'drift.feature.mixed')).toMatchObject({ status: 'error' });
    expect(report.judged_features).toBe(3);

    const empty = csv('empty.csv', { good: [] });
    const none = await drift(['--reference', refPath, '--current', empty, '--columns', 'good']);
    expect(feature(none.report, 'good')).toMatchObject({ status: 'error', message: 'the current data has no rows' });
    // Nothing could be judged: dataset drift is an error, not a pass.
    expect(byId(none.report, 'drift.dataset')).toMatchObject({ status: 'error', severity: 'warning' });
    expect(none.code).toBe(3);
  });

  it('prints a table, and usage errors exit 2', async () => {
    const c = reference.numeric.find((x) => x.name === 'no shift')!;
    const refPath = csv('t-ref.csv', { x: numericSample(c.reference) });
    const curPath = csv('t-cur.csv', { x: numericSample(c.current) });
    const r = await cli(['drift', '--reference', refPath, '--current', curPath]);
    expect(r.stdout).toMatch(/FEATURE +KIND +DECIDED BY/);
    expect(r.stdout).toMatch(/^x +numeric +KS p +0\.0475 +0\.05 .* 1,000 \/ 800 +0\/0 +DRIFTED$/m);
    expect(r.stdout).toMatch(/1 of 1 features drifted \(100%\): x — dataset drift/);
    expect(r.code).toBe(3);
    const missing = await cli(['drift', '--reference', refPath]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('needs --reference FILE and --current FILE') });
    const absent = await cli(['drift', '--reference', refPath, '--current', join(work, 'nope.csv')]);
    expect(absent).toMatchObject({ code: 2, stderr: expect.stringMatching(/nope.csv: file not found/) });
  });
});

describe('drift inside validate', () => {
  const EXAMPLE = 'examples/iris';
  it('compares features, labels and the candidate predictions with the reference, and fails closed', async () => {
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(`${EXAMPLE}/eval.csv`, 'utf8').trim().split('\n');
    // Every flower's petals grow by 2 cm: the features move, and so do the predictions.
    const shifted = [lines[0], ...lines.slice(1).map((l) => l.split(',').map((v, j) => (j === 2 ? String(Number(v) + 2) : v)).join(','))].join('\n');
    const current = join(work, 'iris-current.csv');
    writeFileSync(current, `${shifted}\n`);
    const config = join(work, 'iris-drift.yml');
    writeFileSync(config, `checks:\n  latency: { warmup: 2, iterations: 20 }\ndrift:\n  current: ${current}\n  severity: warning\n`);
    const out = mkdtempSync(join(work, 'out-'));
    const r = await cli(['validate', '--json', '--out', out, '--model', `${EXAMPLE}/model.onnx`, '--data', `${EXAMPLE}/eval.csv`, '--label', 'species', '--reference', `${EXAMPLE}/reference.csv`, '--config', config]);
    const report = JSON.parse(r.stdout);
    expect(report.drift.current.path).toBe(current);
    expect(report.drift.features.map((f: FeatureDrift) => [f.name, f.drifted])).toEqual([
      ['sepal_length', false],
      ['sepal_width', false],
      ['petal_length', true],
      ['petal_width', false],
    ]);
    // A 2 cm shift is far beyond noise at 150 rows: PSI gates on small windows too.
    expect(byId(report, 'drift.feature.petal_length')).toMatchObject({ status: 'fail', severity: 'blocker', message: expect.stringMatching(/^petal_length: PSI [\d.]+ ≥ 0\.25, which blocks/) });
    // The label column is the class on both sides; it did not move.
    expect(report.drift.label).toMatchObject({ name: 'species', method: 'chi2', drifted: false });
    const predicted = report.drift.predictions.reference_vs_current as FeatureDrift[];
    expect(predicted.map((f) => f.name)).toEqual(['prediction', 'score']);
    expect(predicted[0]).toMatchObject({ kind: 'categorical', method: 'chi2', drifted: true });
    expect(byId(report, 'drift.prediction.prediction')).toMatchObject({ status: 'fail' });
    expect(report.decision).toBe('NO-GO');

    // Reference data without the model's input columns: prediction drift errors, it is not skipped.
    const partial = csv('iris-partial.csv', { sepal_length: [5.1, 4.9], species: [0, 0] });
    const r2 = await cli(['validate', '--json', '--out', out, '--model', `${EXAMPLE}/model.onnx`, '--data', `${EXAMPLE}/eval.csv`, '--label', 'species', '--reference', partial, '--config', config]);
    const report2 = JSON.parse(r2.stdout);
    expect(byId(report2, 'drift.prediction')).toMatchObject({
      status: 'error',
      severity: 'warning',
      message: expect.stringMatching(/iris-partial.csv lacks the model's numeric input columns "sepal_width", "petal_length", "petal_width"/),
    });
    expect(byId(report2, 'drift.feature.sepal_length')).toMatchObject({ status: 'skip', message: expect.stringContaining('inconclusive') });
  });
});
