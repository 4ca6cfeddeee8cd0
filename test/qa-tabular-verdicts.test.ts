/**
 * Verdicts on tabular models as teams ship them, with the config a user writes: scikit-learn
 * Pipelines over text and numeric columns with empty cells, HistGradientBoosting and XGBoost
 * reading NaN as missing, regressors, string class labels, 1% positives; the same models behind
 * a real HTTP server (serve_sklearn.py, V2 and MLflow, healthy and faulty) and behind commands
 * that misbehave on stdout. Models and reference values: scripts/models/make_qa_tabular_models.py
 * (test/fixtures/models/qa-tabular/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';
import { FAST, failing, validateConfig } from './support/validate-config.ts';
import { PYTHON, skipWithout } from './support/tools.ts';

const DIR = resolve('test/fixtures/models/qa-tabular');
const at = (name: string) => join(DIR, name);
type Metrics = Record<string, number>;
const EXPECTED = JSON.parse(readFileSync(at('expected.json'), 'utf8')) as Record<string, Metrics>;
const ADAPTER = `${PYTHON} examples/serving/python_adapter.py`;
const adapter = (file: string, extra = '') => ({ run: `${ADAPTER} ${at(file)}${extra}` });


let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-qa-tabular-'));
});

const validate = (config: Record<string, unknown>) => validateConfig(config, /unexpected error|\n\s+at .*\.ts:\d+/);

const metricsOf = (report: Report, side: 'candidate' | 'baseline') => report.metrics![side] as unknown as Metrics;
const churn = (extra: Record<string, unknown> = {}) => ({ eval: at('churn.csv'), label: 'churn', ...extra });

describe.skipIf(skipWithout('python', 'xgboost'))('tabular models through the Python adapter', () => {
  it('a Pipeline over text and numeric columns with empty cells: one input per column; the empty cells left out block, with the fix', async () => {
    const { code, report } = await validate({ model: { command: adapter('pipe_a.pkl') }, baseline: { command: adapter('pipe_b.pkl') }, data: churn() });
    expect(failing(report)).toEqual(['data.bad_rows']);
    expect(code).toBe(1);
    expect(byId(report, 'inputs.mapping').message).toContain('"plan" string[N, 1] <- column plan; "region" string[N, 1] <- column region; "tenure" float64[N, 1] <- column tenure');
    const bad = byId(report, 'data.bad_rows') as { message: string; hint?: string };
    expect(bad.message).toMatch(/68 of 400 rows are bad \(68 missing\); row 8: "region" is empty; row 16: "tenure" is empty or NaN/);
    expect(bad.hint).toContain('bad_rows: { missing_features: feed }');
  });

  it('the same with missing_features: feed: GO on all 400 rows, metrics equal scikit-learn\'s, the NaN scenario sent to a number column', async () => {
    const { code, report } = await validate({
      model: { command: adapter('pipe_a.pkl') },
      baseline: { command: adapter('pipe_b.pkl') },
      data: churn({ bad_rows: { missing_features: 'feed' } }),
    });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    expect(byId(report, 'inputs.mapping').message).toContain('(400 rows of');
    for (const m of ['accuracy', 'f1_macro', 'roc_auc']) {
      expect(metricsOf(report, 'candidate')[m], m).toBeCloseTo(EXPECTED.pipe_a![m]!, 10);
      expect(metricsOf(report, 'baseline')[m], m).toBeCloseTo(EXPECTED.pipe_b![m]!, 10);
    }
    expect(byId(report, 'errors.nan_input').message).toMatch(/handled it/);
    expect(byId(report, 'errors.wrong_dtype').message).toContain('"tenure" as float32 instead of float64: the model rejected it');
  });

  it('drift against the training rows: text columns and empty cells fed to the model there too, prediction drift measured on every row', async () => {
    const { report } = await validate({
      model: { command: adapter('pipe_a.pkl') },
      data: churn({ reference: at('churn_ref.csv'), bad_rows: { missing_features: 'feed' } }),
      checks: { ...FAST.checks, errors: { enabled: false } },
    });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    expect(byId(report, 'drift.feature.tenure').message).toContain('missing 153 / 42');
    expect(byId(report, 'drift.feature.region').message).toContain('missing 70 / 29');
    expect(byId(report, 'drift.prediction.score').message).toContain('(1,500 vs 400 values');
  });

  it('the Pipeline as skl2onnx converts it (one input per column), in-process: init offers the line, and with it GO against the pickle', async () => {
    const written = join(mkdtempSync(join(work, 'init-')), 'gate.yml');
    const init = await cli(['init', '--model', at('pipe_a.onnx'), '--data', at('churn.csv'), '--label', 'churn', '--out', written]);
    expect(init.code, init.stderr).toBe(0);
    const text = readFileSync(written, 'utf8');
    expect(text).toContain('  # 68 of 400 rows have empty cells (region, tenure): they are left out, and\n');
    expect(text).toContain('\n  # bad_rows: { missing_features: feed }\n');
    const config = parse(text.replace('  # bad_rows: { missing_features: feed }', '  bad_rows: { missing_features: feed }')) as Record<string, unknown>;
    const { code, report } = await validate({ ...config, baseline: { command: adapter('pipe_b.pkl') } });
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
    expect(byId(report, 'inputs.mapping').message).toContain('"plan" string[N, 1] <- column plan; "region" string[N, 1] <- column region; "tenure" float32[N, 1] <- column tenure');
    expect(metricsOf(report, 'candidate').roc_auc).toBeCloseTo(EXPECTED.pipe_a_onnx!.roc_auc!, 5); // float32 probabilities; an empty region is an unknown category there
    expect(metricsOf(report, 'baseline').accuracy).toBeCloseTo(EXPECTED.pipe_b!.accuracy!, 10);
  });

  it('init on a pickle or an XGBoost file says how to run it, not "Protobuf parsing failed"', async () => {
    for (const file of ['pipe_a.pkl', 'xgb_bin.json']) {
      const r = await cli(['init', '--model', at(file), '--out', join(mkdtempSync(join(work, 'init-')), 'gate.yml')]);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/Protobuf|\n\s+at /);
      expect(r.stderr).toContain(`init writes a config from an ONNX model's inputs and outputs, and this is not one`);
      expect(r.stderr).toContain(`--command 'python3 examples/serving/python_adapter.py ${at(file)}'`);
    }
  });

  it('HistGradientBoosting against XGBoost, both reading NaN as missing: GO, metrics of every row equal the libraries\'', async () => {
    const { report } = await validate({
      model: { command: adapter('hgb.pkl') },
      baseline: { command: adapter('xgb_bin.json') },
      data: { eval: at('churn_num.csv'), label: 'churn', bad_rows: { missing_features: 'feed' } },
      checks: { ...FAST.checks, errors: { ...FAST.checks.errors, inf_input: { expect: ['rejected', 'finite'] } } },
    });
    expect(failing(report)).toEqual([]);
    expect(report.decision).toBe('GO');
    for (const m of ['accuracy', 'roc_auc']) {
      expect(metricsOf(report, 'candidate')[m], m).toBeCloseTo(EXPECTED.hgb![m]!, 10);
      expect(metricsOf(report, 'baseline')[m], m).toBeCloseTo(EXPECTED.xgb_bin![m]!, 6);
    }
  });

  it('a regressor: XGBRegressor against GradientBoostingRegressor GO; one fitted on shuffled targets NO-GO on rmse', async () => {
    const data = { eval: at('reg.csv'), label: 'y' };
    const good = await validate({ model: { command: adapter('xgb_reg.json') }, baseline: { command: adapter('gbr.pkl') }, data });
    expect(failing(good.report)).toEqual([]);
    expect(good.report.decision).toBe('GO');
    expect(metricsOf(good.report, 'candidate').rmse).toBeCloseTo(EXPECTED.xgb_reg!.rmse!, 5);
    expect(metricsOf(good.report, 'baseline').rmse).toBeCloseTo(EXPECTED.gbr!.rmse!, 10);
    const bad = await validate({ model: { command: adapter('gbr_shuffled.pkl') }, baseline: { command: adapter('gbr.pkl') }, data });
    expect(failing(bad.report)).toEqual(['comparison.rmse']);
    expect(bad.report.decision).toBe('NO-GO');
    expect(byId(bad.report, 'comparison.rmse').message).toContain('worse than the tolerated regression');
  });

  it('XGBoost multiclass with text classes: GO with --classes; without, the labels are named with the fix', async () => {
    const data = { eval: at('tier.csv'), label: 'tier' };
    const named = adapter('xgb_tier.json', ' --classes bronze,gold,silver');
    const good = await validate({ model: { command: named }, data });
    expect(failing(good.report)).toEqual([]);
    expect(metricsOf(good.report, 'candidate').accuracy).toBeCloseTo(EXPECTED.xgb_tier!.accuracy!, 10);
    const bare = await validate({ model: { command: adapter('xgb_tier.json') }, data });
    expect(bare.report.decision).toBe('NO-GO');
    expect(byId(bare.report, 'metrics.labels').message).toMatch(/holds values the model does not predict: .*the model's classes are 0, 1, 2 \(set metrics\.classes to name them\)/);
  });

  describe('1% positives: balanced accuracy, not accuracy, is compared by default', () => {
    const data = { eval: at('fraud.csv'), label: 'fraud' };
    it('a model that never predicts fraud (accuracy 0.986) against a healthy one: NO-GO', async () => {
      const { report } = await validate({ model: { command: adapter('fraud_never.pkl') }, baseline: { command: adapter('fraud_lr.pkl') }, data });
      expect(failing(report)).toEqual(['comparison.balanced_accuracy']);
      expect(report.decision).toBe('NO-GO');
      expect(metricsOf(report, 'candidate').accuracy).toBeCloseTo(EXPECTED.fraud_never!.accuracy!, 10);
      expect(byId(report, 'comparison.balanced_accuracy').message).toMatch(/^balanced_accuracy 0\.5 vs 0\.9004/);
      expect(byId(report, 'metrics.computed').message).toContain(
        'balanced_accuracy is the metric compared: class 0 holds 98.6% of the rows, so accuracy would score a model that always answers 0 at 0.986 (set metrics.primary to choose another)',
      );
    });

    it('a healthy retrain against the other: GO, and metrics.primary still chooses', async () => {
      const { report } = await validate({ model: { command: adapter('fraud_lr.pkl') }, baseline: { command: adapter('fraud_lr_b.pkl') }, data });
      expect(failing(report)).toEqual([]);
      expect(report.decision).toBe('GO');
      // Within the margin, with a note that 1,000 rows with 14 positives cannot show non-inferiority.
      expect(byId(report, 'comparison.balanced_accuracy')).toMatchObject({ status: 'warn', message: expect.stringContaining('too small to show non-inferiority') });
      const chosen = await validate({ model: { command: adapter('fraud_lr.pkl') }, baseline: { command: adapter('fraud_lr_b.pkl') }, data, metrics: { primary: 'roc_auc' } });
      expect(chosen.report.checks.map((c) => c.id)).toContain('comparison.roc_auc');
      expect(byId(chosen.report, 'metrics.computed').message).not.toContain('balanced_accuracy is the metric compared');
    });
  });
});

/** serve_sklearn.py on a port the OS picks; resolves its URL once it listens. */
function serve(model: string, ...flags: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(PYTHON, [at('serve_sklearn.py'), at(model), '--name', 'fraud', ...flags], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`serve_sklearn.py did not listen within 20 s: ${err}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /listening on (\d+)/.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        ok({ url: `http://127.0.0.1:${port}`, child });
      }
    });
    child.on('exit', (code) => fail(new Error(`serve_sklearn.py exited (${code}): ${err}`)));
  });
}

