/**
 * The rollback drill end to end, all real, on loopback (the rig of promotion.test.ts,
 * test/support/promotion-rig.ts): two model servers exporting request counters, a real Prometheus
 * scraping them every second, a real nginx splitting traffic by weight (reloaded by the traffic
 * command), a bounded load generator, and dist/index.js run as the runner runs it, recording
 * deployments against the GitHub stand-in.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../support/action.ts';
import { FakeGitHub } from '../support/github-api.ts';
import { startPromotionRig, until, WEIGHT_SCRIPT as WEIGHT, type PromotionRig, type Served } from '../support/promotion-rig.ts';
import { skipWithout } from '../support/tools.ts';
import { node24, trackedCopy } from '../support/tracked-copy.ts';

const withTools = !skipWithout('nginx', 'prometheus');
let rig: PromotionRig;
let dir: string;
let copy: string;
let node: string;
let stable: Served;
let canary: Served;
let github: FakeGitHub;
let prometheusUrl: string;
let nginxEnv: Record<string, string>;
const load = (rate: number) => rig.load(rate);
const canaryWeight = () => rig.canaryWeight();

beforeAll(async () => {
  if (!withTools) return;
  copy = trackedCopy();
  node = node24();
  rig = await startPromotionRig('mg-drill-');
  ({ dir, stable, canary, prometheusUrl, nginxEnv } = rig);
  github = new FakeGitHub('/api/v3');
  await github.start();
  github.addToken('bot-token', { login: 'github-actions[bot]', id: 41898282, bot: true, write: true });
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  await github?.stop();
});

afterEach(() => {
  if (withTools) expect(github.violations).toEqual([]);
});

/** The promotion config of promotion.test.ts with a drill section; `rollback` replaces the rollback command. */
function config(name: string, opts: { rollback?: string; require?: boolean; timeout?: number } = {}): string {
  const file = join(dir, `${name}.yml`);
  const pair = (what: string) => `{ canary: '${what.replace(/VERSION/g, 'canary')}', stable: '${what.replace(/VERSION/g, 'stable')}' }`;
  writeFileSync(
    file,
    `version: 1
promotion:
  stages: [5, 25, 50, 100]
  bake_minutes: 0.1
  interval_seconds: 3
  min_requests: 10
  drill: { require: ${opts.require ?? false}, timeout_seconds: ${opts.timeout ?? 30} }
  traffic:
    command: ${WEIGHT} {weight}
    rollback: ${JSON.stringify(opts.rollback ?? `${WEIGHT} 0`)}
    timeout_seconds: 20
  provider: prometheus
  prometheus: { url: "${prometheusUrl}" }
  analysis: { hold_minutes: 0.1 }
  metrics:
    - name: error_rate
      kind: error_rate
      errors: ${pair('sum(increase(model_requests_total{version="VERSION",code=~"5.."}[{window}]))')}
      requests: ${pair('sum(increase(model_requests_total{version="VERSION"}[{window}]))')}
    - name: latency
      kind: latency
      buckets: ${pair('sum by (le) (increase(model_request_seconds_bucket{version="VERSION"}[{window}]))')}
`,
  );
  return file;
}

function action(cfg: string, version: string, inputs: Record<string, string>, extra: { onSpawn?: (c: ChildProcess) => void } = {}): Promise<ActionRun> {
  return runAction({
    copy,
    node,
    inputs: { mode: 'promote', version, config: cfg, environment: 'canary', 'github-token': 'bot-token', out: join(dir, `out-${version}`), ...inputs },
    env: { GITHUB_API_URL: github.url, GITHUB_RUN_ATTEMPT: '1', ...nginxEnv },
    onSpawn: extra.onSpawn,
    timeoutMs: 120_000,
  });
}

const recordsOf = (version: string) => github.deployments.filter((d) => (d.payload as { version: string }).version === version);

