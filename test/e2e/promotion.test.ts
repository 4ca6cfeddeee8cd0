/**
 * Staged promotion end to end, all real, on loopback (test/support/promotion-rig.ts): two model
 * servers (stable: the baseline ONNX model, canary: the candidate) exporting request counters and
 * latency histograms, a real Prometheus scraping them every second, a real nginx splitting traffic
 * by weight (reloaded by the traffic command), a bounded load generator, and dist/index.js run as
 * the runner runs it, its deployments recorded against the OpenAPI-checked GitHub stand-in.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
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
  rig = await startPromotionRig('mg-promotion-');
  ({ dir, stable, canary, prometheusUrl, nginxEnv } = rig);
  github = new FakeGitHub('/api/v3');
  await github.start();
  github.addToken('bot-token', { login: 'github-actions[bot]', id: 41898282, bot: true, write: true });
  // The pull request that brought the model: its head is the commit being released.
  github.pulls.set(77, { headSha: '0123456789abcdef0123456789abcdef01234567' });
  github.seedComment(77, '<!-- model-gate comment: .github%2Fworkflows%2Fgate.yml%3Aconfig -->\n## ✅ GO — model-gate', { login: 'github-actions[bot]', id: 41898282, bot: true, write: true });
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  await github?.stop();
});

afterEach(() => {
  if (!withTools) return;
  expect(github.violations).toEqual([]);
  // Every scenario ends with all traffic on stable, or on the promoted canary.
  stable.set({ errorRate: 0, delayMs: 0 });
  canary.set({ errorRate: 0, delayMs: 0 });
});

/** `timing`: the bake and hold (minutes); the pooled tests need at least 3 windows of 3 s. */
function config(name: string, over: string = '', timing = { bake: 0.1, hold: 0.1 }): string {
  const file = join(dir, `${name}.yml`);
  const q = (v: string, what: string) => what.replace(/VERSION/g, v);
  const pair = (what: string) => `{ canary: '${q('canary', what)}', stable: '${q('stable', what)}' }`;
  writeFileSync(
    file,
    `version: 1
promotion:
  stages: [5, 25, 50, 100]
  bake_minutes: ${timing.bake}
  interval_seconds: 3
  min_requests: 10
  traffic:
    command: ${WEIGHT} {weight}
    rollback: ${WEIGHT} 0
    promote: echo "promoted {version}" > ${join(dir, `${name}.promoted`)}
    timeout_seconds: 20
  provider: prometheus
  prometheus: { url: "${prometheusUrl}" }
  analysis: { hold_minutes: ${timing.hold} }
  metrics:
    - name: error_rate
      kind: error_rate
      errors: ${pair('sum(increase(model_requests_total{version="VERSION",code=~"5.."}[{window}]))')}
      requests: ${pair('sum(increase(model_requests_total{version="VERSION"}[{window}]))')}
    - name: latency
      kind: latency
      buckets: ${pair('sum by (le) (increase(model_request_seconds_bucket{version="VERSION"}[{window}]))')}
${over}`,
  );
  return file;
}

/** Each scenario promotes a version of its own: records of one must not satisfy another. */
const versionOf = (cfg: string) => `v_2026-11-22T08:00:00_${createHash('sha256').update(cfg).digest('hex').slice(0, 8)}`;

function stage(cfg: string, weight: string, extra: { env?: Record<string, string>; onSpawn?: (c: ChildProcess) => void; mode?: string } = {}): Promise<ActionRun> {
  return runAction({
    copy,
    node,
    inputs: { mode: extra.mode ?? 'promote', stage: weight, version: versionOf(cfg), config: cfg, environment: 'production', 'github-token': 'bot-token', out: join(dir, 'out') },
    env: { GITHUB_API_URL: github.url, GITHUB_RUN_ATTEMPT: '1', ...nginxEnv, ...extra.env },
    onSpawn: extra.onSpawn,
    timeoutMs: 120_000,
  });
}

