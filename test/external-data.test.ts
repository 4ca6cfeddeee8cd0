/**
 * Models saved with external data (weights beside the graph file), end to end through the CLI with
 * the real onnxruntime: the sha256, version ID and pin cover the weights; a location outside the
 * model's directory is refused before onnxruntime opens the model. Fixtures and their expected
 * sha256 and accuracy: scripts/models/external_data.py.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import reportSchema from '../schema/report.schema.json' with { type: 'json' };
import type { Report } from '../src/report/json.ts';
import { locationProblem } from '../src/runners/model-files.ts';
import { readExternalDataRefs } from '../src/runners/onnx-external-data.ts';
import { byId, cli } from './support/cli.ts';

const FIXTURES = 'test/fixtures/external-data';
const EXPECTED = JSON.parse(readFileSync(`${FIXTURES}/expected.json`, 'utf8')) as Record<
  'healthy' | 'swapped' | 'multi',
  { sha256: string; accuracy: number; files: { path: string; size_bytes: number; sha256: string }[] }
>;
const model = (name: string) => `${FIXTURES}/${name}/model.onnx`;

let work: string;
let config: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-external-'));
  config = writeConfig('gate.yml', '');
});

function writeConfig(name: string, modelKeys: string, checkKeys = ''): string {
  const path = join(work, name);
  writeFileSync(
    path,
    [
      'model:',
      modelKeys,
      '  outputs:',
      '    probabilities: { kind: probabilities }',
      '    label: { kind: labels, classes: [0, 1, 2] }',
      'data:',
      '  eval: examples/iris/eval.csv',
      '  label: species',
      'checks:',
      '  latency: { warmup: 2, iterations: 10 }',
      checkKeys,
      'metrics:',
      '  thresholds:',
      '    accuracy: { min: 0.9 }',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
  return path;
}

async function validate(args: string[]): Promise<{ code: number; report: Report; stderr: string; out: string }> {
  const out = mkdtempSync(join(work, 'out-'));
  const r = await cli(['validate', '--json', '--out', out, ...args]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr, out };
}

/** A copy of the healthy graph file in a fresh directory, to arrange its weights file around. */
function healthyGraphIn(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  copyFileSync(model('healthy'), join(dir, 'model.onnx'));
  return dir;
}

/** The model was refused before onnxruntime: no smoke check ran, every family says it did not load. */
function expectNeverLoaded(report: Report) {
  expect(report.checks.filter((c) => c.id.startsWith('smoke.') && c.id !== 'smoke.run')).toEqual([]);
  expect(byId(report, 'smoke.run').status).toBe('skip');
  expect(report.model.signature).toBeNull();
  expect(report.decision).toBe('NO-GO');
}

