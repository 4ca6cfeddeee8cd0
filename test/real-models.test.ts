/**
 * Models teams really ship, validated the way a new user would: PyTorch exports shaped like
 * streaming VADs, image classifiers, wake words, 1-D regressors and text models (made by
 * scripts/models/make_torch_models.py, with torch's reference values), and ONNX files from npm
 * packages (Silero VAD v5 and legacy, openWakeWord, PaddleOCR's direction classifier). Each case
 * runs the CLI with the config a user writes; a zero-config run that cannot feed an input must
 * hand back a snippet that, filled in, gives GO.
 *
 * Set MODEL_GATE_TIMINGS=<file> to write the per-case config, decision and wall time as JSON.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';
import { npmModel, OCR_MODELS, OPENWAKEWORD, VAD_WEB } from './support/npm-models.ts';

const TORCH = resolve('test/fixtures/models/torch');
const EXPECTED = JSON.parse(readFileSync(join(TORCH, 'expected.json'), 'utf8')) as {
  fixed1: { scores: number[]; accuracy: number; roc_auc: number; log_loss: number; brier: number };
  stream_csv: { scores: number[]; accuracy: number; roc_auc: number; log_loss: number };
  one_d: { rmse: number; mae: number; r2: number; max_error: number; inf_rows: number };
  iris_output: { accuracy: number; log_loss: number };
  iris_logits: { accuracy: number; log_loss: number; roc_auc: number };
};

type Config = Record<string, unknown>;
/** Only to keep the suite quick: fewer timed calls and generated rows, a smaller oversized batch. */
const FAST: Config = {
  data: { generated_rows: 64 },
  checks: { latency: { warmup: 2, iterations: 10 }, errors: { oversized_batch: { size: 64 } } },
};

let work: string;
const timings: { case: string; config: string; decision: string; ms: number }[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-real-'));
});

afterAll(() => {
  const file = process.env.MODEL_GATE_TIMINGS;
  if (file) writeFileSync(file, JSON.stringify(timings, null, 1) + '\n');
});

function merge(a: Config, b: Config): Config {
  const out: Config = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev) ? merge(prev as Config, v as Config) : v;
  }
  return out;
}

