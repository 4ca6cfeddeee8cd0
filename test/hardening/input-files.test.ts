/**
 * Data and model paths are opened as regular files, run as the CLI runs (a real process, in its
 * own workspace): a link to /proc/self/environ once printed the environment, a FIFO hung the gate.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const NODE = resolve('node_modules/node/bin/node');
const CLI = resolve('src/cli.ts');
const root = mkdtempSync(join(tmpdir(), 'mg-input-files-'));
const outside = join(root, 'outside');
const ws = join(root, 'workspace');
mkdirSync(outside);
mkdirSync(join(ws, 'data'), { recursive: true });
copyFileSync('examples/iris/model.onnx', join(ws, 'model.onnx'));
copyFileSync('examples/iris/eval.csv', join(ws, 'data', 'eval.csv'));
copyFileSync('examples/iris/eval.csv', join(outside, 'eval.csv'));
copyFileSync('examples/iris/model.onnx', join(outside, 'model.onnx'));
const CANARY = 'mg-canary-4f1c9e-secret-value';

/** `model-gate validate` in the workspace, bounded: a hang is a failure, not a stuck suite. */
function validate(model: string, data: string, extraEnv: Record<string, string> = {}) {
  writeFileSync(
    join(ws, 'gate.yml'),
    `version: 1
model: { path: ${model}, outputs: { probabilities: { kind: probabilities }, label: { kind: labels, classes: [0, 1, 2] } } }
data: { eval: ${data}, label: species }
checks: { smoke: { batch_sizes: [1] }, latency: { warmup: 1, iterations: 5 }, errors: { enabled: false } }
`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', MG_TEST_CANARY: CANARY, ...extraEnv };
  delete env.GITHUB_WORKSPACE;
  if (!extraEnv.MODEL_GATE_ALLOW_ANY_FILE) delete env.MODEL_GATE_ALLOW_ANY_FILE;
  const r = spawnSync(NODE, [CLI, 'validate', '--config', 'gate.yml', '--out', join(root, 'out')], { cwd: ws, env, encoding: 'utf8', timeout: 30_000 });
  const text = `${r.stdout}\n${r.stderr}`;
  expect(r.error, `the gate did not finish: ${text.slice(0, 500)}`).toBeUndefined();
  expect(text).not.toContain(CANARY);
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
  return { code: r.status, text };
}

describe('data and model files are opened only as regular files', () => {
  it('refuses a data file that links to /proc/self/environ, naming the path, and prints no environment', () => {
    symlinkSync('/proc/self/environ', join(ws, 'data', 'environ.csv'));
    const r = validate('model.onnx', 'data/environ.csv');
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/data\/environ\.csv: resolves to \/proc\/(self|\d+)\/environ, which is under \/proc, process state rather than a data file: refused \(set MODEL_GATE_ALLOW_ANY_FILE=true/);
  });

  it('refuses a model file that links to /proc/self/environ', () => {
    symlinkSync('/proc/self/environ', join(ws, 'environ.onnx'));
    const r = validate('environ.onnx', 'data/eval.csv');
    expect(r.code).not.toBe(0);
    expect(r.text).toMatch(/cannot read model environ\.onnx: resolves to \/proc\/(self|\d+)\/environ, which is under \/proc/);
  });

  it('refuses a FIFO at once instead of waiting for a writer', () => {
    const fifo = join(ws, 'data', 'pipe.csv');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const t0 = Date.now();
    const r = validate('model.onnx', 'data/pipe.csv');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/data\/pipe\.csv: is a FIFO \(named pipe\), not a regular file: refused/);
  });

  it('refuses links that lead out of the workspace: a data file, a model, a linked directory', () => {
    symlinkSync(join(outside, 'eval.csv'), join(ws, 'data', 'out.csv'));
    symlinkSync(outside, join(ws, 'linked-dir'));
    symlinkSync(join(outside, 'model.onnx'), join(ws, 'out.onnx'));
    let r = validate('model.onnx', 'data/out.csv');
    expect(r.code).toBe(2);
    expect(r.text).toContain(`data/out.csv: is a symbolic link to ${join(outside, 'eval.csv')}, outside the workspace ${ws}: refused`);
    r = validate('model.onnx', 'linked-dir/eval.csv');
    expect(r.code).toBe(2);
    expect(r.text).toContain('linked-dir/eval.csv: is a symbolic link to');
    r = validate('out.onnx', 'data/eval.csv');
    expect(r.code).not.toBe(0);
    expect(r.text).toContain(`cannot read model out.onnx: is a symbolic link to ${join(outside, 'model.onnx')}, outside the workspace`);
  });

  it('allows a link inside the workspace, a plain path outside it, and any link when explicitly allowed', () => {
    symlinkSync('eval.csv', join(ws, 'data', 'alias.csv'));
    symlinkSync('model.onnx', join(ws, 'alias.onnx'));
    expect(validate('alias.onnx', 'data/alias.csv').code).toBe(0);
    expect(validate(join(outside, 'model.onnx'), join(outside, 'eval.csv')).code).toBe(0);
    symlinkSync(join(outside, 'eval.csv'), join(ws, 'data', 'out2.csv'));
    expect(validate('model.onnx', 'data/out2.csv', { MODEL_GATE_ALLOW_ANY_FILE: 'true' }).code).toBe(0);
  });
});
