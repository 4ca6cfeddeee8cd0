/**
 * scikit-learn classifiers exported the way skl2onnx does by default (ZipMap: output_probability
 * is seq(map(label, float)); output_label int64 or string), validated end to end through the CLI
 * with only the config a user writes, against scikit-learn's own predictions on the same rows.
 * Fixtures and reference values: scripts/models/make_sklearn_zipmap.py.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import ort from 'onnxruntime-node';
import reportSchema from '../schema/report.schema.json' with { type: 'json' };
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/json.ts';
import { openOnnxRunner } from '../src/runners/onnx.ts';
import type { OrtModule } from '../src/runners/onnxruntime-loader.ts';
import { byId, cli } from './support/cli.ts';

const DIR = resolve('test/fixtures/models/sklearn-zipmap');
type Reference = {
  classes: (number | string)[];
  predict: (number | string)[];
  predict_proba: number[][];
} & Record<'accuracy' | 'balanced_accuracy' | 'f1_macro' | 'precision_macro' | 'recall_macro' | 'log_loss' | 'roc_auc', number> & { brier?: number };
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Reference>;
/** float32 arithmetic in onnxruntime against float64 in scikit-learn. */
const FLOAT32 = 2e-6;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-zipmap-'));
});

/** What a user writes: the model, the eval data, the label column (and a baseline, reference data). */
async function validate(model: string, data: string, more: { baseline?: string; reference?: string } = {}): Promise<{ code: number; report: Report }> {
  const out = mkdtempSync(join(work, 'out-'));
  const config = join(out, 'gate.yml');
  const lines = [`model:\n  path: ${join(DIR, model)}`, `data:\n  eval: ${join(DIR, data)}\n  label: target`];
  if (more.reference) lines.push(`  reference: ${join(DIR, more.reference)}`);
  if (more.baseline) lines.push(`baseline: ${join(DIR, more.baseline)}`);
  writeFileSync(config, lines.join('\n') + '\n');
  const r = await cli(['validate', '--json', '--out', out, '--config', config]);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
  return { code: r.code, report };
}
const validateReport = new Ajv({ allowUnionTypes: true }).compile(reportSchema);

function csvRows(file: string): { x: Float32Array; n: number; width: number } {
  const lines = readFileSync(join(DIR, file), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',').slice(0, -1).map(Number));
  return { x: Float32Array.from(rows.flat()), n: rows.length, width: rows[0]!.length };
}

const MODELS = [
  { model: 'iris_int', task: 'multiclass' },
  { model: 'iris_str', task: 'multiclass' },
  { model: 'cancer_int', task: 'binary' },
  { model: 'cancer_str', task: 'binary' },
] as const;