describe('a model with external data', () => {
  it('is GO, with the metrics of the same model stored in one file', async () => {
    const inFile = await validate(['--config', config, '--model', 'examples/iris/model.onnx']);
    const { code, report, out } = await validate(['--config', config, '--model', model('healthy')]);
    expect(code).toBe(0);
    expect(report.decision).toBe('GO');
    expect(report.metrics!.candidate).toEqual(inFile.report.metrics!.candidate);
    expect(report.metrics!.candidate.accuracy).toBeCloseTo(EXPECTED.healthy.accuracy, 12);
    expect(byId(report, 'artifact.external_data')).toMatchObject({ status: 'pass', value: 1 });
    expect(byId(report, 'artifact.external_data').message).toMatch(/^4 tensors stored in 1 file beside the model/);

    // The sha256 covers the graph and the weights, as the Python script computed it with hashlib.
    expect(report.model.sha256).toBe(EXPECTED.healthy.sha256);
    expect(report.version.sha256).toBe(EXPECTED.healthy.sha256);
    expect(report.version.id.slice(-8)).toBe(EXPECTED.healthy.sha256.slice(0, 8));
    const files = EXPECTED.healthy.files.map((f) => ({ ...f, path: `${FIXTURES}/healthy/${f.path}` }));
    expect(report.model.files).toEqual(files);
    expect(report.model.size_bytes).toBe(files[0]!.size_bytes + files[1]!.size_bytes);
    expect(report.model.sha256_command).toBe(`cat '${files[0]!.path}' '${files[1]!.path}' | sha256sum`);
    const concatenated = Buffer.concat(files.map((f) => readFileSync(f.path)));
    expect(createHash('sha256').update(concatenated).digest('hex')).toBe(report.model.sha256);
    expect(byId(report, 'artifact.readable').message).toMatch(/model\.onnx \+ 1 external data file \(weights\.bin\): 759 B in all, sha256 7878003d/);

    const validateReport = new Ajv({ allowUnionTypes: true }).compile(reportSchema);
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    const manifest = parse(readFileSync(join(out, 'deployment_manifest.yaml'), 'utf8'));
    expect(manifest).toMatchObject({ sha256: EXPECTED.healthy.sha256, size_bytes: 759, model_files: files });
  });

  it('in one file per tensor, one of them a Constant node\'s: every file hashed in order of first reference', async () => {
    const { code, report } = await validate(['--config', config, '--model', model('multi')]);
    expect(code).toBe(0);
    expect(report.model.files!.map((f) => f.path)).toEqual(EXPECTED.multi.files.map((f) => `${FIXTURES}/multi/${f.path}`));
    expect(report.model.files!.map((f) => f.path.split('/').pop())).toEqual(['model.onnx', 'bias_const', 'mean', 'scale', 'W']);
    expect(report.model.sha256).toBe(EXPECTED.multi.sha256);
    expect(byId(report, 'artifact.external_data').message).toMatch(/^4 tensors stored in 4 files/);
    expect(report.metrics!.candidate.accuracy).toBeCloseTo(EXPECTED.multi.accuracy, 12);
  });

  it('with its weights file swapped: another sha256 and version ID, and a pin on the old sha256 fails', async () => {
    const { report } = await validate(['--config', config, '--model', model('swapped')]);
    // The graph file is byte for byte the healthy one; only weights.bin differs.
    expect(report.model.files![0]!.sha256).toBe(EXPECTED.healthy.files[0]!.sha256);
    expect(report.model.sha256).toBe(EXPECTED.swapped.sha256);
    expect(report.model.sha256).not.toBe(EXPECTED.healthy.sha256);
    expect(report.version.id.slice(-8)).toBe(EXPECTED.swapped.sha256.slice(0, 8));
    expect(report.version.id.slice(-8)).not.toBe(EXPECTED.healthy.sha256.slice(0, 8));
    expect(report.metrics!.candidate.accuracy).toBeCloseTo(EXPECTED.swapped.accuracy, 12);

    const pinned = writeConfig('pinned.yml', `  sha256: "${EXPECTED.healthy.sha256}"`);
    const swapped = await validate(['--config', pinned, '--model', model('swapped')]);
    expect(byId(swapped.report, 'artifact.sha256_pin')).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(byId(swapped.report, 'artifact.sha256_pin').message).toContain(`differs from the pinned ${EXPECTED.healthy.sha256}`);
    expect(swapped.code).toBe(1);
    const healthy = await validate(['--config', pinned, '--model', model('healthy')]);
    expect(byId(healthy.report, 'artifact.sha256_pin').status).toBe('pass');
  });

  it('without external data keeps the plain sha256 of its file', async () => {
    const { report } = await validate(['--config', config, '--model', 'examples/iris/model.onnx']);
    const plain = createHash('sha256').update(readFileSync('examples/iris/model.onnx')).digest('hex');
    expect(report.model.sha256).toBe(plain);
    expect(report.model.files).toEqual([{ path: 'examples/iris/model.onnx', size_bytes: report.model.size_bytes, sha256: plain }]);
    expect(report.model.sha256_command).toBe("sha256sum 'examples/iris/model.onnx'");
    expect(report.checks.map((c) => c.id)).not.toContain('artifact.external_data');
  });
});

