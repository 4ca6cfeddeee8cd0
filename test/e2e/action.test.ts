/**
 * The bundled action as GitHub runs it: dist/index.js from a copy of the tracked files (no
 * node_modules) under Node 24, inputs as INPUT_* variables, outputs through GITHUB_OUTPUT and the
 * job summary through GITHUB_STEP_SUMMARY. onnxruntime is provisioned into the tool cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionOnnxRuntime } from '../../src/runners/onnxruntime-loader.ts';
import { ONNXRUNTIME_PIN } from '../../src/runners/onnxruntime-pin.ts';
import { runAction as run } from '../support/action.ts';
import { TOOL_CACHE, node24, trackedCopy } from '../support/tracked-copy.ts';

let copy: string;
let node: string;

beforeAll(() => {
  copy = trackedCopy();
  node = node24();
});

const runAction = (inputs: Record<string, string>, env: Record<string, string> = {}) => run({ copy, node, inputs, env });

describe('the action from its tracked files under Node 24', () => {
  it('the copy has no node_modules and dist stays small', async () => {
    expect(existsSync(join(copy, 'node_modules'))).toBe(false);
    const size = readdirSync(join(copy, 'dist')).reduce((a, f) => a + statSync(join(copy, 'dist', f)).size, 0);
    expect(size).toBeLessThan(20 * 2 ** 20);
  });

  it('validates the example: GO, outputs set, summary written, runtime provisioned into the tool cache', async () => {
    const r = await runAction({ mode: 'validate', config: 'examples/iris/model-gate.yml' });
    expect(r.stdout).toMatch(/(Provisioning|Using) onnxruntime-node 1\.30\.0/);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.decision).toBe('GO');
    expect(r.outputs.version).toMatch(/^v_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d_[0-9a-f]{8}$/);
    const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8'));
    expect(report.decision).toBe('GO');
    expect(report.version.git_commit).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(report.version.run_url).toBe('https://github.com/acme/models/actions/runs/42');
    expect(readFileSync(r.outputs.manifest!, 'utf8')).toContain(`version: ${r.outputs.version}`);
    expect(r.summary).toContain('## ✅ GO — model-gate');
    expect(r.summary).toContain('`errors.wrong_feature_count`');
    expect(existsSync(join(TOOL_CACHE, 'model-gate-onnxruntime', ONNXRUNTIME_PIN.version, `${process.platform}-${process.arch}.complete`))).toBe(true);
  });

  it('fails the step on NO-GO with annotations; a file that is not a model never loads the runtime', async () => {
    // A CSV file is not a model: NO-GO.
    const r = await runAction({ mode: 'validate', model: 'examples/iris/eval.csv', config: 'examples/iris/model-gate.yml' });
    expect(r.stdout).not.toContain('Using onnxruntime-node');
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('NO-GO');
    expect(r.stdout).toMatch(/::error title=model-gate artifact.format::artifact.format: examples\/iris\/eval.csv is not a readable ONNX model/);
    expect(r.stdout).toContain('::error::NO-GO:');
    expect(r.summary).toContain('## ⛔ NO-GO — model-gate');
    const manifest = parse(readFileSync(r.outputs.manifest!, 'utf8'));
    expect(manifest.checklist).toMatchObject({ failed: 2, failing_checks: ['artifact.format', 'smoke.load'] });
  });

  it('reuses the provisioned runtime on the next run; fails on DELAY only when fail-on is delay', async () => {
    const cfg = join(copy, 'delay.yml');
    writeFileSync(cfg, 'model:\n  path: examples/iris/model.onnx\nchecks:\n  latency:\n    severity: warning\n    iterations: 10\n    limits:\n      "1": { p95_ms: 0.000001 }\n');
    const lenient = await runAction({ config: cfg });
    expect(lenient.stdout).toContain(`Using onnxruntime-node ${ONNXRUNTIME_PIN.version} from the tool cache`);
    expect(lenient.outputs.decision).toBe('DELAY');
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('::warning title=model-gate latency.batch_1::');
    const strict = await runAction({ config: cfg, 'fail-on': 'delay' });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('::error::DELAY (fail-on: delay)');
  });

  it('points config errors at the file, line and column', async () => {
    const cfg = join(copy, 'broken.yml');
    writeFileSync(cfg, 'model:\n  path: examples/iris/model.onnx\nchekcs: {}\n');
    const r = await runAction({ config: cfg });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::error title=model-gate config,file=${cfg},line=3,col=1::unknown key "chekcs"; did you mean "checks"?`);
  });

  it('the bundled CLI runs from the same files and uses the same cache', async () => {
    const r = spawnSync(node, ['dist/cli.js', 'validate', '--model', 'examples/iris/model.onnx', '--out', 'cli-out'], {
      cwd: copy,
      env: { ...process.env, MODEL_GATE_CACHE: TOOL_CACHE, RUNNER_TOOL_CACHE: '', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(r.stderr).toContain('Using onnxruntime-node');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/checks passed.* — GO/);
  });

  it('without npm to provision the runtime, the model does not load and the gate says why: NO-GO', async () => {
    const r = await runAction(
      { model: 'examples/iris/model.onnx' },
      { PATH: '/nonexistent', RUNNER_TOOL_CACHE: mkdtempSync(join(tmpdir(), 'mg-empty-cache-')) },
    );
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('NO-GO');
    expect(r.stdout).toMatch(/smoke\.load: examples\/iris\/model\.onnx does not load: the ONNX runtime is not available: cannot run npm to provision onnxruntime-node 1\.30\.0: spawn npm ENOENT\. Put npm on PATH/);
  });

  it('two runs provisioning at once both end with one whole, loadable runtime', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mg-race-'));
    const log = { info: () => undefined };
    const [a, b] = await Promise.all([provisionOnnxRuntime(root, log), provisionOnnxRuntime(root, log)]);
    expect(a).toBe(b);
    expect(readdirSync(join(root, 'model-gate-onnxruntime', ONNXRUNTIME_PIN.version)).sort()).toEqual([
      `${process.platform}-${process.arch}`,
      `${process.platform}-${process.arch}.complete`,
    ]);
    // Only this platform's binaries are kept.
    expect(readdirSync(join(a, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6'))).toEqual([process.platform]);
    const probe = spawnSync(node, ['-e', `require(${JSON.stringify(join(a, 'node_modules', 'onnxruntime-node'))}).InferenceSession.create(${JSON.stringify(join(copy, 'examples/iris/model.onnx'))}).then((s) => console.log(s.inputNames.join()))`], { encoding: 'utf8', env: process.env });
    expect(probe.stdout.trim()).toBe('float_input');
  });

  it('refuses a runtime whose tarball does not match the pinned integrity', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mg-tampered-'));
    const pin = {
      ...ONNXRUNTIME_PIN,
      packages: { ...ONNXRUNTIME_PIN.packages, 'onnxruntime-common': `sha512-${'A'.repeat(86)}==` },
    } as unknown as typeof ONNXRUNTIME_PIN;
    await expect(provisionOnnxRuntime(root, { info: () => undefined }, pin)).rejects.toThrow(
      /onnxruntime-common@1\.30\.0 from the npm registry does not match the pinned integrity/,
    );
    expect(readdirSync(join(root, 'model-gate-onnxruntime', ONNXRUNTIME_PIN.version))).toEqual([]);
  });
});