describe.skipIf(skipWithout('python'))('a scikit-learn model behind a real HTTP server', () => {
  const servers: ChildProcess[] = [];
  const urls: Record<string, string> = {};
  beforeAll(async () => {
    const started = await Promise.all([
      serve('fraud_lr_b.pkl').then((s) => ['baseline', s] as const),
      serve('fraud_lr.pkl').then((s) => ['healthy', s] as const),
      serve('fraud_lr.pkl', '--fail', '--above', '2.5').then((s) => ['fail', s] as const),
      serve('fraud_lr.pkl', '--nan', '--above', '2.5').then((s) => ['nan', s] as const),
      serve('fraud_lr.pkl', '--short').then((s) => ['short', s] as const),
      serve('fraud_lr.pkl', '--sleep-ms', '3000').then((s) => ['slow', s] as const),
      serve('fraud_never.pkl').then((s) => ['worse', s] as const),
      serve('fraud_lr.pkl', '--fp32-garbage').then((s) => ['misread', s] as const),
    ]);
    for (const [name, s] of started) {
      servers.push(s.child);
      urls[name] = s.url;
    }
  }, 60_000);
  afterAll(() => {
    for (const s of servers) s.kill();
  });

  const endpoint = (name: string, extra: Record<string, unknown> = {}) => ({
    model: { endpoint: { url: urls[name], protocol: 'v2', name: 'fraud', timeout_ms: 1500 } },
    baseline: { endpoint: { url: urls.baseline, protocol: 'v2', name: 'fraud' } },
    data: { eval: at('fraud.csv'), label: 'fraud' },
    ...extra,
  });

  it('healthy, against a baseline endpoint (V2): GO', async () => {
    const { code, report } = await validate(endpoint('healthy'));
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
    expect(metricsOf(report, 'candidate').balanced_accuracy).toBeGreaterThan(0.85);
    expect(metricsOf(report, 'baseline').roc_auc).toBeCloseTo(EXPECTED.fraud_lr_b!.roc_auc!, 10);
  });

  it('float32 sent to the float64 model: converted (the same answer) passes; a server that misreads the type fails', async () => {
    const { report } = await validate(endpoint('healthy'));
    expect(byId(report, 'errors.wrong_dtype')).toMatchObject({ status: 'pass', message: '"input" as float32 instead of float64: the model converted it (the same answer as to the declared type)' });
    const misread = await validate(endpoint('misread'));
    expect(failing(misread.report)).toEqual(['errors.wrong_dtype']);
    expect(misread.report.decision).toBe('DELAY');
    expect(byId(misread.report, 'errors.wrong_dtype').message).toContain('the model returned finite values — expected rejected it or converted it');
  });

  it('HTTP 500 on some rows: NO-GO, the server\'s error in the message', async () => {
    const { report } = await validate(endpoint('fail'));
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'metrics.run').message).toMatch(/HTTP 500: internal error: KeyError: 'segment' \(row \d+\) \(the call with rows \d+–1000 of .*fraud\.csv\)$/);
  });

  it('NaN on some rows: NO-GO naming the rows', async () => {
    const { report } = await validate(endpoint('nan'));
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'outputs.finite').message).toMatch(/"probabilities": 12 NaN\/Inf values \(first in row \d+\)/);
    expect(byId(report, 'comparison.metrics').status).toBe('error');
  });

  it('an answer one row short: NO-GO, the shapes named', async () => {
    const { report } = await validate(endpoint('short'));
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'smoke.batch_32').message).toContain('"label" has shape [31]: no dim holds the batch of 32');
  });

  it('slower than timeout_ms: NO-GO within bounded time, every request named with its timeout', async () => {
    const t0 = Date.now();
    const { report } = await validate(endpoint('slow', { checks: { ...FAST.checks, errors: { enabled: false } } }));
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'smoke.single').message).toMatch(/got no answer within 1500 ms/);
  });

  it('a worse model behind the same server: NO-GO on balanced accuracy', async () => {
    const { report } = await validate(endpoint('worse'));
    expect(failing(report)).toEqual(['comparison.balanced_accuracy']);
  });

  it('MLflow answers labels (0/1 like the labels): read as the predicted class with no config, GO with the balanced accuracy of V2 and no ROC AUC', async () => {
    const mlflow = (name: string) => ({ url: urls[name], protocol: 'mlflow' });
    const data = { eval: at('fraud.csv'), label: 'fraud' };
    for (const outputs of [undefined, { predictions: { kind: 'labels' } }]) {
      const { report } = await validate({ model: { endpoint: mlflow('healthy'), ...(outputs ? { outputs } : {}) }, baseline: { endpoint: mlflow('baseline') }, data });
      expect(report.metrics!.task).toBe('binary');
      expect(failing(report)).toEqual([]);
      expect(report.decision).toBe('GO');
      expect(metricsOf(report, 'candidate').balanced_accuracy).toBeCloseTo(0.9004, 4);
      expect(metricsOf(report, 'candidate').roc_auc).toBeNull(); // labels only: no score to rank by
      if (!outputs) expect(byId(report, 'metrics.computed').message).toContain('"predictions" is one column and the labels are all 0 or 1: read as the predicted class');
    }
  });
});

describe.skipIf(skipWithout('python'))('a command that misbehaves on stdout', () => {
  const command = (mode: string) => ({ run: `${PYTHON} ${at('misbehave.py')} ${mode} ${at('fraud_lr.pkl')}`, timeout_ms: 20_000 });
  const data = { eval: at('fraud.csv'), label: 'fraud' };

  it('answers with the bare prediction: NO-GO at once (not a timeout per request), saying what an answer is', async () => {
    const t0 = Date.now();
    const { report } = await validate({ model: { command: command('raw-answer') }, data });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(report.decision).toBe('NO-GO');
    expect(byId(report, 'smoke.single').message).toContain(
      'the command printed a JSON line that is not an answer to a request: each answer is {"id": <the request\'s id>, "outputs": [...]} or {"id": …, "error": "…"}; it printed: [[0.1, 0.9]]',
    );
  });

  it('dies mid-way: NO-GO with its exit code and stderr', async () => {
    const { report } = await validate({ model: { command: command('die-after-3') }, data });
    expect(report.decision).toBe('NO-GO');
    const died = report.checks.find((c) => c.status !== 'pass' && /exited with code 137/.test(c.message));
    expect(died?.message).toContain('MemoryError: Unable to allocate 1.2 GiB');
  });
});
