/**
 * NaN and Infinity end to end: real ONNX models whose outputs are NaN or infinite on some rows,
 * and eval data with infinite cells, validated with labels through the CLI in a child process
 * that is killed if it runs too long. The gate must finish, NO-GO, naming the output and rows,
 * never spin on the defect it exists to catch (issues #13, #18).
 */
import { PYTHON } from './support/tools.ts';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/json.ts';
import { byId } from './support/cli.ts';
import { buildModel } from './support/onnx-builder.ts';

/** Node 24 runs the TypeScript sources directly; a hang shows up as this timeout, not a stuck suite. */
const NODE = existsSync('node_modules/node/bin/node') ? resolve('node_modules/node/bin/node') : process.execPath;
const KILL_AFTER_MS = 45_000;
const PY = PYTHON;

let work: string;
let config: string;

/** P(class) = x_c / (x_0 + x_1) as softmax(log x): NaN on a row with a negative value. */
const logSoftmax = (abs: boolean) =>
  buildModel({
    inputs: [{ name: 'x', type: 'float32', shape: ['N', 2] }],
    outputs: [{ name: 'probabilities', type: 'float32', shape: ['N', 2] }],
    nodes: [
      ...(abs ? [{ op: 'Abs', inputs: ['x'], outputs: ['positive'] }] : []),
      { op: 'Log', inputs: [abs ? 'positive' : 'x'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attrs: { axis: 1 } },
    ],
  });

/** prediction = a + b: infinite where a cell is, NaN where +∞ meets −∞. */
const sum = () =>
  buildModel({
    inputs: [{ name: 'x', type: 'float32', shape: ['N', 2] }],
    outputs: [{ name: 'prediction', type: 'float32', shape: ['N', 1] }],
    nodes: [{ op: 'MatMul', inputs: ['x', 'ones'], outputs: ['prediction'] }],
    initializers: [{ name: 'ones', dims: [2, 1], values: [1, 1] }],
  });

/** 100 rows, class 1 when b > a (the model is right on most of them); `negative` rows get a < 0. */
function classificationCsv(negative: number[]): string {
  const lines = ['a,b,label'];
  for (let i = 0; i < 100; i++) {
    const a = 1 + ((i * 37) % 23);
    const b = 1 + ((i * 11) % 19);
    lines.push(`${negative.includes(i) ? -a : a},${b},${b > a ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  report: Report | null;
}

async function validate(args: string[]): Promise<Run> {
  const out = mkdtempSync(join(work, 'out-'));
  const argv = ['src/cli.ts', 'validate', '--json', '--out', out, '--config', config, ...args];
  const { code, signal, stderr } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) => {
    execFile(NODE, argv, { timeout: KILL_AFTER_MS, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 }, (error, _stdout, stderr) => {
      const e = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
      done({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stderr });
    });
  });
  const path = join(out, 'report.json');
  return { code, signal, stderr, report: existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Report) : null };
}

/** The run finished by itself (no kill), NO-GO (exit 1), with a report. */
function finishedNoGo(r: Run): Report {
  expect(r.signal, `killed after ${KILL_AFTER_MS} ms: the gate hung`).toBeNull();
  expect(r.stderr).not.toMatch(/unexpected error|at .*\.ts:\d+/);
  expect(r.code).toBe(1);
  expect(r.report).not.toBeNull();
  expect(r.report!.decision).toBe('NO-GO');
  return r.report!;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-nonfinite-'));
  config = join(work, 'gate.yml');
  writeFileSync(
    config,
    [
      'checks:',
      '  latency: { enabled: false }',
      '  errors: { enabled: false }',
      'metrics:',
      '  thresholds:',
      '    accuracy: { min: 0.5 }',
      '    roc_auc: { min: 0.5 }',
      'comparison:',
      '  resamples: 200',
      '  latency: { enabled: false }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(work, 'nan.onnx'), logSoftmax(false));
  writeFileSync(join(work, 'finite.onnx'), logSoftmax(true));
  writeFileSync(join(work, 'sum.onnx'), sum());
  writeFileSync(join(work, 'eval.csv'), classificationCsv([4, 17, 90]));
});

describe('a classifier whose probabilities are NaN on a few rows', () => {
  it('finishes NO-GO: outputs.finite and the metrics name the output and the rows', { timeout: 2 * KILL_AFTER_MS }, async () => {
    const report = finishedNoGo(await validate(['--model', join(work, 'nan.onnx'), '--data', join(work, 'eval.csv'), '--label', 'label']));
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', value: 6 });
    const why = 'output "probabilities" is NaN on 3 rows (rows 5, 18, 91): metrics need finite predictions';
    expect(byId(report, 'metrics.computed')).toMatchObject({ status: 'fail', severity: 'blocker', message: why });
    expect(byId(report, 'metrics.accuracy')).toMatchObject({ status: 'fail', message: `accuracy cannot be computed: ${why}` });
    expect(byId(report, 'metrics.roc_auc')).toMatchObject({ status: 'fail', message: `roc_auc cannot be computed: ${why}` });
  });

  it('as the baseline, the comparison finishes and refuses it by name; as the candidate, too', { timeout: 4 * KILL_AFTER_MS }, async () => {
    const data = ['--data', join(work, 'eval.csv'), '--label', 'label'];
    // The baseline's metrics are computed for the report: its ROC AUC once looped forever here.
    const nanBaseline = finishedNoGo(await validate(['--model', join(work, 'finite.onnx'), '--baseline', join(work, 'nan.onnx'), ...data]));
    expect(byId(nanBaseline, 'metrics.roc_auc')).toMatchObject({ status: 'pass' });
    expect(byId(nanBaseline, 'comparison.metrics')).toMatchObject({
      status: 'error',
      severity: 'blocker',
      message: `the baseline's output "probabilities" is NaN on 3 rows (rows 5, 18, 91): metrics need finite predictions`,
    });

    const nanCandidate = finishedNoGo(await validate(['--model', join(work, 'nan.onnx'), '--baseline', join(work, 'finite.onnx'), ...data]));
    expect(byId(nanCandidate, 'metrics.computed')).toMatchObject({ status: 'fail' });
    expect(byId(nanCandidate, 'comparison.metrics')).toMatchObject({ status: 'error', message: expect.stringContaining(`the candidate's output "probabilities" is NaN on 3 rows`) });
  });
});

