/**
 * The validate command end to end, in-process: real ONNX models through the real onnxruntime,
 * real CSV files, real config files. Each defect must show up as the check a user would read.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import reportSchema from '../schema/report.schema.json' with { type: 'json' };
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';
import { writeModel, type ModelName } from './support/models.ts';
import { buildModel } from './support/onnx-builder.ts';

const EXAMPLE = 'examples/iris';
let work: string;
// Keep the suite quick: fewer timed calls than the defaults (the statistics are unit-tested).
let fastConfig: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-validate-'));
  fastConfig = join(work, 'fast.yml');
  writeFileSync(fastConfig, 'checks:\n  latency:\n    warmup: 2\n    iterations: 20\n');
});

async function validateJson(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const out = mkdtempSync(join(work, 'out-'));
  const r = await cli(['validate', '--json', '--out', out, ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}


describe('validate on the iris example', () => {
  it('is GO with exit code 0, and writes the report, manifest and summary', async () => {
    const out = join(work, 'example');
    const r = await cli(['validate', '--config', `${EXAMPLE}/model-gate.yml`, '--out', out]);
    expect(r.stderr).not.toMatch(/unexpected error|model-gate:/i);
    expect(r.code).toBe(0);
    // The baseline's scores differ from the candidate's: an informational note, not a failure.
    expect(r.stdout).toMatch(/\d+\/\d+ checks passed, 1 with notes — GO/);
    expect(r.stdout).toMatch(/WARN +drift\.baseline\.score +info +score: drifted: KS p/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.decision).toBe('GO');
    expect(report.version.id).toMatch(/^v_\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}_[0-9a-f]{8}$/);
    expect(report.version.id.slice(-8)).toBe(report.version.sha256.slice(0, 8));
    expect(report.version.baseline).toMatchObject({ path: `${EXAMPLE}/baseline.onnx`, id: expect.stringMatching(/^v_.+_[0-9a-f]{8}$/) });
    expect(report.version.baseline!.id.slice(-8)).toBe(report.version.baseline!.sha256.slice(0, 8));
    expect(report.model.format).toMatchObject({ ir_version: 8, opsets: [{ domain: 'ai.onnx', version: 13 }] });
    expect(report.model.signature?.inputs).toEqual([
      { name: 'float_input', dtype: 'float32', shape: ['N', 4], fed: 'columns sepal_length, sepal_width, petal_length, petal_width', fed_shape: '[N, 4]' },
    ]);
    expect(report.data.rows_evaluated).toBe(60);
    expect(report.latency.map((l) => l.batch_size)).toEqual([1, 32]);
    for (const l of report.latency) {
      expect(l.p50_ms).toBeLessThanOrEqual(l.p95_ms);
      expect(l.p95_ms).toBeLessThanOrEqual(l.p99_ms);
      expect(l.p99_ms).toBeLessThanOrEqual(l.max_ms);
    }
    const validateReport = new Ajv({ allowUnionTypes: true }).compile(reportSchema);
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    const manifest = parse(readFileSync(join(out, 'deployment_manifest.yaml'), 'utf8'));
    expect(manifest).toMatchObject({
      version: report.version.id,
      sha256: report.version.sha256,
      model_path: `${EXAMPLE}/model.onnx`,
      decision: 'GO',
      promotion: { stages: [{ stage: 1, weight: 5 }, { stage: 2, weight: 25 }, { stage: 3, weight: 50 }, { stage: 4, weight: 100 }] },
    });
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| ✅ | `smoke.load` |');
  });

  it('runs the model through onnxruntime with the probabilities scikit-learn computed', async () => {
    const { default: ort } = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(`${EXAMPLE}/model.onnx`);
    const rows = readFileSync(`${EXAMPLE}/eval.csv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 4).map(Number));
    const expected = readFileSync(`${EXAMPLE}/sklearn_proba.csv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const out = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) });
    const probs = out.probabilities!.data as Float32Array;
    expected.forEach((row, i) => row.forEach((p, j) => expect(probs[i * 3 + j]).toBeCloseTo(p, 5)));
  });

  it('--json prints only the JSON report on stdout', async () => {
    const r = await cli(['validate', '--json', '--model', `${EXAMPLE}/model.onnx`, '--config', fastConfig, '--out', join(work, 'json')]);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stdout.trimStart().startsWith('{')).toBe(true);
    expect(r.stderr).toContain('› smoke');
  });

  it('works with only --model: inputs generated from the signature', async () => {
    const { code, report } = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--config', fastConfig]);
    expect(code).toBe(0);
    expect(report.data.source).toMatch(/256 rows generated \(seed \d+\): floats standard normal/);
  });

  it('generates inputs within the reference ranges when only reference data is given', async () => {
    const { report } = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--config', fastConfig, '--reference', `${EXAMPLE}/reference.csv`, '--label', 'species']);
    expect(report.data.source).toMatch(/generated within the ranges of examples\/iris\/reference.csv/);
    // Generated rows are not data to measure drift on: said, not silently left out.
    expect(byId(report, 'drift.dataset')).toMatchObject({ status: 'skip', message: expect.stringContaining('no current data') });
    expect(report.drift).toBeNull();
    expect(byId(report, 'inputs.mapping').message).toContain('sepal_length, sepal_width, petal_length, petal_width');
  });
});

describe('models with several inputs', () => {
  it('feed each input from the columns the config maps to it', async () => {
    const model = join(work, 'two-inputs.onnx');
    writeFileSync(
      model,
      buildModel({
        inputs: [
          { name: 'sepal', type: 'float32', shape: ['N', 2] },
          { name: 'petal', type: 'float64', shape: ['N', 2] },
        ],
        outputs: [{ name: 'score', type: 'float32', shape: ['N', 4] }],
        nodes: [
          { op: 'Cast', inputs: ['petal'], outputs: ['petal32'], attrs: { to: 1 } },
          { op: 'Concat', inputs: ['sepal', 'petal32'], outputs: ['score'], attrs: { axis: 1 } },
        ],
      }),
    );
    const cfg = join(work, 'two-inputs.yml');
    writeFileSync(
      cfg,
      'model:\n  inputs:\n    sepal: { columns: [sepal_length, sepal_width] }\n    petal: { columns: [petal_length, petal_width] }\nchecks:\n  latency: { iterations: 10, warmup: 1 }\n',
    );
    const { code, report } = await validateJson(['--model', model, '--config', cfg, '--data', `${EXAMPLE}/eval.csv`]);
    expect(byId(report, 'inputs.mapping').message).toBe(
      `"sepal" float32[N, 2] <- columns sepal_length, sepal_width; "petal" float64[N, 2] <- columns petal_length, petal_width (60 rows of ${EXAMPLE}/eval.csv)`,
    );
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('defective models are NO-GO, with the failing check naming the cause', () => {
  const cases: [ModelName, string, RegExp][] = [
    ['nanOutputs', 'outputs.finite', /"score": \d+ NaN\/Inf values \(first in row 1\)/],
    ['throwsAtInference', 'smoke.single', /inference failed: .*/],
    ['unnormalisedProbabilities', 'outputs.probabilities.probabilities', /rows not summing to 1/],
    ['batchDependent', 'smoke.batch_32_consistency', /batch of 32 differs from row-by-row results/],
  ];

  it('a model that answers a batch with one value has no prediction per row: the checks on predictions fail closed', async () => {
    const data = ['--data', `${EXAMPLE}/eval.csv`, '--label', 'species'];
    const { code, report } = await validateJson(['--model', writeModel('onePerCall'), '--config', fastConfig, ...data]);
    for (const id of ['outputs.run', 'metrics.run']) {
      expect(byId(report, id)).toMatchObject({ status: 'error', severity: 'blocker' });
      expect(byId(report, id).message).toContain('no output holds one answer per row: "total" [1, 1] is one value per call whatever the batch');
    }
    expect(report.decision).toBe('NO-GO');
    expect(code).toBe(1);
  });

  it('a feature count the model leaves dynamic is not perturbed: the scenario says why it is skipped', async () => {
    const data = ['--data', `${EXAMPLE}/eval.csv`, '--label', 'species'];
    const { report } = await validateJson(['--model', writeModel('anyWidth'), '--config', fastConfig, ...data]);
    const check = byId(report, 'errors.wrong_feature_count');
    expect(check.status).toBe('skip');
    expect(check.message).toBe('"x" [N, F] has no fixed size after the batch: any count is valid');
    const iris = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--config', fastConfig, ...data]);
    expect(byId(iris.report, 'errors.wrong_feature_count').message).toMatch(/"float_input" with 3 features per row instead of 4: the model rejected it/);
  });

  it('a model with no fixed feature count and no data says what to give', async () => {
    const { code, report } = await validateJson(['--model', writeModel('anyWidth'), '--config', fastConfig]);
    expect(byId(report, 'inputs.mapping').message).toContain('give evaluation or reference data');
    expect(code).toBe(1);
  });
  for (const [model, id, message] of cases) {
    it(`${model}: ${id}`, async () => {
      const data = ['--data', `${EXAMPLE}/eval.csv`, '--label', 'species'];
      const { code, report } = await validateJson(['--model', writeModel(model), '--config', fastConfig, ...data]);
      const check = byId(report, id);
      expect(check.status).toBe('fail');
      expect(check.severity).toBe('blocker');
      expect(check.message).toMatch(message);
      expect(report.decision).toBe('NO-GO');
      expect(report.reason).toContain(id);
      expect(code).toBe(1);
    });
  }

  it('a healthy generated model passes the same suite', async () => {
    const { code, report } = await validateJson(['--model', writeModel('healthy'), '--config', fastConfig]);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
  });

  it('a latency limit the model cannot meet fails with the measured value', async () => {
    const cfg = join(work, 'strict-latency.yml');
    writeFileSync(cfg, 'checks:\n  latency:\n    iterations: 10\n    warmup: 1\n    limits:\n      "1": { p95_ms: 0.000001 }\n');
    const { code, report } = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--config', cfg]);
    const check = byId(report, 'latency.batch_1');
    expect(check.status).toBe('fail');
    expect(check.threshold).toBe('p95 <= 0.000001 ms (percentiles judged on their interval)');
    expect(check.message).toMatch(/p95 [\d.]+ ms \(95% CI [\d.]+–[\d.∞]+ ms lies above 0.000001 ms\)/);
    expect(code).toBe(1);
  });

  it('a failing warning is DELAY, exit code 3', async () => {
    const cfg = join(work, 'delay.yml');
    writeFileSync(cfg, 'checks:\n  latency:\n    iterations: 10\n    warmup: 1\n    severity: warning\n    limits:\n      "1": { p95_ms: 0.000001 }\n');
    const { code, report } = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--config', cfg]);
    expect(report.decision).toBe('DELAY');
    expect(code).toBe(3);
  });

  it('a sha256 pin that does not match is a blocker', async () => {
    const cfg = join(work, 'pin.yml');
    writeFileSync(cfg, `model:\n  sha256: "${'0'.repeat(64)}"\nchecks:\n  latency:\n    iterations: 10\n`);
    const { report } = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--config', cfg]);
    expect(byId(report, 'artifact.sha256_pin').status).toBe('fail');
    expect(report.decision).toBe('NO-GO');
  });
});

