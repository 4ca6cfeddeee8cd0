/**
 * The onnxruntime cache the reusable workflows keep across jobs (actions/cache on
 * `$RUNNER_TOOL_CACHE/model-gate-onnxruntime`): a cold start from an empty tool cache and an empty
 * npm cache provisions the runtime with npm; the directory saved as actions/cache saves it (a tar
 * of that path) and restored into an empty tool cache makes the next start warm: no provisioning.
 * Times are printed, not asserted: they depend on the network and the machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ONNXRUNTIME_PIN } from '../../src/runners/onnxruntime-pin.ts';
import { runAction } from '../support/action.ts';
import { node24, trackedCopy } from '../support/tracked-copy.ts';

let copy: string;
let node: string;

beforeAll(() => {
  copy = trackedCopy();
  node = node24();
});

const PROVISIONING = `Provisioning onnxruntime-node ${ONNXRUNTIME_PIN.version} into the tool cache`;
const FROM_CACHE = `Using onnxruntime-node ${ONNXRUNTIME_PIN.version} from the tool cache`;

async function timedRun(toolCache: string, npmCache: string) {
  const started = performance.now();
  const r = await runAction({
    copy,
    node,
    inputs: { mode: 'validate', config: 'examples/iris/model-gate.yml', comment: 'never' },
    env: { RUNNER_TOOL_CACHE: toolCache, npm_config_cache: npmCache },
    timeoutMs: 590_000,
  });
  return { ...r, seconds: (performance.now() - started) / 1000 };
}

describe('the onnxruntime cache across jobs', () => {
  it('a cold start provisions with npm; restored from the saved cache, the next start uses it as it is', { timeout: 1_200_000 }, async () => {
    const toolCache = mkdtempSync(join(tmpdir(), 'mg-cold-toolcache-'));
    const npmCache = mkdtempSync(join(tmpdir(), 'mg-cold-npmcache-'));

    const cold = await timedRun(toolCache, npmCache);
    expect(cold.code, cold.stdout).toBe(0);
    expect(cold.outputs.decision).toBe('GO');
    expect(cold.stdout).toContain(PROVISIONING);
    expect(cold.stdout).not.toContain(FROM_CACHE);

    // What actions/cache does between jobs: tar the path at the end of one job, and in the next
    // job (a fresh runner, so an empty tool cache) unpack it to the same path before the action runs.
    const saved = join(mkdtempSync(join(tmpdir(), 'mg-cache-archive-')), 'cache.tgz');
    execFileSync('tar', ['-czf', saved, '-C', toolCache, 'model-gate-onnxruntime']);
    rmSync(toolCache, { recursive: true, force: true });
    rmSync(npmCache, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', toolCache]);
    execFileSync('tar', ['-xzf', saved, '-C', toolCache]);

    const warm = await timedRun(toolCache, mkdtempSync(join(tmpdir(), 'mg-warm-npmcache-')));
    expect(warm.code, warm.stdout).toBe(0);
    expect(warm.outputs.decision).toBe('GO');
    expect(warm.stdout).toContain(FROM_CACHE);
    expect(warm.stdout).not.toContain(PROVISIONING);

    console.log(`action start to finish, iris example: cold ${cold.seconds.toFixed(1)} s (npm provisions onnxruntime), warm ${warm.seconds.toFixed(1)} s (restored tool cache)`);
    rmSync(toolCache, { recursive: true, force: true });
  });
});