describe('eval data with Infinity, -Infinity, 1e309 and NaN cells', () => {
  it('finishes: the NaN row is a skipped bad row, the infinite predictions and labels are refused by row', { timeout: 4 * KILL_AFTER_MS }, async () => {
    const regression = join(work, 'regression.yml');
    writeFileSync(regression, 'checks:\n  latency: { enabled: false }\n  errors: { enabled: false }\nmetrics:\n  thresholds:\n    rmse: { max: 100 }\n');
    const rows = (cells: Record<number, string>) => {
      const lines = ['a,b,y'];
      for (let i = 0; i < 150; i++) lines.push(cells[i] ?? `${i % 7},${i % 5},${(i % 7) + (i % 5)}`);
      return lines.join('\n') + '\n';
    };
    const features = join(work, 'features.csv');
    // Data rows 3, 6, 8 (0-based 2, 5, 7) are infinite, and named so; row 10 (0-based 9) is NaN and skipped.
    writeFileSync(features, rows({ 2: 'Infinity,1,3', 5: '2,-Infinity,1', 7: '1e309,2,3', 9: 'NaN,1,1' }));
    const base = ['--config', regression, '--model', join(work, 'sum.onnx'), '--label', 'y'];
    const r = await validate(['--data', features, ...base]);
    const report = finishedNoGo(r);
    expect(byId(report, 'data.bad_rows')).toMatchObject({ status: 'pass', value: 1, message: expect.stringContaining('row 10: "a" is empty or NaN (skipped)') });
    expect(report.data.rows_evaluated).toBe(149);
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', value: 3 });
    const why = 'output "prediction" is ±Infinity on 3 rows (rows 3, 6, 8): metrics need finite predictions';
    expect(byId(report, 'metrics.computed')).toMatchObject({ status: 'fail', message: why });
    expect(byId(report, 'metrics.rmse')).toMatchObject({ status: 'fail', message: `rmse cannot be computed: ${why}` });

    // Finite features, infinite labels: the label column is named, not averaged into an RMSE.
    const labels = join(work, 'labels.csv');
    writeFileSync(labels, rows({ 3: '1,1,Infinity', 8: '1,2,-1e309', 11: '1,1,NaN' }));
    const byLabel = finishedNoGo(await validate(['--data', labels, ...base]));
    expect(byId(byLabel, 'outputs.finite')).toMatchObject({ status: 'pass' });
    expect(byId(byLabel, 'metrics.computed')).toMatchObject({
      status: 'fail',
      message: `${labels}: label column "y" is ±Infinity on 2 rows (rows 4, 9): metrics need finite labels`,
    });
  });

  it('finishes for a classifier fed infinite cells: NaN probabilities refused, the run NO-GO', { timeout: 2 * KILL_AFTER_MS }, async () => {
    const csv = classificationCsv([]).trim().split('\n');
    csv[3] = 'Infinity,2,0';
    csv[6] = '-Infinity,2,1';
    csv[9] = '1e309,2,0';
    csv[12] = 'NaN,2,1';
    const path = join(work, 'infinite-cells.csv');
    writeFileSync(path, csv.join('\n') + '\n');
    const report = finishedNoGo(await validate(['--model', join(work, 'nan.onnx'), '--data', path, '--label', 'label']));
    expect(byId(report, 'data.bad_rows')).toMatchObject({ value: 1 });
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail' });
    expect(byId(report, 'metrics.computed').message).toMatch(/^output "probabilities" is NaN on \d+ rows \(rows 3, 6, 9.*\): metrics need finite predictions$/);
  });
});

/** A command adapter answering P = (a, b) / (a + b), as Python writes it: bare NaN where a < 0. */
const ADAPTER = `import json, sys
def send(m):
    sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
send({"ready": True, "inputs": [{"name": "input", "datatype": "FP64", "shape": [-1, 2]}],
      "outputs": [{"name": "probabilities", "datatype": "FP64", "shape": [-1, 2]}]})
for line in sys.stdin:
    r = json.loads(line); t = r["inputs"][0]; d = t["data"]; n = t["shape"][0]
    out = []
    for i in range(n):
        a, b = d[2 * i], d[2 * i + 1]
        out += [float("nan"), float("nan")] if a < 0 else [a / (a + b), b / (a + b)]
    send({"id": r["id"], "outputs": [{"name": "probabilities", "datatype": "FP64", "shape": [n, 2], "data": out}]})
`;

describe('a command writing bare NaN', () => {
  it('finishes NO-GO naming the output and the rows', { timeout: 2 * KILL_AFTER_MS }, async () => {
    const script = join(work, 'adapter.py');
    writeFileSync(script, ADAPTER);
    const report = finishedNoGo(await validate(['--command', `${PY} ${script}`, '--data', join(work, 'eval.csv'), '--label', 'label']));
    expect(byId(report, 'outputs.finite')).toMatchObject({ status: 'fail', value: 6 });
    expect(byId(report, 'metrics.computed')).toMatchObject({
      status: 'fail',
      message: 'output "probabilities" is NaN on 3 rows (rows 5, 18, 91): metrics need finite predictions',
    });
  });
});

