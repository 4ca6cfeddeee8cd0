/**
 * Metrics on labelled data and the comparison with a baseline, end to end through the CLI on
 * the iris example's real ONNX models (candidate accuracy 0.967, baseline 0.867 on 60 rows).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';
import { buildModel } from './support/onnx-builder.ts';

const EXAMPLE = 'examples/iris';
let work: string;
let config: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-eval-'));
  config = join(work, 'gate.yml');
  writeFileSync(
    config,
    [
      'model:',
      '  outputs:',
      '    probabilities: { kind: probabilities }',
      '    label: { kind: labels, classes: [0, 1, 2] }',
      'checks:',
      '  latency: { warmup: 1, iterations: 10 }',
      '  errors: { enabled: false }',
      'comparison:',
      '  resamples: 2000',
      '  latency: { warmup: 2, iterations: 40 }',
      '',
    ].join('\n'),
  );
});

async function run(args: string[], cfg = config): Promise<{ code: number; report: Report; stderr: string }> {
  const out = mkdtempSync(join(work, 'out-'));
  const r = await cli(['validate', '--json', '--out', out, '--config', cfg, ...args]);
  return { code: r.code, report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report, stderr: r.stderr };
}
const iris = ['--data', `${EXAMPLE}/eval.csv`, '--label', 'species'];

describe('metrics on labelled data', () => {
  it('reports every classification metric by name, per class and as a confusion matrix', async () => {
    const { report } = await run(['--model', `${EXAMPLE}/model.onnx`, ...iris]);
    const m = report.metrics!;
    expect(m.task).toBe('multiclass');
    expect(m.rows).toBe(60);
    expect(m.candidate.accuracy).toBeCloseTo(58 / 60, 12);
    for (const k of ['balanced_accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'f1_micro', 'f1_weighted', 'roc_auc', 'log_loss', 'brier', 'ece']) {
      expect(typeof m.candidate[k], k).toBe('number');
    }
    const cm = m.candidate.confusion_matrix as number[][];
    expect(cm.flat().reduce((a, b) => a + b, 0)).toBe(60);
    expect(cm[0]![0]! + cm[1]![1]! + cm[2]![2]!).toBe(58);
    expect(Object.keys(m.candidate.per_class as object)).toEqual(['0', '1', '2']);
  });

  it('bounds per metric pass and fail; a bound on a metric the model cannot give fails closed', async () => {
    const cfg = join(work, 'bounds.yml');
    writeFileSync(
      cfg,
      readFileSync(config, 'utf8') + 'metrics:\n  thresholds:\n    accuracy: { min: 0.95 }\n    f1_macro: { min: 0.99, severity: warning }\n    rmse: { max: 1 }\n',
    );
    const { code, report } = await run(['--model', `${EXAMPLE}/model.onnx`, ...iris], cfg);
    expect(byId(report, 'metrics.accuracy')).toMatchObject({ status: 'pass', threshold: '>= 0.95' });
    expect(byId(report, 'metrics.f1_macro')).toMatchObject({ status: 'fail', severity: 'warning' });
    expect(byId(report, 'metrics.rmse')).toMatchObject({ status: 'fail', message: 'rmse does not apply to a multiclass model' });
    expect(code).toBe(1);

    const unlabelled = await run(['--model', `${EXAMPLE}/model.onnx`], cfg);
    expect(byId(unlabelled.report, 'metrics.accuracy')).toMatchObject({ status: 'fail', message: expect.stringContaining('cannot be computed') });
    expect(unlabelled.code).toBe(1);
  });

  it('labels the model does not predict fail with the file, the column and the values', async () => {
    const text = join(work, 'named.csv');
    const rows = readFileSync(`${EXAMPLE}/eval.csv`, 'utf8').trim().split('\n');
    writeFileSync(text, [rows[0], ...rows.slice(1).map((r) => r.replace(/,(\d)$/, (_, c) => `,${['setosa', 'versicolor', 'virginica'][Number(c)]}`))].join('\n'));
    const { code, report } = await run(['--model', `${EXAMPLE}/model.onnx`, '--data', text, '--label', 'species']);
    expect(byId(report, 'metrics.labels').message).toMatch(/named.csv: label column "species" holds values the model does not predict: "(setosa|versicolor|virginica)" \(\d+ rows\)/);
    expect(code).toBe(1);

    // Naming the classes maps them.
    const cfg = join(work, 'named.yml');
    writeFileSync(cfg, readFileSync(config, 'utf8') + 'metrics:\n  classes: [setosa, versicolor, virginica]\n');
    const named = await run(['--model', `${EXAMPLE}/model.onnx`, '--data', text, '--label', 'species'], cfg);
    expect(named.report.metrics!.candidate.accuracy).toBeCloseTo(58 / 60, 12);
  });

  it('JSON Lines and Parquet give the same metrics as CSV', async () => {
    const lines = readFileSync(`${EXAMPLE}/eval.csv`, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    const records = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, Number(v)])));
    const jsonl = join(work, 'eval.jsonl');
    writeFileSync(jsonl, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const parquet = join(work, 'eval.parquet');
    parquetWriteFile({
      filename: parquet,
      columnData: header.map((name) => ({
        name,
        data: name === 'species' ? records.map((r) => BigInt(r[name]!)) : Float64Array.from(records, (r) => r[name]!),
        type: name === 'species' ? 'INT64' : 'DOUBLE',
      })),
      rowGroupSize: 25,
    });
    const csv = await run(['--model', `${EXAMPLE}/model.onnx`, ...iris]);
    for (const file of [jsonl, parquet]) {
      const { report } = await run(['--model', `${EXAMPLE}/model.onnx`, '--data', file, '--label', 'species']);
      expect(report.metrics!.candidate, file).toEqual(csv.report.metrics!.candidate);
    }
  });
});

describe('comparison with the baseline', () => {
  it('a better candidate: a significant improvement by McNemar and a bootstrap interval above zero', async () => {
    const { code, report } = await run(['--model', `${EXAMPLE}/model.onnx`, '--baseline', `${EXAMPLE}/baseline.onnx`, ...iris]);
    const acc = report.comparison!.metrics.accuracy!;
    expect(acc.delta).toBeCloseTo(0.1, 12);
    expect(acc.p_value).toBeCloseTo(0.03125, 12); // 2·P(X ≤ 0), X ~ Bin(5, ½): 5 discordant rows, all for the candidate
    expect(report.comparison!.mcnemar).toMatchObject({ candidate_only: 6, baseline_only: 0 });
    expect(acc.interval!.low).toBeGreaterThan(0);
    expect(acc.verdict).toBe('improvement');
    expect(report.metrics!.baseline!.accuracy).toBeCloseTo(52 / 60, 12);
    expect(byId(report, 'comparison.accuracy').status).toBe('pass');
    expect(report.comparison!.agreement!.flip_share).toBeCloseTo(6 / 60, 12);
    // 40 interleaved pairs at first; more while the ratio's interval contains the blocker ratio.
    expect(report.latency_comparison!.samples).toBeGreaterThanOrEqual(40);
    expect(report.latency_comparison!.stopped).toBeDefined();
    expect(code).toBe(0);
  });

  it('a worse candidate is a NO-GO by default: the primary metric regresses by more than the default margin', async () => {
    const { code, report } = await run(['--model', `${EXAMPLE}/baseline.onnx`, '--baseline', `${EXAMPLE}/model.onnx`, ...iris]);
    expect(byId(report, 'comparison.accuracy')).toMatchObject({ status: 'fail', severity: 'blocker', message: expect.stringContaining('worse than the tolerated regression') });
    expect(byId(report, 'comparison.accuracy').message).toContain('held to a margin of 0.01 at one-sided α = 2.5%');
    expect(report.comparison!.metrics.accuracy!.verdict).toBe('regression');
    expect(code).toBe(1);
  });

  it('signed change thresholds: may regress by at most X, must improve by X, suspicious improvement', async () => {
    const cfg = join(work, 'changes.yml');
    writeFileSync(
      cfg,
      readFileSync(config, 'utf8') +
        'metrics:\n  thresholds:\n    accuracy: { max_regression: 0.5, min_improvement: 0.5, suspicious_improvement: 0.01 }\n    log_loss: { max_regression_relative: 0.05 }\n',
    );
    const { report } = await run(['--model', `${EXAMPLE}/model.onnx`, '--baseline', `${EXAMPLE}/baseline.onnx`, ...iris], cfg);
    expect(byId(report, 'comparison.accuracy.max_regression').status).toBe('pass');
    expect(byId(report, 'comparison.accuracy.min_improvement')).toMatchObject({ status: 'fail', message: expect.stringContaining('an improvement of 0.5 is not shown') });
    expect(byId(report, 'comparison.accuracy.suspicious_improvement')).toMatchObject({ status: 'warn', severity: 'warning' });
    expect(report.comparison!.metrics.log_loss!.direction).toBe('lower');
    expect(report.comparison!.metrics.log_loss!.relative_interval).not.toBeNull();
  });

  it('a baseline with other inputs is fed its own way; outputs that are no predictions are a failing check naming the difference, not a crash', async () => {
    const other = join(work, 'other.onnx');
    writeFileSync(
      other,
      buildModel({
        inputs: [{ name: 'x', type: 'float32', shape: ['N', 4] }],
        outputs: [{ name: 'y', type: 'float32', shape: ['N', 4] }],
        nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    const { code, report } = await run(['--model', `${EXAMPLE}/model.onnx`, '--baseline', other, ...iris]);
    // Its four plain score columns could be class logits, but the candidate has three classes.
    expect(byId(report, 'comparison.outputs').message).toMatch(
      /the baseline's outputs cannot be read as predictions: the 4 score columns of "y" would be class logits, but the candidate has 3 classes; say what they are in model.outputs.y.kind \(the baseline was fed the rows its own way, its signature differing from the candidate's: input "float_input" is missing/,
    );
    expect(code).toBe(1);
  });

  it('takes the baseline from a git ref, or from a URL', async () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const fromGit = await run(['--model', `${EXAMPLE}/model.onnx`, '--baseline', `git:${head}:${EXAMPLE}/baseline.onnx`, ...iris]);
    expect(fromGit.report.version.baseline!.sha256).toBe(
      (await run(['--model', `${EXAMPLE}/model.onnx`, '--baseline', `${EXAMPLE}/baseline.onnx`, ...iris])).report.version.baseline!.sha256,
    );
    expect(fromGit.report.comparison!.metrics.accuracy!.delta).toBeCloseTo(0.1, 12);

    const bytes = readFileSync(`${EXAMPLE}/baseline.onnx`);
    const server = createServer((req, res) => {
      if (req.url === '/models/baseline.onnx') res.end(bytes);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const fromUrl = await run(['--model', `${EXAMPLE}/model.onnx`, '--baseline', `http://127.0.0.1:${port}/models/baseline.onnx`, ...iris]);
      expect(fromUrl.report.comparison!.metrics.accuracy!.delta).toBeCloseTo(0.1, 12);
      const missing = await cli(['validate', '--model', `${EXAMPLE}/model.onnx`, '--config', config, '--baseline', `http://127.0.0.1:${port}/nope.onnx`]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('nope.onnx: download failed: HTTP 404');
    } finally {
      server.close();
    }
    const badRef = await cli(['validate', '--model', `${EXAMPLE}/model.onnx`, '--config', config, '--baseline', 'git:no-such-ref:model.onnx']);
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toMatch(/git:no-such-ref:model.onnx: cannot read model.onnx at no-such-ref/);
  });
});
