/**
 * The rollback drill end to end, all real, on loopback (the setup of promotion.test.ts): two model
 * servers exporting request counters, a real Prometheus scraping them every second, a real nginx
 * splitting traffic by weight (reloaded by the traffic command), a bounded load generator, and
 * dist/index.js run as the runner runs it, recording deployments against the GitHub stand-in.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../support/action.ts';
import { FakeGitHub } from '../support/github-api.ts';
import { skipWithout } from '../support/tools.ts';
import { REPO, node24, trackedCopy } from '../support/tracked-copy.ts';
// @ts-expect-error: a plain JavaScript script, shared with `npm test`
import { which } from '../../scripts/test-tools.mjs';
// @ts-expect-error: the example server is plain JavaScript
import { startServer } from '../../examples/serving/onnx-server.mjs';

interface Served {
  url: string;
  set(o: object): void;
  close(): Promise<void>;
}

const NGINX = (which('nginx') as string | null) ?? '';
const PROMETHEUS = (which('prometheus') as string | null) ?? '';
const WEIGHT = join(REPO, 'examples/promotion/nginx-weight.sh');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'mg-drill-'));
const children: ChildProcess[] = [];
let copy: string;
let node: string;
let stable: Served;
let canary: Served;
let github: FakeGitHub;
let proxy: string;
let prometheusUrl: string;
const upstreamFile = join(dir, 'nginx', 'upstream.conf');
let nginxEnv: Record<string, string>;

/** A bounded load generator: `rate` inference requests per second through nginx while it runs. */
function load(rate: number) {
  const body = JSON.stringify({ inputs: [{ name: 'float_input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] });
  const timer = setInterval(() => {
    for (let i = 0; i < rate / 50; i++) {
      fetch(`${proxy}/v2/models/iris/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.arrayBuffer(), () => undefined);
    }
  }, 20);
  return { stop: () => clearInterval(timer) };
}

beforeAll(async () => {
  copy = trackedCopy();
  node = node24();
  stable = (await startServer({ model: join(REPO, 'examples/iris/baseline.onnx'), name: 'iris' })) as Served;
  canary = (await startServer({ model: join(REPO, 'examples/iris/model.onnx'), name: 'iris' })) as Served;

  // nginx: a weighted upstream, all on stable to begin with.
  const ngx = join(dir, 'nginx');
  mkdirSync(ngx, { recursive: true });
  const port = await freePort();
  proxy = `http://127.0.0.1:${port}`;
  const conf = join(ngx, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;\ndaemon off;\npid ${ngx}/nginx.pid;\nerror_log ${ngx}/error.log;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  client_body_temp_path ${ngx}/body;\n  proxy_temp_path ${ngx}/proxy;\n  fastcgi_temp_path ${ngx}/fastcgi;\n  uwsgi_temp_path ${ngx}/uwsgi;\n  scgi_temp_path ${ngx}/scgi;\n  include ${upstreamFile};\n  server {\n    listen 127.0.0.1:${port};\n    location / { proxy_pass http://model_backend; proxy_http_version 1.1; proxy_set_header Connection ""; }\n  }\n}\n`,
  );
  nginxEnv = {
    NGINX_UPSTREAM_FILE: upstreamFile,
    NGINX_STABLE: stable.url.replace('http://', ''),
    NGINX_CANARY: canary.url.replace('http://', ''),
    NGINX_RELOAD: `${NGINX} -c ${conf} -p ${ngx} -s reload`,
  };
  spawnSync('sh', [WEIGHT, '0'], { env: { ...process.env, ...nginxEnv, NGINX_RELOAD: 'true' }, timeout: 10_000 });
  const nginx = spawn(NGINX, ['-c', conf, '-p', ngx], { stdio: 'ignore' });
  children.push(nginx);
  await until('nginx', async () => (await fetch(`${proxy}/v2/health/ready`)).ok);

  // Prometheus scraping both servers every second, each labelled with its version.
  const prom = join(dir, 'prometheus');
  mkdirSync(prom, { recursive: true });
  const promPort = await freePort();
  prometheusUrl = `http://127.0.0.1:${promPort}`;
  writeFileSync(
    join(prom, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: model\n    static_configs:\n      - targets: ['${stable.url.replace('http://', '')}']\n        labels: { version: stable }\n      - targets: ['${canary.url.replace('http://', '')}']\n        labels: { version: canary }\n`,
  );
  const prometheus = spawn(PROMETHEUS, [`--config.file=${join(prom, 'prometheus.yml')}`, `--storage.tsdb.path=${join(prom, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=error'], { stdio: 'ignore' });
  children.push(prometheus);
  await until('prometheus', async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, 30_000);

  github = new FakeGitHub('/api/v3');
  await github.start();
  github.addToken('bot-token', { login: 'github-actions[bot]', id: 41898282, bot: true, write: true });
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await stable?.close();
  await canary?.close();
  await github?.stop();
});

afterEach(() => {
  expect(github.violations).toEqual([]);
});

const weightOf = () => /server \S+ weight=(\d+);\n {2}server \S+ (?:weight=(\d+)|down);/.exec(readFileSync(upstreamFile, 'utf8'));
const canaryWeight = () => {
  const m = weightOf();
  return m ? Number(m[2] ?? 0) : readFileSync(upstreamFile, 'utf8').includes(`server ${nginxEnv.NGINX_STABLE} down`) ? 100 : 0;
};

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
