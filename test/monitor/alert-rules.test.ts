/**
 * `model-gate alerts`: the rules it writes from promotion.metrics pass `promtool check rules`, and a
 * real Prometheus (on loopback, scraping a source that errs on half its requests) loading them
 * fires the error-rate alerts for the deployed version.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runAlerts } from '../../src/monitor/alerts-command.ts';
import { skipWithout } from '../support/tools.ts';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const dir = mkdtempSync(join(tmpdir(), 'mg-alerts-'));
const children: ChildProcess[] = [];
const servers: Server[] = [];

const CONFIG = `version: 1
promotion:
  min_requests: 5
  prometheus: { url: "http://127.0.0.1:9" }
  metrics:
    - name: errors
      kind: error_rate
      max: 0.05
      critical_max: 0.2
      errors:
        canary: sum(increase(model_errors_total{version="{version}"}[{window}]))
        stable: sum(increase(model_errors_total{version="stable"}[{window}]))
      requests:
        canary: sum(increase(model_requests_total{version="{version}"}[{window}]))
        stable: sum(increase(model_requests_total{version="stable"}[{window}]))
    - name: latency
      kind: latency
      buckets:
        canary: sum by (le) (increase(model_latency_seconds_bucket{version="{version}"}[{window}]))
        stable: sum by (le) (increase(model_latency_seconds_bucket{version="{version}"}[{window}]))
monitor:
  id: fraud-model
  alerts: { for: 0s, window: 10s }
`;

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

async function until<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(skipWithout('prometheus'))('model-gate alerts', () => {
  const config = join(dir, 'model-gate.yml');
  writeFileSync(config, CONFIG);
  const rulesFile = join(dir, 'rules.yml');

  it('writes error-rate and latency-ratio rules that promtool accepts', async () => {
    const out = await runAlerts({ mode: 'alerts', configPath: config, overrides: { version: 'v2' }, previous: 'v1', output: rulesFile, debug: false }, null);
    expect(out.rules).toBe(4);
    const rules = (parse(readFileSync(rulesFile, 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string; labels: Record<string, string> }[] }[] }).groups[0]!;
    expect(rules.name).toBe('model-gate-fraud-model');
    expect(rules.rules.map((r) => r.alert)).toEqual(['ModelGateErrorsErrorRateHigh', 'ModelGateErrorsErrorRateCritical', 'ModelGateLatencyLatencyRatioHigh', 'ModelGateLatencyLatencyRatioCritical']);
    expect(rules.rules[0]!.expr).toBe('(sum(increase(model_errors_total{version="v2"}[10s]))) / (sum(increase(model_requests_total{version="v2"}[10s]))) > 0.05 and (sum(increase(model_requests_total{version="v2"}[10s]))) >= 5');
    expect(rules.rules[2]!.expr).toContain('histogram_quantile(0.95, sum by (le) (increase(model_latency_seconds_bucket{version="v2"}[10s]))) / histogram_quantile(0.95, sum by (le) (increase(model_latency_seconds_bucket{version="v1"}[10s]))) > 1.2');
    const check = spawnSync(PROMTOOL, ['check', 'rules', rulesFile], { encoding: 'utf8', timeout: 30_000 });
    console.log(`promtool check rules:\n${check.stdout}${check.stderr}`);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: 4 rules found/);
  });

  it('fires the error-rate alerts in a real Prometheus scraping a source that errs', async () => {
    // The deployed version v2 answers half its requests with errors.
    let requests = 0;
    let errors = 0;
    const tick = setInterval(() => {
      requests += 10;
      errors += 5;
    }, 200);
    const metrics = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE model_requests_total counter\nmodel_requests_total ${requests}\n# TYPE model_errors_total counter\nmodel_errors_total ${errors}\n`);
    });
    const target = await listen(metrics);
    const promPort = await listen(createServer());
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const prom = join(dir, 'prometheus');
    mkdirSync(prom, { recursive: true });
    writeFileSync(
      join(prom, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: ['${rulesFile}']\nscrape_configs:\n  - job_name: model\n    static_configs:\n      - targets: ['127.0.0.1:${target}']\n        labels: { version: v2 }\n`,
    );
    const prometheus = spawn(PROMETHEUS, [`--config.file=${join(prom, 'prometheus.yml')}`, `--storage.tsdb.path=${join(prom, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=error'], { stdio: 'ignore' });
    children.push(prometheus);
    const url = `http://127.0.0.1:${promPort}`;
    try {
      await until('prometheus', async () => (await fetch(`${url}/-/ready`)).ok, 30_000);
      const firing = await until(
        'the error-rate alerts to fire',
        async () => {
          const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
          const names = body.data.alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname!);
          return names.includes('ModelGateErrorsErrorRateHigh') && names.includes('ModelGateErrorsErrorRateCritical') ? body.data.alerts : null;
        },
        60_000,
      );
      const high = firing.find((a) => a.labels.alertname === 'ModelGateErrorsErrorRateHigh')!;
      expect(high.labels).toMatchObject({ severity: 'warning', model_gate_id: 'fraud-model', version: 'v2', metric: 'errors' });
      // No latency series, no latency alert: the ratio has no data.
      expect(firing.some((a) => a.labels.alertname!.startsWith('ModelGateLatency'))).toBe(false);
    } finally {
      clearInterval(tick);
      prometheus.kill('SIGKILL');
    }
  }, 120_000);
});
