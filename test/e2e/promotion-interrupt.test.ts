/**
 * Traffic always ends on stable after an interruption. The action runs from a copy of the tracked
 * files as GitHub runs it (dist/index.js, INPUT_*, GITHUB_STATE), is signalled at every point of a
 * stage — before, during and after the traffic command, during a measurement, during the rollback,
 * with a rollback slower than the grace period, with SIGHUP, with SIGKILL — and then its post step
 * runs with the state the main step saved, as the runner does after a cancellation. The traffic
 * commands are slow shell scripts writing the canary's weight to a file; the final weight must be 0.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../support/action.ts';
import { node24, trackedCopy } from '../support/tracked-copy.ts';

const dir = mkdtempSync(join(tmpdir(), 'mg-interrupt-'));
let copy: string;
let node: string;
let server: Server;
let metricsUrl: string;
let slowMetrics = false;
let requested = false;

beforeAll(async () => {
  copy = trackedCopy();
  node = node24();
  server = createServer((_req, res) => {
    requested = true;
    const body = JSON.stringify({ canary: { errors: 0, requests: 500 }, stable: { errors: 0, requests: 1500 } });
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), slowMetrics ? 20_000 : 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  metricsUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/m.json`;
}, 60_000);
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** A traffic script: logs its start, takes `delay` seconds, then writes the weight. */
const SCRIPT = join(dir, 'weight.sh');
writeFileSync(SCRIPT, '#!/bin/sh\necho "start $1" >> "$MG_LOG"\nsleep "$2"\necho "$1" > "$MG_WEIGHT"\necho "done $1" >> "$MG_LOG"\n');

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Case {
  name: string;
  trafficDelay?: number;
  rollbackDelay?: number;
  /** The canary's metrics are bad: the stage rolls back by itself. */
  bad?: boolean;
  http?: boolean;
  signal: NodeJS.Signals;
  /** When to signal, from the files the stage writes. */
  when: (f: { log: () => string; weight: () => string; state: () => boolean }) => boolean;
}

async function interrupt(c: Case): Promise<{ main: ActionRun; post: ActionRun | null; weight: string; log: string }> {
  const base = join(dir, c.name.replace(/\W+/g, '-'));
  const log = `${base}.log`;
  const weight = `${base}.weight`;
  const metrics = `${base}.json`;
  writeFileSync(log, '');
  writeFileSync(weight, '0\n');
  writeFileSync(metrics, JSON.stringify(c.bad ? { canary: { errors: 400, requests: 500 }, stable: { errors: 0, requests: 1500 } } : { canary: { errors: 0, requests: 500 }, stable: { errors: 0, requests: 1500 } }));
  const cfg = `${base}.yml`;
  writeFileSync(
    cfg,
    `promotion:
  stages: [25, 100]
  bake_minutes: 5
  interval_seconds: ${c.http ? 0.5 : 1}
  min_requests: 10
  traffic:
    command: sh ${SCRIPT} {weight} ${c.trafficDelay ?? 0}
    rollback: sh ${SCRIPT} 0 ${c.rollbackDelay ?? 0}
    timeout_seconds: 30
    retry_seconds: 60
  provider: json
  json: { source: "${c.http ? metricsUrl : metrics}" }
  metrics:
    - name: errors
      kind: error_rate
      errors: { canary: /canary/errors, stable: /stable/errors }
      requests: { canary: /canary/requests, stable: /stable/requests }
`,
  );
  const out = `${base}-out`;
  const env = { MG_LOG: log, MG_WEIGHT: weight };
  const inputs = { mode: 'promote', stage: '25', version: 'v_1', config: cfg, environment: 'production', 'github-token': '', out };
  let child: ChildProcess | null = null;
  const running = runAction({ copy, node, inputs, env, onSpawn: (ch) => (child = ch), timeoutMs: 60_000 });
  const files = { log: () => readFileSync(log, 'utf8'), weight: () => readFileSync(weight, 'utf8').trim(), state: () => existsSync(join(out, 'promotion', 'traffic-25.json')) };
  await until(`the moment to send ${c.signal}`, () => c.when(files));
  child!.kill(c.signal);
  const main = await running;
  // The runner runs the post step (post-if: cancelled() || failure()) with what the step saved.
  const post = main.state.isPost === 'true' ? await runAction({ copy, node, inputs, env: { ...env, ...Object.fromEntries(Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v])) }, timeoutMs: 90_000 }) : null;
  // A command cut short must not move traffic later: wait out the slowest script before reading.
  await new Promise((r) => setTimeout(r, 1000 * Math.max(c.trafficDelay ?? 0, 0) + 300));
  return { main, post, weight: files.weight(), log: files.log() };
}

const cases: Case[] = [
  { name: 'SIGTERM before the traffic command', trafficDelay: 2, signal: 'SIGTERM', when: (f) => f.state() },
  { name: 'SIGTERM during the traffic command', trafficDelay: 2, signal: 'SIGTERM', when: (f) => f.log().includes('start 25') },
  { name: 'SIGTERM during a traffic command slower than the wait', trafficDelay: 6, signal: 'SIGTERM', when: (f) => f.log().includes('start 25') },
  { name: 'SIGTERM after the traffic command, while baking', trafficDelay: 1, signal: 'SIGTERM', when: (f) => f.weight() === '25' },
  { name: 'SIGINT during a measurement', signal: 'SIGINT', http: true, when: (f) => f.weight() === '25' && requested },
  { name: 'SIGTERM during the rollback', bad: true, rollbackDelay: 2, signal: 'SIGTERM', when: (f) => f.log().includes('start 0') },
  { name: 'SIGTERM with a rollback slower than the grace period', rollbackDelay: 8, signal: 'SIGTERM', when: (f) => f.weight() === '25' },
  { name: 'SIGHUP after the traffic command', signal: 'SIGHUP', when: (f) => f.weight() === '25' },
  { name: 'SIGKILL after the traffic command (no handler runs)', signal: 'SIGKILL', when: (f) => f.weight() === '25' },
];

describe('an interrupted stage leaves all traffic on stable', () => {
  for (const c of cases) {
    it(c.name, async () => {
      requested = false;
      slowMetrics = Boolean(c.http);
      const r = await interrupt(c);
      const said = `main (exit ${r.main.code}):\n${r.main.stdout}\npost (exit ${r.post?.code}):\n${r.post?.stdout ?? 'not run'}\ncommands:\n${r.log}`;
      expect(r.weight, said).toBe('0');
      if (c.signal !== 'SIGKILL') expect(r.main.code, said).toBe(130);
      if (c.signal !== 'SIGKILL') expect(r.main.stdout, said).toContain(`${c.signal}: the stage was interrupted`);
      // Nothing moved traffic after the last rollback finished.
      const lines = r.log.trim().split('\n');
      expect(lines.at(-1), said).toBe('done 0');
      if (r.post) expect(r.post.code, said).toBe(0);
    }, 120_000);
  }
});