describe('skl2onnx classifiers with ZipMap', () => {
  it.each(MODELS)('$model: the runner reads the ZipMap probabilities and the labels as scikit-learn gives them', async ({ model }) => {
    const ref = EXPECTED[model]!;
    const runner = await openOnnxRunner(ort as unknown as OrtModule, join(DIR, `${model}.onnx`));
    try {
      const probability = runner.signature.outputs.find((o) => o.name === 'output_probability');
      expect(probability).toMatchObject({
        dtype: 'float32',
        shape: [null, ref.classes.length],
        classes: ref.classes,
        source: { op: 'ZipMap', tensor: 'probabilities', type: `seq(map(${typeof ref.classes[0] === 'string' ? 'string' : 'int64'}, tensor(float)))` },
      });
      expect(runner.signature.unreadable).toBeUndefined();
      const { x, n, width } = csvRows(`${model}.csv`);
      const out = await runner.infer({ float_input: { dtype: 'float32', dims: [n, width], data: x } });
      expect(Object.keys(out).sort()).toEqual(['output_label', 'output_probability']);
      const labels = Array.from(out.output_label!.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));
      expect(labels).toEqual(ref.predict);
      const proba = out.output_probability!.data as Float32Array;
      let worst = 0;
      ref.predict_proba.flat().forEach((p, i) => (worst = Math.max(worst, Math.abs(proba[i]! - p))));
      expect(worst).toBeLessThan(FLOAT32);
    } finally {
      await runner.close();
    }
  });

  it.each(MODELS)('$model: validates with only the model, the data and the label column; metrics equal scikit-learn\'s', async ({ model, task }) => {
    const ref = EXPECTED[model]!;
    const { code, report } = await validate(`${model}.onnx`, `${model}.csv`);
    expect(byId(report, 'smoke.load').status).toBe('pass');
    expect(byId(report, 'smoke.batch_32').status).toBe('pass');
    expect(byId(report, 'outputs.probabilities.output_probability').status).toBe('pass');
    expect(byId(report, 'outputs.labels.output_label')).toMatchObject({ status: 'pass', threshold: `in {${ref.classes.join(', ')}}` });
    expect(report.model.signature!.outputs[1]).toMatchObject({ name: 'output_probability', dtype: 'float32', classes: ref.classes, source: { op: 'ZipMap' } });
    const m = report.metrics!;
    expect(m.task).toBe(task);
    expect(m.candidate.classes).toEqual(ref.classes);
    for (const k of ['accuracy', 'balanced_accuracy', 'f1_macro', 'precision_macro', 'recall_macro', 'roc_auc'] as const) {
      expect(Math.abs((m.candidate[k] as number) - ref[k]), k).toBeLessThan(1e-6);
    }
    expect(Math.abs((m.candidate.log_loss as number) - ref.log_loss)).toBeLessThan(FLOAT32);
    if (ref.brier !== undefined) expect(Math.abs((m.candidate.brier as number) - ref.brier)).toBeLessThan(FLOAT32);
    expect(Object.keys(m.candidate.per_class as object)).toEqual(ref.classes.map(String));
    // Binary logistic regression maps +Inf to probability 1: finite values for a non-finite input
    // are handled (errors.*.expect defaults to accepting them), so every healthy model here is GO.
    const failed = report.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((c) => c.id);
    expect(failed).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    if (task === 'binary') expect(report.checks.find((c) => c.id === 'errors.inf_input')?.message).toMatch(/finite/);
  });

  it('weights in an external data file: the rewritten model still finds them beside the original', async () => {
    const { report } = await validate('iris_int_external.onnx', 'iris_int.csv');
    expect(byId(report, 'smoke.load').status).toBe('pass');
    expect(report.metrics!.candidate.accuracy).toBeCloseTo(EXPECTED.iris_int!.accuracy, 12);
    expect(report.decision).toBe('GO');
  });

  it('probabilities that do not sum to 1 fail the probabilities check of the ZipMap output', async () => {
    const { code, report } = await validate('iris_unnormalised.onnx', 'iris_int.csv');
    expect(byId(report, 'outputs.probabilities.output_probability')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^"output_probability": \d+ rows not summing to 1/),
    });
    expect(report.decision).toBe('NO-GO');
    expect(code).toBe(1);
  });

  it('a sequence output not made by a ZipMap is named with the fix; the label output is still judged', async () => {
    const { code, report } = await validate('iris_seq_tensor.onnx', 'iris_int.csv');
    expect(byId(report, 'outputs.readable.output_probability')).toMatchObject({
      status: 'fail',
      severity: 'blocker',
      message: expect.stringContaining('output "output_probability" is seq(tensor(float)), made by a SplitToSequence node; onnxruntime-node returns only tensors'),
    });
    expect(byId(report, 'outputs.readable.output_probability').message).toContain('export the model with "output_probability" as a tensor');
    expect(byId(report, 'smoke.single')).toMatchObject({ status: 'pass', message: '1 row -> output_label int64[1]' });
    expect(report.model.signature!.unreadable).toEqual([{ name: 'output_probability', type: 'seq(tensor(float))', problem: expect.any(String) }]);
    expect(report.metrics!.candidate.accuracy).toBeCloseTo(EXPECTED.iris_int!.accuracy, 12);
    expect(report.decision).toBe('NO-GO');
    expect(code).toBe(1);
  });
});

describe('string class labels against a string-label baseline', () => {
  it('compares metrics, agreement and prediction drift by label', async () => {
    const cand = EXPECTED.cancer_str!;
    const base = EXPECTED.cancer_str_baseline!;
    const { report } = await validate('cancer_str.onnx', 'cancer_str.csv', { baseline: 'cancer_str_baseline.onnx', reference: 'cancer_str.csv' });
    expect(report.metrics!.candidate.accuracy).toBeCloseTo(cand.accuracy, 12);
    expect(report.metrics!.baseline!.accuracy).toBeCloseTo(base.accuracy, 12);
    expect(report.metrics!.baseline!.classes).toEqual(['benign', 'malignant']);
    expect(report.comparison!.metrics.accuracy!.delta).toBeCloseTo(cand.accuracy - base.accuracy, 12);
    expect(byId(report, 'comparison.accuracy')).toMatchObject({ status: 'pass', message: expect.stringContaining('improvement') });
    // McNemar's discordant pairs and the flips, from scikit-learn's predictions.
    const right = (pred: (number | string)[]) => pred.map((p, i) => p === labels[i]);
    const labels = readFileSync(join(DIR, 'cancer_str.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.slice(l.lastIndexOf(',') + 1));
    const [c, b] = [right(cand.predict), right(base.predict)];
    expect(report.comparison!.mcnemar).toMatchObject({ candidate_only: c.filter((r, i) => r && !b[i]).length, baseline_only: b.filter((r, i) => r && !c[i]).length });
    const flips = cand.predict.filter((p, i) => p !== base.predict[i]).length;
    expect(byId(report, 'comparison.agreement').value).toMatchObject({ flip_share: flips / cand.predict.length });
    // Prediction drift reads the predicted classes as text categories.
    expect(byId(report, 'drift.prediction.prediction').status).toBe('pass');
    const vsBaseline = report.drift!.predictions!.baseline_vs_candidate.find((f) => f.name === 'prediction')!;
    const count = (pred: (number | string)[], v: string) => pred.filter((p) => p === v).length;
    expect(vsBaseline).toMatchObject({
      kind: 'categorical',
      categories: ['benign', 'malignant'].map((value) => ({ value, reference: count(base.predict, value), current: count(cand.predict, value) })),
    });
  });
});