// `npm test` installs nginx and Prometheus (scripts/test-tools.mjs); without them this fails with
// the install line, unless MODEL_GATE_TEST_SKIP_MISSING=1 asks to skip it.
describe.skipIf(skipWithout('nginx', 'prometheus'))('the rollback drill against Prometheus and nginx', () => {
  it('refuses the first stage without a drill; the drill passes and is recorded; then the first stage starts', async () => {
    const cfg = config('healthy', { require: true });
    const version = 'v_2026-11-30T00:00:00_drill001';
    stable.set({ delayMs: 3 });
    canary.set({ delayMs: 3 });
    const traffic = load(300);
    try {
      const refused = await action(cfg, version, { stage: '5' });
      expect(refused.code, refused.stdout).toBe(1);
      expect(refused.stdout.replace(/%25/g, '%')).toContain(`::error::stage 5% needs a passed rollback drill of ${version} in canary (promotion.drill.require), and the deployments show none: run the drill first`);
      expect(canaryWeight()).toBe(0);
      expect(recordsOf(version)).toEqual([]);

      const t0 = Date.now();
      const drill = await action(cfg, version, { drill: 'true' });
      const took = (Date.now() - t0) / 1000;
      expect(drill.code, drill.stdout).toBe(0);
      expect(drill.outputs).toMatchObject({ outcome: 'drill_passed', stage: 'drill' });
      expect(drill.stdout).toMatch(/drill: traffic reached the canary after [\d.]+ s \(\d[\d,.]* requests in 3 s\)/);
      expect(drill.stdout).toMatch(/drill: rollback took effect: no canary requests, [\d,.]+ on stable in the 3 s window ending [\d.]+ s after it/);
      expect(drill.summary).toContain(`## ✅ Rollback drill passed: \`${version}\``);
      expect(drill.summary).toMatch(/\| canary receives none \| ✅ \| [\d.]+ s \|/);
      // Traffic left on stable; the drill recorded as a deployment of the environment.
      expect(canaryWeight()).toBe(0);
      const [record] = recordsOf(version);
      expect(record!.payload).toMatchObject({ stage: 'drill', weight: 5 });
      expect(record!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
      expect(record!.statuses.at(-1)!.description).toMatch(/^drill passed: traffic reached the canary after [\d.]+ s; the rollback took effect within/);
      const report = JSON.parse(readFileSync(join(dir, `out-${version}`, 'promotion', 'drill.json'), 'utf8')) as { reached_after_seconds: number; cleared_after_seconds: number };
      console.log(`drill passed in ${took.toFixed(1)} s: traffic reached the canary after ${report.reached_after_seconds.toFixed(1)} s; rollback took effect within ${report.cleared_after_seconds.toFixed(1)} s`);
      expect(report.cleared_after_seconds).toBeGreaterThanOrEqual(3);

      const first = await action(cfg, version, { stage: '5' });
      expect(first.code, first.stdout).toBe(0);
      expect(first.outputs.outcome).toBe('promoted');
      expect(first.stdout).toContain(`rollback drill of ${version} passed in canary (deployment ${record!.id})`);
      expect(canaryWeight()).toBe(5);

      // Status lists the drill beside the last stage.
      const status = await action(cfg, version, { mode: 'status' });
      expect(status.stdout.replace(/%25/g, '%')).toMatch(new RegExp(`last rollback drill: ${version} at 5%: success — drill passed`));
    } finally {
      traffic.stop();
      spawnSync('sh', [WEIGHT, '0'], { env: { ...process.env, ...nginxEnv }, timeout: 10_000 });
    }
  }, 180_000);

  it('fails when the rollback command does not move traffic, and records the failure', async () => {
    const cfg = config('broken', { rollback: 'true', timeout: 15 });
    const version = 'v_2026-11-30T00:00:00_drill002';
    const traffic = load(300);
    try {
      const drill = await action(cfg, version, { drill: 'true' });
      expect(drill.code, drill.stdout).toBe(1);
      expect(drill.outputs.outcome).toBe('drill_failed');
      expect(drill.stdout.replace(/%25/g, '%')).toMatch(/::error::rollback drill failed at 5%: the rollback did not take traffic off the canary: not within 15 s: the canary still received [\d,.]+ requests; traffic may still reach the canary/);
      expect(drill.summary).toContain(`## ❌ Rollback drill failed: \`${version}\``);
      // It really did not move: the canary is still at 5%.
      expect(canaryWeight()).toBe(5);
      const [record] = recordsOf(version);
      expect(record!.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
      // A failed drill does not let the first stage start when one is required.
      const refused = await action(cfg, version, { stage: '5', 'require-drill': 'true' });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('needs a passed rollback drill');
    } finally {
      traffic.stop();
      spawnSync('sh', [WEIGHT, '0'], { env: { ...process.env, ...nginxEnv }, timeout: 10_000 });
    }
    expect(canaryWeight()).toBe(0);
  }, 120_000);

  it('an interrupted drill rolls back at once', async () => {
    // No load: the drill waits for canary requests, and is cancelled meanwhile.
    await new Promise((r) => setTimeout(r, 3500)); // earlier traffic out of the window
    const version = 'v_2026-11-30T00:00:00_drill003';
    let child: ChildProcess | null = null;
    const running = action(config('interrupted'), version, { drill: 'true' }, { onSpawn: (c) => (child = c) });
    await until('traffic at 5%', () => canaryWeight() === 5);
    child!.kill('SIGTERM');
    const r = await running;
    expect(r.code, r.stdout).toBe(130);
    expect(r.stdout).toMatch(/SIGTERM: the stage was interrupted; (waiting for the traffic command \(at most \d+ s\), then )?rolling back/);
    expect(canaryWeight()).toBe(0);
    expect(recordsOf(version)[0]!.statuses.at(-1)!.state).toBe('failure');
  }, 60_000);
});