describe('broken model files: NO-GO naming the file and the cause, never a crash', () => {
  const bytes = readFileSync(`${EXAMPLE}/model.onnx`);
  const files: [string, Buffer | null, string, RegExp][] = [
    ['missing.onnx', null, 'artifact.readable', /missing.onnx: file not found/],
    ['truncated.onnx', bytes.subarray(0, 200), 'artifact.format', /truncated.onnx is not a readable ONNX model/],
    ['text.onnx', Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n'), 'artifact.format', /Git LFS pointer/],
    ['empty.onnx', Buffer.alloc(0), 'artifact.format', /empty.onnx is not a readable ONNX model/],
  ];
  for (const [name, content, id, message] of files) {
    it(name, async () => {
      const path = join(work, name);
      if (content) writeFileSync(path, content);
      const { code, report, stderr } = await validateJson(['--model', path, '--config', fastConfig]);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      const check = byId(report, id);
      expect(check.status).toBe('fail');
      expect(check.message).toMatch(message);
      expect(report.decision).toBe('NO-GO');
      expect(code).toBe(1);
      const validateReport = new Ajv({ allowUnionTypes: true }).compile(reportSchema);
      expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    });
  }

  it('a truncated model also fails to load in onnxruntime, and the load check says so', async () => {
    const path = join(work, 'truncated-load.onnx');
    writeFileSync(path, bytes.subarray(0, 200));
    const { report } = await validateJson(['--model', path, '--config', fastConfig]);
    expect(byId(report, 'smoke.load').message).toContain('truncated-load.onnx does not load');
    expect(byId(report, 'smoke.run').status).toBe('skip');
  });
});

describe('usage, config and IO problems: exit code 2 with a located message', () => {
  it('an invalid config names file, line, column and key', async () => {
    const cfg = join(work, 'bad.yml');
    writeFileSync(cfg, 'model:\n  path: m.onnx\nchecks:\n  smoke:\n    batch_size: [1]\n');
    const r = await cli(['validate', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cfg}:5:5: unknown key "checks.smoke.batch_size"; did you mean "batch_sizes"?`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing config file given explicitly', async () => {
    const r = await cli(['validate', '--config', join(work, 'nope.yml'), '--model', `${EXAMPLE}/model.onnx`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`model-gate: config file not found: ${join(work, 'nope.yml')}\n`);
  });

  it('no model at all', async () => {
    const r = await cli(['validate', '--config', fastConfig]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no model given: pass --model');
  });

  it('an unreadable data file names the file and the cause', async () => {
    for (const [file, cause] of [
      [join(work, 'absent.csv'), /absent.csv: file not found/],
      [join(work, 'data.xlsx'), /data.xlsx: cannot tell the format from the extension/],
    ] as const) {
      const r = await cli(['validate', '--model', `${EXAMPLE}/model.onnx`, '--data', file, '--config', fastConfig]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(cause);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a label column that is not in the data fails the gate, naming the file and the columns', async () => {
    const { code, report } = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--data', `${EXAMPLE}/eval.csv`, '--label', 'target', '--config', fastConfig]);
    expect(byId(report, 'data.label')).toMatchObject({
      status: 'fail',
      severity: 'blocker',
      message: expect.stringMatching(/label column "target" is not in examples\/iris\/eval.csv; its columns are: sepal_length, .*species/),
    });
    expect(code).toBe(1);
  });

  it('data that cannot feed the model is a failing blocker, naming file and columns', async () => {
    const narrow = join(work, 'narrow.csv');
    writeFileSync(narrow, 'a,b,species\n1,2,0\n3,4,1\n');
    const { code, report } = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--data', narrow, '--label', 'species', '--config', fastConfig]);
    const check = byId(report, 'inputs.mapping');
    expect(check.status).toBe('fail');
    expect(check.message).toContain('narrow.csv');
    expect(check.message).toContain('takes 4 values per row');
    expect(code).toBe(1);
  });

  it('an --out that cannot be written', async () => {
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, '');
    const r = await cli(['validate', '--model', `${EXAMPLE}/model.onnx`, '--config', fastConfig, '--out', join(blocker, 'reports')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a-file\/reports: cannot write the reports there/);
  });

  it('bad rows (empty, non-numeric, ragged) are counted with their row numbers, and fail above the allowed share', async () => {
    const holes = join(work, 'holes.csv');
    writeFileSync(holes, 'a,b,c,d,species\n1,2,3,4,0\n5,,7,8,1\n1,2,x,4,0\n1,2,3\n1,2,3,4,1\n');
    const { code, report } = await validateJson(['--model', `${EXAMPLE}/model.onnx`, '--data', holes, '--label', 'species', '--config', fastConfig]);
    const check = byId(report, 'data.bad_rows');
    expect(check).toMatchObject({ status: 'fail', severity: 'blocker', value: 3 });
    expect(check.message).toContain('3 of 5 rows are bad (1 malformed, 1 missing, 1 invalid)');
    expect(check.message).toContain('row 2: "b" is empty or NaN; row 3: "c" is not a number; row 4: 3 fields, the header has 5');
    // The good rows are still evaluated, and NaN never reaches the model from the data.
    expect(report.data.rows_evaluated).toBe(2);
    expect(byId(report, 'outputs.finite').status).toBe('pass');
    expect(code).toBe(1);
  });

  it('unknown flags and commands', async () => {
    expect((await cli(['validate', '--modle', 'x'])).code).toBe(2);
    expect((await cli(['validate', '--modle', 'x'])).stderr).toContain('unknown option --modle for model-gate validate; did you mean --model?');
    expect((await cli(['deploy'])).stderr).toContain('unknown command "deploy"');
  });

  it('--help and --version', async () => {
    expect((await cli(['--help'])).stdout).toContain('model-gate validate');
    expect((await cli(['validate', '--help'])).stdout).toContain('--reference FILE');
    expect((await cli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
