/**
 * `npm test` first checks the tools the suite needs (scripts/test-tools.mjs): a machine that lacks
 * one, and may not install it, is told the exact install line and the run fails; the opt-out skips.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** A PATH that holds node and nothing else: every tool the suite needs looks absent. */
function bareEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const bin = mkdtempSync(join(tmpdir(), 'mg-bare-path-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  return { HOME: process.env.HOME, PATH: bin, MODEL_GATE_TEST_INSTALL: 'never', ...extra };
}

const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['scripts/test-tools.mjs'], { env, encoding: 'utf8' });

describe('the tools check before the test suite', () => {
  it('names what is missing and prints the install line, and fails', () => {
    const r = run(bareEnv({}));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('model-gate tests need tools this machine lacks:');
    expect(r.stderr).toContain('prometheus: for the staged promotion end-to-end test');
    expect(r.stderr).toMatch(/apt-get update && apt-get install -y .*prometheus/);
    expect(r.stderr).toContain('MODEL_GATE_TEST_SKIP_MISSING=1');
  });

  it('with the opt-out, passes and says what the suite will skip', () => {
    const r = run(bareEnv({ MODEL_GATE_TEST_SKIP_MISSING: '1' }));
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('skipping the tests that need tools this machine lacks');
  });

  it('passes silently where everything is present', () => {
    const r = run({ ...process.env, MODEL_GATE_TEST_INSTALL: 'never', PATH: `${dirname(process.execPath)}:${process.env.PATH}` });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe("the README's test command on a clone that lacks a tool", () => {
  it('prints the install line and fails before any test runs', () => {
    // A clone of this repository as a new user has it (tracked files only, dependencies linked, as
    // `npm ci` would leave them), run with a PATH that hides Prometheus.
    const clone = mkdtempSync(join(tmpdir(), 'mg-clone-'));
    const git = spawnSync('git', ['clone', '-q', '--no-hardlinks', process.cwd(), clone], { encoding: 'utf8' });
    expect(git.status, git.stderr).toBe(0);
    symlinkSync(join(process.cwd(), 'node_modules'), join(clone, 'node_modules'));
    const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
    const env = bareEnv({});
    symlinkSync(npm, join(env.PATH!, 'npm'));
    symlinkSync('/bin/sh', join(env.PATH!, 'sh')); // npm runs scripts through sh
    const r = spawnSync('npm', ['test'], { cwd: clone, env, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/apt-get update && apt-get install -y .*prometheus/);
    expect(r.stdout + r.stderr).not.toMatch(/Test Files/); // the suite itself never started
  }, 60_000);
});