/** The CLI on a model with the config a user writes (plus FAST); the report and the wall time. */
async function validate(label: string, model: string, user: Config = {}): Promise<{ code: number; report: Report }> {
  const out = mkdtempSync(join(work, 'out-'));
  const config = join(out, 'gate.yml');
  const full = merge(merge(FAST, { model: { path: model } }), user);
  writeFileSync(config, stringify(full));
  const started = performance.now();
  const r = await cli(['validate', '--json', '--out', out, '--config', config]);
  const ms = performance.now() - started;
  expect(r.stderr).not.toMatch(/unexpected error|at .*\.ts:\d+/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  timings.push({ case: label, config: Object.keys(user).length === 0 ? '(none)' : stringify(user, { collectionStyle: 'flow' }).trim(), decision: report.decision, ms: Math.round(ms) });
  return { code: r.code, report };
}

/** The checks that did not pass (skips aside), by id. */
const notPassed = (report: Report) => report.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((c) => c.id);

/** The placeholders of a snippet (`<samples>`, `<value>`), in order, replaced by the values given. */
function fill(hint: string, values: (string | number)[]): Config {
  const placeholders = hint.match(/<[^>…]+>/g) ?? [];
  expect(placeholders).toHaveLength(values.length);
  let i = 0;
  return parse(hint.replace(/<[^>…]+>/g, () => String(values[i++]))) as Config;
}

/** A run that cannot feed the model: NO-GO on inputs.mapping with a snippet. */
async function snippetOf(label: string, model: string, user: Config = {}): Promise<string> {
  const { code, report } = await validate(label, model, user);
  expect(report.decision).toBe('NO-GO');
  expect(code).not.toBe(0);
  const mapping = byId(report, 'inputs.mapping') as { status: string; hint?: string };
  expect(mapping.status).toBe('fail');
  expect(mapping.hint).toMatch(/^# Add to the config/);
  return mapping.hint!;
}

const fed = (report: Report, name: string) => report.model.signature!.inputs.find((i) => i.name === name);

describe('PyTorch exports', () => {
  it('streaming model with named dims: the snippet round trip gives GO; sr is a scalar, state carries the batch on axis 1', async () => {
    const model = join(TORCH, 'stream_named.onnx');
    const hint = await snippetOf('stream_named, zero config', model);
    expect(hint).toContain('x: { shape: [<samples>] }');
    expect(hint).toContain('sr: { value: <value> }');
    expect(hint).not.toMatch(/^\s+state:/m); // a state input starts at zero by itself
    const user = fill(hint, [256, 16000]);
    const { code, report } = await validate('stream_named, snippet filled', model, user);
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    expect(fed(report, 'sr')).toMatchObject({ shape: [], scalar: true, fed_shape: '[]' });
    expect(fed(report, 'state')).toMatchObject({ shape: [2, 'batch', 16], fed_shape: '[2, N, 16]' });
    expect(fed(report, 'x')).toMatchObject({ fed_shape: '[N, 256]' });
    expect(byId(report, 'smoke.batch_32_consistency').status).toBe('pass');
    // The model turns a NaN sample into a NaN probability: the scenario passes for its own reason.
    expect(report.error_scenarios.find((s) => s.scenario === 'nan_input')?.outcome).toBe('non_finite');
  });

  it('streaming model with dim names the exporter made up: the batch axes are still right, a batch of 2 included', async () => {
    const model = join(TORCH, 'stream_unnamed.onnx');
    const hint = await snippetOf('stream_unnamed, zero config', model);
    const user = merge(fill(hint, [256, 16000]), { checks: { smoke: { batch_sizes: [2, 32] } } });
    const { code, report } = await validate('stream_unnamed, snippet filled, batches 2 and 32', model, user);
    expect(fed(report, 'state')).toMatchObject({ fed: 'generated, batch on axis 1', fed_shape: '[2, N, 16]' });
    // stateN [2, ?, 16] answering a batch of 2: its batch is the open axis, not the fixed 2.
    expect(byId(report, 'smoke.batch_2_consistency').status).toBe('pass');
    expect(byId(report, 'smoke.batch_32_consistency').status).toBe('pass');
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('streaming model from labelled data: the snippet gives sr and a zero state, x takes the columns left; metrics equal scikit-learn\'s', async () => {
    const model = join(TORCH, 'stream_named.onnx');
    const data = { data: { eval: join(TORCH, 'stream.csv'), label: 'label' } };
    const hint = await snippetOf('stream_named, labelled, no inputs', model, data);
    expect(hint).toContain('# x: fed by the remaining columns, x0, x1, x2 … x255 (256 columns)');
    expect(hint).toContain('state: { value: 0 }');
    const { code, report } = await validate('stream_named, labelled, snippet filled', model, merge(data, fill(hint, [16000])));
    expect(fed(report, 'state')).toMatchObject({ fed: 'constant 0, batch on axis 1', fed_shape: '[2, N, 16]' });
    const ref = EXPECTED.stream_csv;
    const m = report.metrics!.candidate as Record<string, number>;
    expect(report.metrics!.task).toBe('binary');
    expect(m.accuracy).toBe(ref.accuracy);
    expect(m.roc_auc).toBeCloseTo(ref.roc_auc, 12);
    expect(Math.abs(m.log_loss! - ref.log_loss)).toBeLessThan(1e-6);
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('broken: a state that mixes the rows of a batch fails batch consistency, naming stateN', async () => {
    const { report } = await validate('stream_mixing (broken)', join(TORCH, 'stream_mixing.onnx'), {
      model: { inputs: { x: { shape: [256] }, sr: { value: 16000 } } },
    });
    expect(notPassed(report)).toEqual(['smoke.batch_32_consistency']);
    expect(byId(report, 'smoke.batch_32_consistency').message).toContain('"stateN"');
    expect(report.decision).toBe('NO-GO');
  });

  it('image classifier [N, 3, ?, ?]: the snippet asks for height and width; filled, GO', async () => {
    const model = join(TORCH, 'cnn.onnx');
    const hint = await snippetOf('cnn, zero config', model);
    expect(hint).toContain('image: { shape: [3, <height>, <width>] }');
    const { code, report } = await validate('cnn, snippet filled', model, fill(hint, [32, 32]));
    expect(fed(report, 'image')).toMatchObject({ fed_shape: '[N, 3, 32, 32]' });
    expect(byId(report, 'outputs.probabilities.probs').status).toBe('pass');
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('broken: NaN probabilities on dark images fail outputs.finite', async () => {
    const { report } = await validate('cnn_nan (broken)', join(TORCH, 'cnn_nan.onnx'), { model: { inputs: { image: { shape: [3, 32, 32] } } } });
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', message: expect.stringMatching(/"probs": \d+ NaN\/Inf values/) });
    expect(report.decision).toBe('NO-GO');
  });

  it('fixed batch of 1: no call of another size; batch 32 skipped with the reason; zero config is GO', async () => {
    // onnxruntime refuses any other batch for an input declared [1, 16, 96]: one call of another
    // size anywhere (smoke, predictions, latency) would fail a check, and notPassed below is empty.
    const { code, report } = await validate('fixed1, zero config', join(TORCH, 'fixed1.onnx'));
    const reason = /the model takes a fixed batch of 1/;
    expect(byId(report, 'smoke.batch_32')).toMatchObject({ status: 'skip', message: expect.stringMatching(reason) });
    expect(byId(report, 'latency.batch_32')).toMatchObject({ status: 'skip', message: expect.stringMatching(reason) });
    expect(byId(report, 'errors.oversized_batch')).toMatchObject({ status: 'skip', message: expect.stringMatching(reason) });
    expect(report.latency.map((l) => l.batch_size)).toEqual([1]);
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('fixed batch of 1 with labelled data: predictions one row per call, metrics equal scikit-learn\'s on torch\'s scores', async () => {
    const ref = EXPECTED.fixed1;
    // One sigmoid column reads as regression unless the task is said: a user says binary.
    const { code, report } = await validate('fixed1, labelled', join(TORCH, 'fixed1.onnx'), {
      data: { eval: join(TORCH, 'fixed1.csv'), label: 'label' },
      metrics: { task: 'binary' },
    });
    expect(report.data.rows_evaluated).toBe(ref.scores.length);
    const m = report.metrics!.candidate as Record<string, number>;
    expect(report.metrics!.task).toBe('binary');
    expect(m.accuracy).toBe(ref.accuracy);
    expect(m.roc_auc).toBeCloseTo(ref.roc_auc, 12);
    // Every score enters the log loss and the Brier score: float32 scores against float64 ones.
    expect(Math.abs(m.log_loss! - ref.log_loss)).toBeLessThan(1e-6);
    expect(Math.abs(m.brier! - ref.brier)).toBeLessThan(1e-6);
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('1-D input [N] -> [N]: zero config is GO; with labels, metrics equal numpy\'s', async () => {
    const model = join(TORCH, 'one_d.onnx');
    const zero = await validate('one_d, zero config', model);
    expect(fed(zero.report, 'x')).toMatchObject({ shape: ['N'], fed_shape: '[N]' });
    expect(zero.report.decision).toBe('GO');
    const ref = EXPECTED.one_d;
    const { code, report } = await validate('one_d, labelled', model, { data: { eval: join(TORCH, 'one_d.csv'), label: 'target' } });
    expect(fed(report, 'x')).toMatchObject({ fed: 'column x', fed_shape: '[N]' });
    const m = report.metrics!.candidate as Record<string, number>;
    expect(report.metrics!.task).toBe('regression');
    for (const k of ['rmse', 'mae', 'r2', 'max_error'] as const) expect(Math.abs(m[k]! - ref[k]) / Math.abs(ref[k]), k).toBeLessThan(1e-8);
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('broken 1-D: +Inf on some rows fails outputs.finite and refuses the metrics, naming the rows', async () => {
    const { report } = await validate('one_d_inf (broken), labelled', join(TORCH, 'one_d_inf.onnx'), {
      data: { eval: join(TORCH, 'one_d.csv'), label: 'target' },
    });
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', message: `"y": ${EXPECTED.one_d.inf_rows} NaN/Inf values (first in row 50)` });
    expect(byId(report, 'metrics.computed')).toMatchObject({ status: 'fail', message: expect.stringMatching(/output "y" is Infinity on 5 rows \(rows 50, /) });
    expect(report.decision).toBe('NO-GO');
  });

  it('classifier exported as the tutorial does (output "output"): its Softmax node says probabilities; labelled, metrics equal scikit-learn\'s', async () => {
    const ref = EXPECTED.iris_output;
    const { code, report } = await validate('iris_output, labelled', join(TORCH, 'iris_output.onnx'), { data: { eval: resolve('examples/iris/eval.csv'), label: 'species' } });
    expect(report.metrics!.task).toBe('multiclass');
    const m = report.metrics!.candidate as Record<string, number>;
    expect(m.accuracy).toBe(ref.accuracy);
    expect(Math.abs(m.log_loss! - ref.log_loss)).toBeLessThan(1e-6);
    expect(byId(report, 'outputs.probabilities.output').status).toBe('pass');
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('a classifier exported without its softmax (one score per class, named "output"): read as logits, metrics as scikit-learn on their softmax, GO', async () => {
    const ref = EXPECTED.iris_logits;
    const { code, report } = await validate('iris_logits, labelled', join(TORCH, 'iris_logits.onnx'), { data: { eval: resolve('examples/iris/eval.csv'), label: 'species' } });
    expect(report.metrics!.task).toBe('multiclass');
    const m = report.metrics!.candidate as Record<string, number>;
    expect(m.accuracy).toBe(ref.accuracy);
    expect(Math.abs(m.log_loss! - ref.log_loss)).toBeLessThan(1e-6);
    expect(Math.abs(m.roc_auc! - ref.roc_auc)).toBeLessThan(1e-9);
    expect(byId(report, 'metrics.computed').message).toContain('probabilities are the softmax of "output" (its scores read as logits; set model.outputs.output.kind to say otherwise)');
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('text model: ids and mask get the sequence length from the snippet; generated ids fit an Embedding, masks are 1', async () => {
    const model = join(TORCH, 'text.onnx');
    const hint = await snippetOf('text, zero config', model);
    expect(hint).toContain('input_ids: { shape: [<seq>] }');
    expect(hint).toContain('attention_mask: { shape: [<seq>] }');
    const { code, report } = await validate('text, snippet filled', model, fill(hint, [16, 16]));
    expect(report.data.source).toMatch(/ids 0–99, masks 1/);
    expect(byId(report, 'smoke.batch_32').status).toBe('pass');
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });
});

describe('models shipped in npm packages', () => {
  let sileroV5: string;
  let sileroLegacy: string;
  let wakeWord: string;
  let ocrCls: string;
  beforeAll(async () => {
    sileroV5 = await npmModel(VAD_WEB, 'dist/silero_vad_v5.onnx');
    sileroLegacy = await npmModel(VAD_WEB, 'dist/silero_vad_legacy.onnx');
    wakeWord = await npmModel(OPENWAKEWORD, 'models/hello_deepa.onnx');
    ocrCls = await npmModel(OCR_MODELS, 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
  }, 300_000);

  it('Silero VAD v5: snippet round trip; an empty batch aborts onnxruntime and is an error for that scenario alone', async () => {
    const hint = await snippetOf('silero v5, zero config', sileroV5);
    expect(hint).toContain('input: { shape: [<size>] }');
    const user = fill(hint, [512, 16000]);
    const { report } = await validate('silero v5, snippet filled', sileroV5, user);
    expect(fed(report, 'state')).toMatchObject({ shape: [2, null, 128], fed: 'generated, batch on axis 1' });
    expect(byId(report, 'smoke.batch_32_consistency').status).toBe('pass');
    // The run went on after the child process died: the scenarios after it ran.
    expect(byId(report, 'errors.empty_batch')).toMatchObject({ status: 'error', message: expect.stringMatching(/died \(signal SIGABRT\)/) });
    expect(byId(report, 'errors.missing_input').status).toBe('pass');
    // The model answers a NaN or +Inf sample with a finite probability (checked below straight
    // through onnxruntime): handled, which passes by default; the abort above is a warning.
    expect(byId(report, 'errors.nan_input')).toMatchObject({ status: 'pass', value: 'finite', message: expect.stringContaining('the model handled it') });
    expect(notPassed(report)).toEqual(['errors.empty_batch']);
    expect(report.decision).toBe('DELAY');

    const session = await ort.InferenceSession.create(sileroV5);
    const samples = new Float32Array(512);
    samples[0] = Number.NaN;
    const out = await session.run({
      input: new ort.Tensor('float32', samples, [1, 512]),
      state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]),
      sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
    });
    expect(Number.isFinite((out.output!.data as Float32Array)[0])).toBe(true);
    await session.release();

    // A team whose service must refuse NaN says so, and gets the warning.
    const strict = merge(user, { checks: { errors: { nan_input: { expect: ['rejected'] }, empty_batch: { enabled: false } } } });
    const { report: refused } = await validate('silero v5, NaN must be refused', sileroV5, strict);
    expect(notPassed(refused)).toEqual(['errors.nan_input']);
    expect(byId(refused, 'errors.nan_input').message).toContain('expected rejected it (errors.nan_input.expect)');
    // What a user who knows this writes: no empty batches.
    const known = merge(user, { checks: { errors: { empty_batch: { enabled: false } } } });
    const { code, report: accepted } = await validate('silero v5, snippet + known behaviour', sileroV5, known);
    expect(notPassed(accepted)).toEqual([]);
    expect(accepted.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('Silero VAD legacy: h and c [2, batch, 64] start at zero with their batch on axis 1; hn and cn read back', async () => {
    const hint = await snippetOf('silero legacy, zero config', sileroLegacy);
    expect(hint).toContain('input: { shape: [<sequence>] }');
    const { report } = await validate('silero legacy, snippet filled', sileroLegacy, fill(hint, [512, 16000]));
    expect(fed(report, 'h')).toMatchObject({ fed: 'generated, batch on axis 1', fed_shape: '[2, N, 64]' });
    expect(byId(report, 'smoke.batch_32')).toMatchObject({ status: 'pass', message: expect.stringContaining('hn float32[2, 32, 64]') });
    expect(byId(report, 'smoke.batch_32_consistency').status).toBe('pass');
    // Like v5, a NaN or +Inf sample gives a finite probability: handled, which passes by default.
    expect(byId(report, 'errors.nan_input')).toMatchObject({ status: 'pass', value: 'finite' });
    // An empty batch makes a Reshape node refuse it: the process answers, a clean refusal.
    expect(byId(report, 'errors.empty_batch')).toMatchObject({ status: 'pass', value: 'rejected', message: expect.stringContaining("running Reshape node. Name:'Reshape_39'") });
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
  });

  it('openWakeWord hello_deepa [1, 25, 96]: zero config is GO, other batch sizes skipped with the reason', async () => {
    const { code, report } = await validate('openwakeword hello_deepa, zero config', wakeWord);
    expect(fed(report, 'onnx::Flatten_0')).toMatchObject({ shape: [1, 25, 96], fed_shape: '[1, 25, 96]' });
    expect(byId(report, 'smoke.batch_32')).toMatchObject({ status: 'skip', message: expect.stringMatching(/fixed batch of 1/) });
    expect(report.latency.map((l) => l.batch_size)).toEqual([1]);
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('PaddleOCR direction classifier [N, 3, ?, ?]: the snippet asks for the image size; filled, GO', async () => {
    const hint = await snippetOf('ppocr cls, zero config', ocrCls);
    expect(hint).toContain('x: { shape: [3, <size>, <size>] }');
    // The default 256 generated rows asked for (FAST asks 64): an image row is large, so fewer are made.
    const { code, report } = await validate('ppocr cls, snippet filled', ocrCls, merge(fill(hint, [48, 192]), { data: { generated_rows: 256 } }));
    expect(fed(report, 'x')).toMatchObject({ fed_shape: '[N, 3, 48, 192]' });
    // 108 KiB of float32 a row: 151 rows make 16 MiB; more random images would add memory, not coverage.
    expect(report.data.source).toMatch(/^151 rows generated \(seed \d+\).*; fewer than data\.generated_rows \(256\): at most 16 MiB of input$/);
    expect(notPassed(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });
});
