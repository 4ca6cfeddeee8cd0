/**
 * Promotion never advances on bad data: `model-gate promote` run as a real process (the CLI from
 * source under Node 24) with the JSON provider reading a file or a loopback HTTP server, and a
 * traffic command that writes the weight to a file. Each hostile document used to promote (exit 0);
 * each must now roll back with the reason named, and leave the weight at 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, node24 } from '../support/tracked-copy.ts';

const dir = mkdtempSync(join(tmpdir(), 'mg-promo-metrics-'));
let served = '{}';
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(served));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics.json`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(node24(), [join(REPO, 'src/cli.ts'), ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))));
}

let n = 0;
async function promote(doc: unknown, over: { http?: boolean } = {}) {
  const name = `case${++n}`;
  const metrics = join(dir, `${name}.json`);
  const weight = join(dir, `${name}.weight`);
  writeFileSync(weight, '0\n');
  const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
  writeFileSync(metrics, text);
  served = text;
  const cfg = join(dir, `${name}.yml`);
  writeFileSync(
    cfg,
    `promotion:
  stages: [25, 100]
  bake_minutes: 0
  interval_seconds: 0.05
  min_requests: 10
  traffic:
    command: echo {weight} > ${weight}
    rollback: echo 0 > ${weight}
  provider: json
  json: { source: "${over.http ? url : metrics}" }
  analysis: { hold_minutes: 0.01 }
  metrics:
    - name: errors
      kind: error_rate
      max_relative: { factor: 1.1, plus: 0.001 }
      errors: { canary: /canary/errors, stable: /stable/errors }
      requests: { canary: /canary/requests, stable: /stable/requests }
`,
  );
  const r = await cli(['promote', '--stage', '25', '--version', 'v_1', '--config', cfg, '--out', join(dir, name), '--json']);
  let report: { outcome?: string; reason?: string; measurements?: { metrics: { verdict: string; reason: string }[] }[] } = {};
  try {
    report = JSON.parse(r.stdout);
  } catch {
    // not a report: the assertions below show stdout and stderr
  }
  return { ...r, report, weight: readFileSync(weight, 'utf8').trim(), reasons: (report.measurements ?? []).flatMap((m) => m.metrics.map((x) => `${x.verdict}: ${x.reason}`)) };
}

const healthyStable = { errors: 1, requests: 1000 };

describe('promote never advances on bad metrics (JSON provider)', () => {
  it('a good document still promotes (the control)', async () => {
    const r = await promote({ canary: { errors: 1, requests: 300 }, stable: healthyStable });
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.outcome).toBe('promoted');
    expect(r.weight).toBe('25');
  });

  const cases: [string, unknown, RegExp, boolean?][] = [
    ["the canary's errors key is missing (the canary in fact fails every request)", { canary: { requests: 1000 }, stable: healthyStable }, /error: \/canary\/errors in .* finds nothing/],
    ['canary errors are negative', { canary: { errors: -1000, requests: 1000 }, stable: healthyStable }, /error: .*errors\.canary is -1000 \(a count cannot be negative\)/],
    ['requests 1e308 with errors 1e306', { canary: { errors: 1e306, requests: 1e308 }, stable: healthyStable }, /error: .*requests\.canary is 1e\+308 \(over 1000000000000 in one window: not believable\)/],
    ['requests given as an array of objects', { canary: { errors: 0, requests: [{ value: 1000 }] }, stable: healthyStable }, /error: \/canary\/requests in .* is an array whose element 0 is not a bucket/],
    ['the stable side missing entirely', { canary: { errors: 0, requests: 1000 } }, /error: \/stable\/errors in .* finds nothing/],
    ['the stable side present but empty (null: no data)', { canary: { errors: 0, requests: 1000 }, stable: { errors: null, requests: null } }, /inconclusive: no stable request count in any window/],
    ['more errors than requests', { canary: { errors: 5000, requests: 1000 }, stable: healthyStable }, /error: canary: 5000 errors but 1000 requests/],
    ['a count beyond what JSON can hold (1e400 → Infinity)', '{"canary":{"errors":0,"requests":1e400},"stable":{"errors":1,"requests":1000}}', /error: .*requests\.canary is Infinity/],
    ['a count given as a string', { canary: { errors: '0', requests: 1000 }, stable: healthyStable }, /error: \/canary\/errors in .* is "0", not a number or buckets/],
    ['negative errors over a loopback HTTP server', { canary: { errors: -1000, requests: 1000 }, stable: healthyStable }, /error: .*errors\.canary is -1000/, true],
    ['the stable side missing, over a loopback HTTP server', { canary: { errors: 0, requests: 1000 } }, /error: \/stable\/errors in http:\/\/127\.0\.0\.1:\d+\/metrics\.json finds nothing/, true],
  ];
  for (const [name, doc, reason, http] of cases) {
    it(`${name}: rolls back, never promotes`, async () => {
      const r = await promote(doc, { http });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.report.outcome).toBe('rolled_back');
      expect(r.reasons.join('\n')).toMatch(reason);
      expect(r.reasons.some((x) => x.startsWith('pass'))).toBe(false);
      expect(r.weight).toBe('0');
    });
  }
});
