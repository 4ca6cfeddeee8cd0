/**
 * Verdicts on PyTorch exports the other fixtures do not cover, with the config a user writes: a
 * BERT-like text classifier (input_ids, attention_mask, token_type_ids; sequence dynamic), a keyword
 * spotter on raw audio (samples dynamic), a spectrogram classifier (frames dynamic), a binary
 * classifier with one logit column (BCEWithLogitsLoss, named "logits" and "output"), a classifier
 * exporting its argmax label, an L2-normalised embedding, a detection-like head (boxes, scores)
 * and an image classifier with dynamic height and width; each healthy and broken. Models and
 * reference values come from scripts/models/make_qa2_models.py (test/fixtures/models/qa2/).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';
import { failing, validateConfig } from './support/validate-config.ts';

const QA = resolve('test/fixtures/models/qa2');
type Scores = { accuracy: number; roc_auc?: number; log_loss?: number };
type NanRows = { nan_rows: number; nan_data_rows: number[] };
const EXPECTED = JSON.parse(readFileSync(join(QA, 'expected.json'), 'utf8')) as Record<string, Scores> & Record<'kws_nan' | 'embed_nan' | 'detect_nan', NanRows>;
const at = (name: string) => join(QA, name);


let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-qa2-'));
});

const validate = validateConfig;

const candidate = (report: Report) => (report as unknown as { metrics: { candidate: Record<string, number> } }).metrics.candidate;
const classifier = (stem: string, data: string, baseline = `${stem}_b.onnx`) => (model: string, extra: Record<string, unknown> = {}) =>
  validate({ model: { path: at(model) }, baseline: at(baseline), data: { eval: at(data), label: 'label' }, ...extra });

describe('a BERT-like text classifier: input_ids, attention_mask, token_type_ids [batch, sequence]', () => {
  const bert = classifier('bert', 'bert.jsonl');

  it('healthy, rows padded to one length in JSON Lines: GO, with the metrics PyTorch computed', async () => {
    const { code, report } = await bert('bert_a.onnx');
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    expect(byId(report, 'inputs.mapping').message).toContain('"attention_mask" int64[N, 16] <- arrays in column attention_mask');
    expect(candidate(report).accuracy).toBeCloseTo(EXPECTED.bert_a!.accuracy, 6);
    expect(candidate(report).roc_auc).toBeCloseTo(EXPECTED.bert_a!.roc_auc!, 4);
  });

  it('the two logits swapped: NO-GO on the comparison with the baseline', async () => {
    const { report } = await bert('bert_shuffled.onnx');
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'comparison.accuracy').status).toBe('fail');
  });

  it('rows of different lengths (unpadded token ids, an attention mask of the same lengths): padded as a tokenizer pads, GO with the metrics of each row run alone', async () => {
    const { code, report } = await validate({ model: { path: at('bert_a.onnx') }, baseline: at('bert_b.onnx'), data: { eval: at('bert_ragged.jsonl'), label: 'label' } });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    expect(byId(report, 'inputs.mapping').message).toContain(
      '"input_ids" int64[N, 16] <- arrays in column input_ids, padded with 0 to 16 (attention_mask marks the padding); "attention_mask" int64[N, 16] <- arrays in column attention_mask, padded with 0 to 16;',
    );
    expect(report.checks.map((c) => c.id)).not.toContain('data.bad_rows');
    const ragged = EXPECTED.bert_a_ragged!;
    expect(candidate(report).accuracy).toBeCloseTo(ragged.accuracy, 6);
    expect(candidate(report).roc_auc).toBeCloseTo(ragged.roc_auc!, 4);
    expect(candidate(report).log_loss).toBeCloseTo(ragged.log_loss!, 5);
  });

  it('waveforms of different lengths (no mask to say where padding is): NO-GO naming the file, the column, the lengths and the fix; the hint gives sizes, not columns', async () => {
    const lines = readFileSync(at('kws.jsonl'), 'utf8').trim().split('\n');
    const data = join(mkdtempSync(join(work, 'data-')), 'kws_ragged.jsonl');
    writeFileSync(data, lines.map((l, i) => { const r = JSON.parse(l) as { waveform: number[] }; r.waveform = r.waveform.slice(0, 200 + (i % 57)); return JSON.stringify(r); }).join('\n') + '\n');
    const { report } = await validate({ model: { path: at('kws_a.onnx') }, data: { eval: data, label: 'label' } });
    expect(report.decision).toBe('NO-GO');
    const mapping = byId(report, 'inputs.mapping') as { message: string; hint?: string };
    expect(mapping.message).toContain(`column "waveform" of ${data} holds arrays of different lengths (200 to 256 values)`);
    expect(mapping.message).toMatch(/pad every row to one length in the data, or set model\.inputs\.waveform\.shape to keep only the rows of that length/);
    expect(mapping.hint).toContain('waveform: { shape: [<samples>] }');
    expect(mapping.hint).not.toContain('columns');
  });

  it('no token_type_ids column: the hint is a zero constant, and with it the model is GO', async () => {
    const lines = readFileSync(at('bert.jsonl'), 'utf8').trim().split('\n');
    const data = join(mkdtempSync(join(work, 'data-')), 'bert_no_types.jsonl');
    writeFileSync(data, lines.map((l) => { const r = JSON.parse(l) as Record<string, unknown>; delete r.token_type_ids; return JSON.stringify(r); }).join('\n') + '\n');
    const { report } = await validate({ model: { path: at('bert_a.onnx') }, data: { eval: data, label: 'label' } });
    const mapping = byId(report, 'inputs.mapping') as { message: string; hint?: string };
    expect(mapping.message).toContain('no column feeds input "token_type_ids" of a model with 3 inputs; for text of one segment its values are all 0: set model.inputs.token_type_ids.value: 0');
    expect(mapping.hint).toContain('token_type_ids: { value: 0, shape: [<sequence>] }');
    const fixed = await validate({ model: { path: at('bert_a.onnx'), inputs: { token_type_ids: { value: 0, shape: [16] } } }, data: { eval: data, label: 'label' } });
    expect(failing(fixed.report)).toEqual([]);
    expect(candidate(fixed.report).accuracy).toBeCloseTo(EXPECTED.bert_a!.accuracy, 6);
  });

  it('without data, the sequence length given: GO, the generated ids below the 50 rows of its embedding table (read from the graph)', async () => {
    const shape = { shape: [16] };
    const { code, report } = await validate({ model: { path: at('bert_a.onnx'), inputs: { input_ids: shape, attention_mask: shape, token_type_ids: shape } } });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    expect(report.data.source).toContain('ids 0–99 ("input_ids" 0–49, the rows of the table it indexes), masks 1');
  });

  it('unpadded rows with reference data: GO, data drift skipped (info) as the arrays are not compared per element, not an error that delays', async () => {
    const ragged = at('bert_ragged.jsonl');
    const { report } = await validate({ model: { path: at('bert_a.onnx') }, data: { eval: ragged, label: 'label', reference: ragged } });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(byId(report, 'drift.dataset')).toMatchObject({ status: 'skip', severity: 'info', message: expect.stringContaining('no feature columns to compare') });
    expect(byId(report, 'drift.prediction.prediction').status).toBe('pass');
  });
});

describe('audio: a keyword spotter on raw waveforms [batch, samples] and a spectrogram classifier [batch, 1, 40, frames]', () => {
  it('keyword spotter, healthy: GO from a JSON Lines column of 256 samples', async () => {
    const { code, report } = await classifier('kws', 'kws.jsonl')('kws_a.onnx');
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
    expect(byId(report, 'inputs.mapping').message).toContain('"waveform" float32[N, 256] <- arrays in column waveform');
    expect(candidate(report).accuracy).toBeCloseTo(EXPECTED.kws_a!.accuracy, 6);
  });

  it('keyword spotter, NaN on some rows: NO-GO naming the rows', async () => {
    const { report } = await classifier('kws', 'kws.jsonl')('kws_nan.onnx');
    expect(report.decision).toBe('NO-GO');
    const rows = EXPECTED.kws_nan.nan_data_rows;
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', message: `"logits": ${3 * EXPECTED.kws_nan.nan_rows} NaN/Inf values (first in row ${rows[0]})` });
    expect(byId(report, 'metrics.computed').message).toContain(`output "logits" is NaN on ${EXPECTED.kws_nan.nan_rows} rows (rows ${rows.slice(0, 5).join(', ')}, …)`);
  });

  it('keyword spotter without data: NO-GO saying the samples dim needs a size, and where to give it', async () => {
    const { report } = await validate({ model: { path: at('kws_a.onnx') } });
    expect(byId(report, 'inputs.mapping').message).toContain('input "waveform" [batch, samples] has dynamic dims (axis 1) and nothing says their size: set model.inputs.waveform.shape');
  });

  it('spectrogram classifier: GO healthy, NO-GO with its classes permuted', async () => {
    const spec = classifier('spec', 'spec.jsonl');
    const healthy = await spec('spec_a.onnx');
    expect(failing(healthy.report)).toEqual([]);
    expect(healthy.report.decision).toBe('GO');
    expect(byId(healthy.report, 'inputs.mapping').message).toContain('"spec" float32[N, 1, 40, 8] <- arrays in column spec');
    expect(candidate(healthy.report).accuracy).toBeCloseTo(EXPECTED.spec_a!.accuracy, 6);
    const broken = await spec('spec_shuffled.onnx');
    expect(broken.report.decision).toBe('NO-GO');
    expect(byId(broken.report, 'comparison.accuracy').status).toBe('fail');
  });
});

describe('a binary classifier with one logit column [batch, 1] (BCEWithLogitsLoss, no sigmoid in the graph)', () => {
  it('named "logits": GO, probabilities the sigmoid of the logit, as scikit-learn scores them', async () => {
    const { report } = await classifier('binlogit', 'binlogit.csv')('binlogit_a.onnx');
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(candidate(report).roc_auc).toBeCloseTo(EXPECTED.binlogit_a!.roc_auc!, 4);
    expect(candidate(report).log_loss).toBeCloseTo(EXPECTED.binlogit_a!.log_loss!, 4);
  });

  const named = classifier('binlogit', 'binlogit.csv', 'binlogit_output_b.onnx');

  it('named "output", against 0/1 labels: read as a binary classifier, not scored by rmse of its logits: GO', async () => {
    const { code, report } = await named('binlogit_output.onnx');
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    const computed = byId(report, 'metrics.computed').message;
    expect(computed).toMatch(/^binary on 300 rows/);
    expect(computed).toContain('"output" is one column and the labels are all 0 or 1: read as a binary classifier (set metrics.task: regression if it predicts a number)');
    expect(computed).toContain('probabilities are the sigmoid of "output"');
    expect(candidate(report).accuracy).toBeCloseTo(EXPECTED.binlogit_output!.accuracy, 6);
    expect(candidate(report).roc_auc).toBeCloseTo(EXPECTED.binlogit_output!.roc_auc!, 4);
  });

  it('named "output", with the config `init` writes (kind: scores): the same GO', async () => {
    const file = join(mkdtempSync(join(work, 'init-')), 'gate.yml');
    expect((await cli(['init', '--model', at('binlogit_output.onnx'), '--out', file])).code).toBe(0);
    const written = parse(readFileSync(file, 'utf8')) as { model: Record<string, unknown> };
    expect(written.model.outputs).toEqual({ output: { kind: 'scores' } });
    const { report } = await validate({ model: written.model, baseline: at('binlogit_output_b.onnx'), data: { eval: at('binlogit.csv'), label: 'label', reference: at('binlogit.csv') } });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    // The prediction drift reads the outputs as the metrics do: like with like against the baseline.
    expect(byId(report, 'drift.baseline.prediction').status).toBe('pass');
  });

  it('every prediction inverted: NO-GO on accuracy against the baseline', async () => {
    const { report } = await named('binlogit_output_flipped.onnx');
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'comparison.accuracy').status).toBe('fail');
    expect(candidate(report).accuracy).toBeCloseTo(EXPECTED.binlogit_flipped!.accuracy, 6);
  });

  it('metrics.task: regression keeps it a regression, as said', async () => {
    const { report } = await named('binlogit_output.onnx', { metrics: { task: 'regression' } });
    expect(byId(report, 'metrics.computed').message).toMatch(/^regression on 300 rows/);
  });
});

describe('a classifier exporting its predicted label (int64 argmax)', () => {
  const argmax = classifier('argmax', 'argmax.csv');

  it('label and probabilities: GO, the label output agreeing with the probabilities', async () => {
    const { report } = await argmax('argmax_a.onnx');
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(candidate(report).accuracy).toBeCloseTo(EXPECTED.argmax_a!.accuracy, 6);
  });

  it('only the label: GO, accuracy from the label, no probability metrics', async () => {
    const { report } = await argmax('argmax_only.onnx');
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(candidate(report).accuracy).toBeCloseTo(EXPECTED.argmax_only!.accuracy, 6);
    expect(candidate(report).roc_auc ?? null).toBeNull();
  });

  it('label and logits: GO, the probabilities the softmax of "logits" (the output named, not "logits + label")', async () => {
    const { report } = await validate({ model: { path: at('argmax_logits.onnx') }, data: { eval: at('argmax.csv'), label: 'label' } });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(candidate(report).accuracy).toBeCloseTo(EXPECTED.argmax_logits!.accuracy, 6);
    expect(byId(report, 'metrics.computed').message).toContain('probabilities are the softmax of "logits" (its scores read as logits; set model.outputs.logits.kind to say otherwise)');
  });

  it('classes permuted: NO-GO', async () => {
    const { report } = await argmax('argmax_shuffled.onnx');
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'comparison.accuracy').status).toBe('fail');
  });
});

describe('an L2-normalised embedding [batch, 8], no labels', () => {
  it('is GO, not read as 8 classes: no "rows change class", the comparison and prediction drift skipped saying why', async () => {
    const { code, report } = await validate({ model: { path: at('embed_a.onnx') }, baseline: at('embed_b.onnx'), data: { eval: at('embed.csv'), reference: at('embed.csv') } });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    expect(report.checks.map((c) => c.id)).not.toContain('comparison.agreement');
    expect(byId(report, 'comparison.outputs')).toMatchObject({ status: 'skip', message: expect.stringContaining('output "embedding" holds vectors of length 1') });
    expect(byId(report, 'drift.prediction')).toMatchObject({ status: 'skip', severity: 'info' });
    expect(byId(report, 'drift.dataset').status).toBe('pass');
  });

  it('NaN on some rows: NO-GO naming the first', async () => {
    const { report } = await validate({ model: { path: at('embed_nan.onnx') }, data: { eval: at('embed.csv') } });
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', message: `"embedding": ${8 * EXPECTED.embed_nan.nan_rows} NaN/Inf values (first in row ${EXPECTED.embed_nan.nan_data_rows[0]})` });
  });
});

describe('a detection-like head: boxes [batch, 5, 4] and scores [batch, 5]', () => {
  it('healthy: GO from a JSON Lines column of nested 3 x 16 x 16 images', async () => {
    const { report } = await validate({ model: { path: at('detect_a.onnx') }, data: { eval: at('detect.jsonl') } });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
  });

  it('NaN boxes on some images: NO-GO naming the first', async () => {
    const { report } = await validate({ model: { path: at('detect_nan.onnx') }, baseline: at('detect_a.onnx'), data: { eval: at('detect.jsonl') } });
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', message: `"boxes": ${20 * EXPECTED.detect_nan.nan_rows} NaN/Inf values (first in row ${EXPECTED.detect_nan.nan_data_rows[0]})` });
  });
});

describe('an image classifier with dynamic height and width [batch, 3, height, width]', () => {
  const img = classifier('imgdyn', 'imgdyn.jsonl');

  it('healthy: GO, the dims taken from the nested arrays', async () => {
    const { report } = await img('imgdyn_a.onnx');
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(byId(report, 'inputs.mapping').message).toContain('"image" float32[N, 3, 10, 10] <- arrays in column image');
    expect(candidate(report).accuracy).toBeCloseTo(EXPECTED.imgdyn_a!.accuracy, 6);
  });

  it('classes permuted: NO-GO', async () => {
    const { report } = await img('imgdyn_shuffled.onnx');
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'comparison.accuracy').status).toBe('fail');
  });

  it('without data: NO-GO naming both dynamic dims and model.inputs.image.shape', async () => {
    const { report } = await validate({ model: { path: at('imgdyn_a.onnx') } });
    const mapping = byId(report, 'inputs.mapping') as { message: string; hint?: string };
    expect(mapping.message).toContain('input "image" [batch, 3, height, width] has dynamic dims (axis 2, axis 3) and nothing says their size: set model.inputs.image.shape');
    expect(mapping.hint).toContain('image: { shape: [3, <height>, <width>] }');
  });
});