describe('external data outside the model\'s directory is refused before onnxruntime opens the model', () => {
  it('a "../" location (a valid weights file is there)', async () => {
    const { code, report, stderr } = await validate(['--config', config, '--model', model('escape')]);
    const check = byId(report, 'artifact.external_data');
    expect(check).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(check.message).toMatch(/tensors "mean", "scale", "W" and 1 more, location "\.\.\/escape\.bin": leaves the model's directory/);
    expect(check.message).toMatch(/The model was not loaded\.$/);
    expectNeverLoaded(report);
    expect(report.version.id).toBe('');
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('an absolute location', async () => {
    const { report } = await validate(['--config', config, '--model', model('absolute')]);
    expect(byId(report, 'artifact.external_data').message).toMatch(/location "\/tmp\/weights\.bin": an absolute path/);
    expectNeverLoaded(report);
  });

  it('a symbolic link to a file outside', async () => {
    const dir = healthyGraphIn('symlink-out');
    const outside = mkdtempSync(join(work, 'outside-'));
    copyFileSync(`${FIXTURES}/healthy/weights.bin`, join(outside, 'weights.bin'));
    symlinkSync(join(outside, 'weights.bin'), join(dir, 'weights.bin'));
    const { report } = await validate(['--config', config, '--model', join(dir, 'model.onnx')]);
    expect(byId(report, 'artifact.external_data').message).toMatch(/location "weights\.bin": resolves \(through a symbolic link\) to .*outside-.*weights\.bin, outside the model's directory/);
    expectNeverLoaded(report);
  });

  it('a symbolic link within the directory is fine', async () => {
    const dir = healthyGraphIn('symlink-in');
    mkdirSync(join(dir, 'blobs'));
    copyFileSync(`${FIXTURES}/healthy/weights.bin`, join(dir, 'blobs', 'w'));
    symlinkSync(join('blobs', 'w'), join(dir, 'weights.bin'));
    const { code, report } = await validate(['--config', config, '--model', join(dir, 'model.onnx')]);
    expect(code).toBe(0);
    expect(report.model.sha256).toBe(EXPECTED.healthy.sha256);
  });

  it('a pin cannot pass when the external data is refused', async () => {
    const pinned = writeConfig('pinned-escape.yml', `  sha256: "${EXPECTED.healthy.sha256}"`);
    const { report } = await validate(['--config', pinned, '--model', model('escape')]);
    expect(byId(report, 'artifact.sha256_pin')).toMatchObject({ status: 'fail' });
    expect(byId(report, 'artifact.sha256_pin').message).toMatch(/cannot verify the pinned sha256/);
  });

  it('a baseline with escaping external data stops the run, naming it', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const r = await cli(['validate', '--out', out, '--config', config, '--model', model('healthy'), '--baseline', model('escape')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/escape\/model\.onnx: tensors "mean", "scale", "W" and 1 more, location "\.\.\/escape\.bin": leaves the model's directory/);
  });
});

describe('broken external data: NO-GO naming the file', () => {
  it('a missing weights file', async () => {
    const dir = healthyGraphIn('missing');
    const { report } = await validate(['--config', config, '--model', join(dir, 'model.onnx')]);
    const check = byId(report, 'artifact.external_data');
    expect(check.status).toBe('fail');
    expect(check.message).toContain(`location "weights.bin": ${join(dir, 'weights.bin')}: file not found`);
    expectNeverLoaded(report);
  });

  it('a truncated weights file', async () => {
    const dir = healthyGraphIn('truncated');
    writeFileSync(join(dir, 'weights.bin'), readFileSync(`${FIXTURES}/healthy/weights.bin`).subarray(0, 40));
    const { report } = await validate(['--config', config, '--model', join(dir, 'model.onnx')]);
    expect(byId(report, 'artifact.external_data').message).toMatch(/tensor "W", location "weights\.bin": offset \d+ \+ length 48 runs past the end of .*weights\.bin \(40 bytes\)/);
    expectNeverLoaded(report);
  });

  it('the artifact family turned off still refuses', async () => {
    const off = writeConfig('off.yml', '', '  artifact: { enabled: false }');
    const { report } = await validate(['--config', off, '--model', model('escape')]);
    expect(byId(report, 'artifact.external_data')).toMatchObject({ status: 'fail', severity: 'blocker' });
    expectNeverLoaded(report);
  });
});

describe('where external tensors are found', () => {
  it('in a subgraph (an If branch\'s Constant): refused there too', async () => {
    const { report } = await validate(['--config', config, '--model', model('subgraph')]);
    expect(byId(report, 'artifact.external_data').message).toMatch(/tensor "else_const", location "\.\.\/escape\.bin": leaves the model's directory/);
    expectNeverLoaded(report);
  });

  it('in the order they appear in the file', () => {
    const refs = readExternalDataRefs(readFileSync(model('subgraph')));
    expect(refs).toEqual([
      { tensor: 'else_const', location: '../escape.bin', offset: '0', length: '12' },
      { tensor: 'then_const', location: 'weights.bin', offset: '12', length: '12' },
    ]);
    expect(readExternalDataRefs(readFileSync(model('multi'))).map((r) => r.tensor)).toEqual(['bias_const', 'mean', 'scale', 'W']);
    expect(readExternalDataRefs(readFileSync('examples/iris/model.onnx'))).toEqual([]);
  });

  it('locations: relative paths inside the directory only', () => {
    for (const ok of ['weights.bin', './weights.bin', 'sub/w.bin', 'sub/../w.bin', 'a/b/../../w.bin', '..weights']) expect(locationProblem(ok), ok).toBeNull();
    for (const bad of ['../w.bin', 'sub/../../w.bin', '..\\w.bin', 'a\\..\\..\\w.bin', '/etc/passwd', 'C:\\w.bin', 'C:w.bin', '\\\\server\\share\\w.bin', '', '*/_ORT_MEM_ADDR_/*', 'w\0.bin']) {
      expect(locationProblem(bad), bad).not.toBeNull();
    }
  });
});
