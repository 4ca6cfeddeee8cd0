/**
 * Verdicts on model kinds the other fixtures do not cover, with the config a user writes: a
 * GRU sequence classifier ([batch, steps, 4], steps dynamic), a
 * multi-label classifier (independent sigmoids named "probs"), a multi-target regressor, a binary
 * classifier with one sigmoid column exported at opset 17 (healthy, and NaN on some rows). Models
 * and reference values come from scripts/models/make_qa_models.py (test/fixtures/models/qa/).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';
import { failing, validateConfig } from './support/validate-config.ts';

const QA = resolve('test/fixtures/models/qa');
const EXPECTED = JSON.parse(readFileSync(join(QA, 'expected.json'), 'utf8')) as {
  bin_a: { accuracy: number; roc_auc: number };
  bin_nan: { nan_rows: number; nan_data_rows: number[] };
  gru_a: { accuracy: number };
  reg2_split: { mae_y0: number; mae_y1: number };
};
const at = (name: string) => join(QA, name);


let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-qa-'));
});

const validate = validateConfig;

const X6 = { x: { columns: ['x0', 'x1', 'x2', 'x3', 'x4', 'x5'] } };

describe('a GRU sequence classifier, steps dynamic, fed 40 columns', () => {
  const gru = (model: string, extra: Record<string, unknown> = {}) =>
    validate({ model: { path: at(model) }, baseline: at('gru_b.onnx'), data: { eval: at('gru.csv'), label: 'label' }, ...extra });
  let accepted: Record<string, unknown>;

  it('healthy: DELAY only because an empty batch aborts onnxruntime, with the config that accepts it knowingly', async () => {
    const { code, report } = await gru('gru_a.onnx');
    expect(failing(report)).toEqual(['errors.empty_batch']);
    expect(report.decision).toBe('DELAY');
    expect(code).toBe(3);
    const empty = byId(report, 'errors.empty_batch') as { message: string; hint?: string };
    expect(empty.message).toMatch(/a crash, not a refusal/);
    expect(empty.hint).toContain('empty_batch: { severity: info }');
    expect((report as unknown as { metrics: { candidate: { accuracy: number } } }).metrics.candidate.accuracy).toBeCloseTo(EXPECTED.gru_a.accuracy, 6);
    accepted = parse(empty.hint!.split('\n').slice(1).join('\n')) as Record<string, unknown>;
  });

  it('healthy, the crash accepted as the hint says: GO', async () => {
    const { code, report } = await gru('gru_a.onnx', accepted);
    expect(failing(report)).toEqual(['errors.empty_batch']); // still reported, no longer gating
    expect(byId(report, 'errors.empty_batch').severity).toBe('info');
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('classes permuted: NO-GO on the comparison with the baseline', async () => {
    const { report } = await gru('gru_shuffled.onnx', accepted);
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'comparison.accuracy').status).toBe('fail');
  });
});

describe('a multi-label classifier (independent sigmoids named "probs")', () => {
  it('is GO against its baseline: each value in [0, 1], rows not held to sum to 1', async () => {
    const { code, report } = await validate({ model: { path: at('ml_a.onnx') }, baseline: at('ml_b.onnx') });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    const probs = byId(report, 'outputs.probabilities.probs');
    expect(probs.status).toBe('pass');
    expect(probs.message).toContain('made by a Sigmoid');
  });

  it('the config `init` writes keeps it GO: a value in [0, 1] per column, not one distribution', async () => {
    const file = join(mkdtempSync(join(work, 'init-')), 'gate.yml');
    const r = await cli(['init', '--model', at('ml_a.onnx'), '--out', file]);
    expect(r.code).toBe(0);
    const written = parse(readFileSync(file, 'utf8')) as { model: Record<string, unknown> };
    expect(written.model.outputs).toEqual({ probs: { kind: 'scores', range: [0, 1] } });
    const { code, report } = await validate({ model: written.model, baseline: at('ml_b.onnx') });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    expect(byId(report, 'outputs.range.probs').status).toBe('pass');
  });

  it('prediction drift is measured per tag: stable on the same rows, drifted on the tag whose feature moved', async () => {
    const model = { path: at('ml_a.onnx'), inputs: X6 };
    const same = await validate({ model, baseline: at('ml_b.onnx'), data: { eval: at('ml.csv'), reference: at('ml.csv') } });
    expect(failing(same.report)).toEqual([]);
    expect(same.report.decision).toBe('GO');
    expect([0, 1, 2, 3].map((k) => byId(same.report, `drift.prediction.probs_${k}`).status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    // Tag 0 is read off x0: the reference with x0 moved by +1 drifts x0 and tag 0's probability, not tag 3's.
    const [head, ...rows] = readFileSync(at('ml.csv'), 'utf8').trim().split('\n');
    const shifted = join(mkdtempSync(join(work, 'ref-')), 'ml_shifted.csv');
    writeFileSync(shifted, [head, ...rows.map((r) => r.replace(/^[^,]*/, (x) => String(Number(x) + 1)))].join('\n') + '\n');
    const moved = await validate({ model, data: { eval: at('ml.csv'), reference: shifted } });
    expect(byId(moved.report, 'drift.prediction.probs_0').status).toBe('fail');
    expect(byId(moved.report, 'drift.prediction.probs_3').status).toBe('pass');
  });

  it('with one tag as the label: metrics refuse to argmax the tags, saying why and what to do', async () => {
    const { report } = await validate({ model: { path: at('ml_a.onnx'), inputs: X6 }, data: { eval: at('ml.csv'), label: 'tag0' } });
    expect(byId(report, 'outputs.probabilities.probs').status).toBe('pass');
    expect(failing(report)).toEqual(['metrics.task']);
    expect(byId(report, 'metrics.task').message).toMatch(/"probs" holds 4 independent probabilities per row .*Sigmoid.*leave data.label out/);
  });

  it('a sigmoid output configured as one distribution is still held to sum to 1', async () => {
    const { report } = await validate({ model: { path: at('ml_a.onnx'), outputs: { probs: { kind: 'probabilities' } } } });
    expect(byId(report, 'outputs.probabilities.probs').status).toBe('fail');
  });
});