// `npm test` installs nginx and Prometheus (scripts/test-tools.mjs); without them this fails with
// the install line, unless MODEL_GATE_TEST_SKIP_MISSING=1 asks to skip it.
describe.skipIf(skipWithout('nginx', 'prometheus'))('staged promotion against Prometheus and nginx', () => {
  it('promotes a healthy canary through every stage, recording each as a deployment', async () => {
    const cfg = config('healthy');
    // Latency like a real model's, a few milliseconds, the same on both sides.
    stable.set({ delayMs: 3 });
    canary.set({ delayMs: 3 });
    const traffic = load(300);
    try {
      for (const w of ['5', '25', '50', '100']) {
        const r = await stage(cfg, w);
        expect(r.code, r.stdout).toBe(0);
        expect(r.outputs.outcome).toBe('promoted');
        expect(canaryWeight()).toBe(Number(w));
        expect(r.summary).toContain(`## ✅ Promoted: ${w}% of \`${versionOf(cfg)}\``);
        expect(r.summary).toMatch(/\| `error_rate` \| ✅ canary [\d.]+% vs stable [\d.]+%|\| `error_rate` \| ✅ canary [\d.]+%/);
        // Each stage continues the tests over the windows the earlier stages handed over.
        const earlier = { '5': null, '25': 'stage 5%', '50': 'stages 5%, 25%', '100': 'stages 5%, 25%, 50%' }[w];
        if (earlier) expect(r.stdout).toContain(`carrying the evidence of ${earlier}`);
        else expect(r.stdout).toContain('the first stage starts its tests afresh');
      }
    } finally {
      traffic.stop();
    }
    expect(readFileSync(join(dir, 'healthy.promoted'), 'utf8').trim()).toBe(`promoted ${versionOf(cfg)}`);
    // Approvers saw each stage on the pull request: the sticky comment gained a promotion section.
    const comment = github.commentsOn(77)[0]!.body;
    expect(comment).toContain('## ✅ GO — model-gate');
    expect(comment).toContain(`### Promotion of \`${versionOf(cfg)}\``);
    expect(comment.match(/\| <!-- stage \d+% -->\d+% \| `production` \| ✅ promoted \|/g)).toHaveLength(4);
    const records = github.deployments.filter((d) => d.environment === 'production');
    expect(records.map((d) => (d.payload as { stage: string }).stage)).toEqual(['5%', '25%', '50%', '100%']);
    for (const d of records) {
      expect(d.statuses[0]!.state).toBe('in_progress');
      expect(d.statuses.at(-1)!.state).toBe('success');
      expect(d.statuses.at(-1)!.log_url).toBe('https://github.com/acme/models/actions/runs/42/attempts/1');
    }
    // A re-run of a stage that succeeded moves nothing.
    const again = await stage(cfg, '50');
    expect(again.outputs.outcome).toBe('skipped');
    expect(canaryWeight()).toBe(100);
    await stage(cfg, '0', { mode: 'rollback' });
    expect(canaryWeight()).toBe(0);
  }, 150_000);

  it('rolls back a canary answering 30% errors at its first stage', async () => {
    stable.set({ delayMs: 3 });
    // 30%, not 12%: near the 10% limit, a few hundred requests cannot show it above (a loaded machine
    // spreads the windows); the statistical power is shown by the simulation, not here.
    canary.set({ errorRate: 0.3, delayMs: 3 });
    const traffic = load(300);
    try {
      // Enough windows for the pooled test to show the rate above the limits (~40 canary requests a window).
      const r = await stage(config('errors', '', { bake: 0.5, hold: 0.5 }), '5');
      expect(r.code, r.stdout).toBe(1);
      expect(r.outputs.outcome).toBe('rolled_back');
      // Workflow commands escape % as %25.
      expect(r.stdout.replace(/%25/g, '%')).toMatch(/::error::rolled back at 5%: (critical: )?error_rate: canary [23]\d(\.\d+)?% vs stable [\d.]+% over \d+ windows .*: the rate is above (the rollback limit 10%|5%) by at least/);
      expect(canaryWeight()).toBe(0);
      const d = github.deployments.at(-1)!;
      expect(d.statuses.map((s) => s.state)).toEqual(expect.arrayContaining(['in_progress', 'failure', 'inactive']));
    } finally {
      traffic.stop();
    }
  }, 120_000);

  it('rolls back a canary 80 ms slower a request', async () => {
    // 5 ms more (the old "twice as slow") is ×1.3 end to end here, inside the 2× tail tolerance; on a
    // loaded machine the windows vary so much that 25 ms more is not shown within the bake either.
    stable.set({ delayMs: 3 });
    canary.set({ delayMs: 80 });
    const traffic = load(300);
    try {
      const r = await stage(config('slow', '', { bake: 0.3, hold: 0.3 }), '5');
      expect(r.code, r.stdout).toBe(1);
      // The pooled tail share or the p95 ratio bounded by bucket edges decides, whichever shows it first.
      expect(r.stdout).toMatch(/latency fail: canary slower over \d+ windows/);
      expect(r.stdout.replace(/%25/g, '%')).toMatch(/::error::rolled back at 5%: (critical: )?latency: canary slower over \d+ windows/);
      expect(canaryWeight()).toBe(0);
    } finally {
      traffic.stop();
    }
  }, 120_000);

  it('holds without traffic as inconclusive, then rolls back by policy — never a pass', async () => {
    await new Promise((r) => setTimeout(r, 3500)); // earlier traffic out of the window
    const r = await stage(config('idle'), '5');
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/measurement \d+: INCONCLUSIVE/);
    expect(r.stdout).toMatch(/rolled back at 5%(?:25)?: (held 0\.1 min without conclusive data|only 0 of the last \d+ measurements passed)/);
    expect(canaryWeight()).toBe(0);
  }, 60_000);

  it('leaves traffic on stable when the process is killed mid-stage, and the post step undoes a crash', async () => {
    const traffic = load(200);
    let child: ChildProcess | null = null;
    try {
      const running = stage(config('killed'), '25', { onSpawn: (c) => (child = c) });
      await until('traffic at 25%', () => canaryWeight() === 25);
      child!.kill('SIGTERM');
      const r = await running;
      expect(r.code).toBe(130);
      // The signal may land while the traffic command still runs: then it waits for it, then rolls back.
      expect(r.stdout).toMatch(/SIGTERM: the stage was interrupted; (waiting for the traffic command \(at most \d+ s\), then )?rolling back/);
      expect(canaryWeight()).toBe(0);
      expect(github.deployments.at(-1)!.statuses.at(-1)!.state).toBe('inactive');
    } finally {
      traffic.stop();
    }
    // A runner that lost the main step runs the post step with the saved state.
    spawnSync('sh', [WEIGHT, '50'], { env: { ...process.env, ...nginxEnv }, timeout: 10_000 });
    expect(canaryWeight()).toBe(50);
    const post = await stage(config('post'), '50', {
      env: { STATE_isPost: 'true', 'STATE_pending-rollback': JSON.stringify({ command: `${WEIGHT} 0`, timeout_seconds: 20, deployment: null, environment: 'production' }) },
    });
    expect(post.code, post.stdout).toBe(0);
    expect(post.stdout).toContain('The interrupted stage was rolled back: traffic is on stable.');
    expect(canaryWeight()).toBe(0);
  }, 90_000);

  it('status reports the last stage and its judgement from the deployments', async () => {
    const r = await stage(config('status'), '', { mode: 'status' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/production: v_2026-11-22T08:00:00_[0-9a-f]{8} at \d+%/);
  });
});
