/**
 * The package as npm would publish it: `npm pack` of the package's files with a fresh bundle,
 * `npm install -g` of the tarball into a temp prefix (onnxruntime-node comes from the registry as a
 * normal dependency), then the installed `model-gate` bin validates the iris example from a temp
 * dir, loading onnxruntime-node from its own node_modules (nothing is provisioned).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO, node24 } from './support/tracked-copy.ts';

const run = promisify(execFile);

/** npm's own environment without what an `npm run` around this test put there. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return {
    ...env,
    // The Node the bin's `#!/usr/bin/env node` finds: a supported one.
    PATH: [dirname(node24()), env.PATH].join(delimiter),
    // onnxruntime-node's install script would fetch CUDA extras from nuget.org (see README).
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

describe('npm pack → npm install -g → model-gate validate', () => {
  it('runs the iris example from the installed package', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mg-install-'));
    const env = cleanEnv({});

    // The package's files as `npm pack` lists them, with dist/ built afresh from src/.
    const stage = join(tmp, 'package');
    const { stdout: listing } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, env });
    const [{ files }] = JSON.parse(listing) as [{ files: { path: string }[] }];
    for (const { path } of files) {
      if (path.startsWith('dist/')) continue;
      mkdirSync(dirname(join(stage, path)), { recursive: true });
      cpSync(join(REPO, path), join(stage, path));
    }
    await run(node24(), [join(REPO, 'scripts/build.mjs'), '--out', join(stage, 'dist'), 'cli.js', 'onnx-worker.js'], { cwd: REPO });
    const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: stage, env });
    const [{ filename, files: inTarball }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
    expect(inTarball.map((f) => f.path)).toEqual(expect.arrayContaining(['dist/cli.js', 'dist/onnx-worker.js', 'dist/package.json', 'package.json']));
    expect(inTarball.map((f) => f.path)).not.toContain('dist/index.js'); // the action's bundle is not the CLI's

    const prefix = join(tmp, 'global');
    const install = await run('npm', ['install', '-g', '--prefix', prefix, join(tmp, filename)], { env, maxBuffer: 1 << 24 });
    expect(install.stderr).not.toMatch(/Unknown (project|env|user|cli) config/);
    const bin = join(prefix, 'bin', 'model-gate');
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'model-gate', 'node_modules', 'onnxruntime-node', 'package.json'))).toBe(true);

    const work = join(tmp, 'work');
    cpSync(join(REPO, 'examples', 'iris'), join(work, 'examples', 'iris'), { recursive: true });
    const cache = join(tmp, 'cache');
    const runEnv = cleanEnv({ MODEL_GATE_CACHE: cache, RUNNER_TOOL_CACHE: '', XDG_CACHE_HOME: join(tmp, 'xdg') });
    delete runEnv.RUNNER_TOOL_CACHE;

    const version = await run(bin, ['--version'], { cwd: work, env: runEnv });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);

    const result = await run(bin, ['validate', '--config', 'examples/iris/model-gate.yml', '--out', 'report'], { cwd: work, env: runEnv }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.stderr).not.toMatch(/Provisioning onnxruntime-node/);
    expect(result.stdout).toMatch(/— GO\n/);
    expect('code' in result ? result.code : 0).toBe(0);
    expect(existsSync(join(work, 'report', 'report.json'))).toBe(true);
    // onnxruntime-node came from the package's node_modules: nothing was provisioned.
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]);
  }, 600_000);
});