describe('a multi-target regressor (y [batch, 2]) with one target as the label', () => {
  it('says the label is continuous and how to export the targets, not that the model has classes 0, 1', async () => {
    const { report } = await validate({ model: { path: at('reg2_a.onnx'), inputs: X6 }, baseline: at('reg2_b.onnx'), data: { eval: at('reg2.csv'), label: 'y0' } });
    expect(report.decision).toBe('NO-GO');
    const labels = byId(report, 'metrics.labels');
    expect(labels.message).toMatch(/label column "y0" holds continuous values .* output "y" has 2 values per row.*its own output \[batch, 1\]/);
    expect(labels.message).not.toContain("the model's classes are");
    // There is labelled data: the comparison must not say there is none.
    expect(byId(report, 'comparison.metrics').message).not.toContain('no labelled evaluation data');
  });
});

describe('a multi-target regressor exported as the doc says, one output per target', () => {
  const model = { path: at('reg2_split.onnx'), inputs: X6 };
  const mae = (report: Report) => (report as unknown as { metrics: { candidate: { mae: number } } }).metrics.candidate.mae;

  it('scores the output named like the label (y1), not the first one', async () => {
    const { report } = await validate({ model, data: { eval: at('reg2.csv'), label: 'y1' } });
    expect(report.decision).toBe('GO');
    expect(mae(report)).toBeCloseTo(EXPECTED.reg2_split.mae_y1, 5);
    expect(byId(report, 'metrics.computed').message).not.toContain('predictions read from output');
  });

  it('with metrics.output naming it: that output, however the label is called', async () => {
    const { report } = await validate({ model, data: { eval: at('reg2.csv'), label: 'y0' }, metrics: { output: 'y0' } });
    expect(mae(report)).toBeCloseTo(EXPECTED.reg2_split.mae_y0, 5);
  });

  it('a label named like no output: the first output, and the report says so', async () => {
    const data = join(mkdtempSync(join(work, 'data-')), 'reg2.csv');
    writeFileSync(data, readFileSync(at('reg2.csv'), 'utf8').replace(/^(.*),y0,y1$/m, '$1,target,y1'));
    const { report } = await validate({ model, data: { eval: data, label: 'target' } });
    expect(mae(report)).toBeCloseTo(EXPECTED.reg2_split.mae_y0, 5);
    expect(byId(report, 'metrics.computed').message).toContain('predictions read from output "y0", the first of "y0", "y1" (none is named like the label "target"): set metrics.output');
  });
});

describe('a binary classifier with one sigmoid column, opset 17, dynamic axes named', () => {
  it('broken (NaN on some rows) is NO-GO, naming the rows as the data file numbers them, a skipped bad row counted', async () => {
    // Row 5 (no NaN answer) gets an empty cell: a bad row left out, which must not shift later rows' numbers.
    const lines = readFileSync(at('bin.csv'), 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/^[^,]*/, '');
    const data = join(mkdtempSync(join(work, 'data-')), 'bin.csv');
    writeFileSync(data, lines.join('\n'));
    const { code, report } = await validate({ model: { path: at('bin_nan.onnx') }, baseline: at('bin_b.onnx'), data: { eval: data, label: 'label' } });
    expect(report.decision).toBe('NO-GO');
    expect(code).toBe(1);
    expect(byId(report, 'data.bad_rows')).toMatchObject({ status: 'pass', value: 1, message: expect.stringContaining('row 5:') });
    const rows = EXPECTED.bin_nan.nan_data_rows;
    expect(rows).not.toContain(5);
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', message: `"prob": ${EXPECTED.bin_nan.nan_rows} NaN/Inf values (first in row ${rows[0]})` });
    // NaN is said as NaN, not as a probability "outside [0, 1]".
    expect(byId(report, 'outputs.probabilities.prob')).toMatchObject({ status: 'fail', message: `"prob": ${EXPECTED.bin_nan.nan_rows} NaN/Inf values (first in row ${rows[0]})` });
    expect(byId(report, 'metrics.computed').message).toBe(`output "prob" is NaN on ${EXPECTED.bin_nan.nan_rows} rows (rows ${rows.slice(0, 5).join(', ')}, …): metrics need finite predictions`);
  });

  it('is GO against its baseline, with the metrics scikit-learn computes', async () => {
    const { code, report } = await validate({ model: { path: at('bin_a.onnx') }, baseline: at('bin_b.onnx'), data: { eval: at('bin.csv'), label: 'label' } });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    const metrics = (report as unknown as { metrics: { candidate: Record<string, number> } }).metrics.candidate;
    expect(metrics.accuracy).toBeCloseTo(EXPECTED.bin_a.accuracy, 6);
    expect(metrics.roc_auc).toBeCloseTo(EXPECTED.bin_a.roc_auc, 4);
  });
});
