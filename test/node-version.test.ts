/**
 * An unsupported Node.js gets one line and exit code 2 from every entry, never a stack trace: the
 * entries are bundled afresh into a temp dir and run under Node 20 from the npm registry.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../src/node-version.ts';
import { REPO, node24 } from './support/tracked-copy.ts';

const run = promisify(execFile);

describe('nodeVersionProblem', () => {
  it('accepts 22.19 and later, and 23.8 and later', () => {
    for (const v of ['22.19.0', 'v22.20.1', '23.8.0', '23.11.0', '24.0.0', '24.21.0', '25.1.0', '30.0.0']) {
      expect(nodeVersionProblem(v), v).toBeNull();
    }
  });

  it('names the floor, the version found and how to get a current one', () => {
    for (const v of ['20.20.2', 'v18.0.0', '22.14.0', '22.18.9', '23.7.0', '21.7.3', 'garbage']) {
      const line = nodeVersionProblem(v);
      expect(line, v).toMatch(/^model-gate needs Node\.js ≥ 22\.19 \(found .+\): install a current Node\.js \(.*nvm install 24.*\)$/);
      expect(line).toContain(`(found ${v.replace(/^v/, '')})`);
    }
  });
});

describe('the bundled entries under an old Node', () => {
  const out = mkdtempSync(join(tmpdir(), 'mg-old-node-'));
  let node20 = '';

  beforeAll(async () => {
    const prefix = join(out, 'node20');
    const env = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
    await Promise.all([
      run(node24(), [join(REPO, 'scripts/build.mjs'), '--out', join(out, 'dist'), 'cli.js', 'onnx-worker.js'], { cwd: REPO }),
      run('npm', ['install', '--prefix', prefix, 'node@20'], { env }),
    ]);
    node20 = join(prefix, 'node_modules', 'node', 'bin', 'node');
    const { stdout } = await run(node20, ['--version']);
    expect(stdout).toMatch(/^v20\./);
  }, 300_000);

  const oneLine = (stderr: string) => {
    expect(stderr).not.toMatch(/\bat .*:\d+:\d+|TypeError|Error:/);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  };

  for (const argv of [['--version'], ['validate', '--config', join(REPO, 'examples/iris/model-gate.yml')]]) {
    it(`dist/cli.js ${argv[0]} exits 2 with one line`, async () => {
      const result = await run(node20, [join(out, 'dist/cli.js'), ...argv]).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      oneLine(result.stderr);
      expect(result.stderr).toMatch(/^model-gate needs Node\.js ≥ 22\.19 \(found 20\.\d+\.\d+\): install a current Node\.js/);
    });
  }

  // dist/index.js (the action) gates the same way; its bundle is left out here as it takes long.
  it('dist/onnx-worker.js exits 2 with one line', async () => {
    const result = await run(node20, [join(out, 'dist/onnx-worker.js')]).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    oneLine(result.stderr);
    expect(result.stderr).toMatch(/^model-gate needs Node\.js ≥ 22\.19 \(found 20\./);
  });

  it('the same bundle still runs under a supported Node', async () => {
    const { stdout } = await run(node24(), [join(out, 'dist/cli.js'), '--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
