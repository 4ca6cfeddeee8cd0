/**
 * Acceptance: right verdicts on the models teams ship. Trained PyTorch exports (an image CNN with a
 * dynamic batch, a token-id text model, a regression MLP), each against an equally good retrain,
 * must get GO; broken variants (NaN on some images, a much weaker model, shuffled classes, a slow
 * one) must be stopped for their own reason. Models come from scripts/models/make_acceptance_models.py
 * and make_python_models.py, run at test time with Debian's python3 (torch, sklearn).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';

let dir: string;
let py: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-accept-'));
  py = join(dir, 'py');
  execFileSync('/usr/bin/python3', [resolve('scripts/models/make_acceptance_models.py'), dir], { stdio: 'ignore' });
  execFileSync('/usr/bin/python3', [resolve('scripts/models/make_python_models.py'), py, 'sklearn', 'torch'], { stdio: 'ignore' });
}, 300_000);

/** The config `model-gate init --model X --data D --label L` writes, uncommented. */
async function validate(model: string, output: string, kind: string, data: string, label: string, extra: string[], more: Record<string, unknown> = {}): Promise<{ code: number; report: Report }> {
  const config = join(dir, `${model}.yml`);
  writeFileSync(config, stringify({ version: 1, model: { path: join(dir, `${model}.onnx`), outputs: { [output]: { kind } } }, data: { eval: join(dir, data), label }, ...more }));
  const r = await cli(['validate', '--json', '--config', config, '--out', join(dir, `r-${model}-${extra.join('-').replace(/\W/g, '')}`), ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

/** Checks that failed or could not run (a `warn` is a passing check with a note). */
const notPassed = (r: Report) => r.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip' && c.status !== 'warn').map((c) => c.id);
const cnn = (model: string, baseline: string) => validate(model, 'probs', 'probabilities', 'cnn.csv', 'label', ['--baseline', join(dir, `${baseline}.onnx`)]);

describe('healthy models against an equally good retrain: GO', () => {
  it('image CNN, dynamic batch', async () => {
    const { code, report } = await cnn('cnn_a', 'cnn_b');
    expect(notPassed(report)).toEqual([]);
    expect([report.decision, code]).toEqual(['GO', 0]);
  }, 120_000);

  it('text model on int64 token ids (NaN/Inf scenarios skipped: int64 cannot hold them)', async () => {
    const { code, report } = await validate('text_a', 'probs', 'probabilities', 'text.csv', 'label', ['--baseline', join(dir, 'text_b.onnx')]);
    expect(byId(report, 'errors.nan_input').status).toBe('skip');
    expect(notPassed(report)).toEqual([]);
    // 300 rows cannot show non-inferiority at a 1-point margin: a note, not a DELAY.
    expect(byId(report, 'comparison.accuracy')).toMatchObject({ status: 'warn', message: expect.stringContaining('the eval set is too small to show non-inferiority') });
    expect([report.decision, code]).toEqual(['GO', 0]);
  }, 120_000);

  it('regression MLP', async () => {
    const { code, report } = await validate('mlp_a', 'y', 'scores', 'reg.csv', 'y', ['--baseline', join(dir, 'mlp_b.onnx')]);
    expect(notPassed(report)).toEqual([]);
    expect(byId(report, 'comparison.rmse')).toMatchObject({ status: 'warn', message: expect.stringContaining('too small to show non-inferiority') });
    expect([report.decision, code]).toEqual(['GO', 0]);
  }, 120_000);
});

describe('broken candidates: stopped for their own reason', () => {
  it('NaN on some images: outputs.finite blocks', async () => {
    const { report } = await cnn('cnn_nan', 'cnn_b');
    expect(byId(report, 'outputs.finite').status).toBe('fail');
    expect(report.decision).toBe('NO-GO');
  }, 120_000);

  it('a baseline much better than the candidate: comparison.accuracy blocks', async () => {
    const { report } = await cnn('cnn_weak', 'cnn_a');
    expect(notPassed(report)).toEqual(['comparison.accuracy']);
    expect(report.decision).toBe('NO-GO');
  }, 120_000);

  it('shuffled classes: comparison.accuracy blocks', async () => {
    const { report } = await cnn('cnn_shuffled', 'cnn_b');
    expect(notPassed(report)).toEqual(['comparison.accuracy']);
    expect(report.decision).toBe('NO-GO');
  }, 120_000);

  it('a slow candidate: the latency ratio stops it, nothing else', async () => {
    // The CNNs answer in well under a millisecond, so ×10 is less than the default material
    // slowdown (comparison.latency.min_slowdown_ms, 1 ms): this team judges the ratio alone.
    const { report } = await validate('cnn_slow', 'probs', 'probabilities', 'cnn.csv', 'label', ['--baseline', join(dir, 'cnn_a.onnx')], { comparison: { latency: { min_slowdown_ms: 0 } } });
    expect(notPassed(report)).toEqual(['comparison.latency.p95_ratio']);
    expect(report.decision).not.toBe('GO');
  }, 180_000);
});

describe('a pickle with text classes against an ONNX file with index classes', () => {
  it('agreement says the classes do not match instead of "100% of rows change class"', async () => {
    const adapter = `/usr/bin/python3 ${resolve('examples/serving/python_adapter.py')} ${join(py, 'candidate.pkl')}`;
    const r = await cli(['validate', '--json', '--out', join(dir, 'r-pkl'), '--command', adapter, '--baseline', join(py, 'mlp.onnx'), '--data', join(py, 'eval_named.csv'), '--label', 'species']);
    const report = JSON.parse(r.stdout) as Report;
    const agreement = byId(report, 'comparison.agreement');
    expect(agreement.message).not.toContain('change class');
    expect(agreement.message).toContain("the candidate's (setosa, versicolor, virginica) and the baseline's (0, 1, 2) have no value in common; name the baseline's classes with metrics.classes");
    // The metric comparison cannot run without the baseline's class names: it fails closed.
    expect(byId(report, 'comparison.metrics').message).toContain('set metrics.classes');
    expect(report.decision).toBe('NO-GO');
  }, 180_000);
});

describe('a model against itself, its softmax output declared `scores` (as init writes for an unnamed output)', () => {
  it('is GO: the per-class scores (already probabilities) are read as predictions on both sides and agree on every row', async () => {
    const config = join(dir, 'scores.yml');
    writeFileSync(config, stringify({ version: 1, model: { path: join(dir, 'cnn_a.onnx'), outputs: { probs: { kind: 'scores' } } } }));
    const r = await cli(['validate', '--json', '--config', config, '--out', join(dir, 'r-scores'), '--baseline', join(dir, 'cnn_a.onnx')]);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.checks.find((c) => c.id === 'comparison.outputs')).toBeUndefined();
    expect(byId(report, 'comparison.agreement').message).toContain('0% of rows change class');
    expect(notPassed(report)).toEqual([]);
    expect([report.decision, r.code]).toEqual(['GO', 0]);
  }, 120_000);
});
