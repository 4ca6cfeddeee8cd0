/**
 * The monitor's pure parts with fakes behind their interfaces: the operational error rate from a
 * metrics provider (the promotion's thresholds), the status, and the alert issue's keeper against
 * an in-memory issue store (a race of two first runs ends with one open issue).
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.ts';
import type { GateConfig } from '../../src/config/types.ts';
import { upsertAlertIssue, type AlertIssue, type IssueStore } from '../../src/github/alert-issue.ts';
import { judgeOperational } from '../../src/monitor/operational.ts';
import { monitorStatus } from '../../src/monitor/status.ts';
import type { MetricsProvider } from '../../src/promotion/providers.ts';

function config(): GateConfig {
  const c = defaultConfig();
  c.promotion.min_requests = 10;
  c.promotion.metrics = [{ name: 'errors', kind: 'error_rate', errors: { canary: 'e{version}/{window}', stable: 's' }, requests: { canary: 'r{version}/{window}', stable: 's' }, step_seconds: 10, confidence: 0.95, critical: false, max: 0.05, critical_max: 0.2 }];
  return c;
}

const provider = (answers: Record<string, number | null>): MetricsProvider & { asked: string[] } => {
  const asked: string[] = [];
  return { asked, query: async (q) => (asked.push(q), answers[q] ?? null), queryRange: async () => null };
};

describe('operational error rate', () => {
  it('renders the promotion\'s canary queries for the deployed version over the window, judged by max and critical_max', async () => {
    const p = provider({ 'ev2/3600s': 3, 'rv2/3600s': 100 });
    const out = await judgeOperational(config(), p, 'v2');
    expect(p.asked.sort()).toEqual(['ev2/3600s', 'rv2/3600s']);
    expect(out.checks[0]).toMatchObject({ id: 'monitor.operational.errors', status: 'pass', value: 0.03 });
    expect((await judgeOperational(config(), provider({ 'ev2/3600s': 10, 'rv2/3600s': 100 }), 'v2')).checks[0]).toMatchObject({ status: 'fail', severity: 'warning' });
    expect((await judgeOperational(config(), provider({ 'ev2/3600s': 30, 'rv2/3600s': 100 }), 'v2')).checks[0]).toMatchObject({ status: 'fail', severity: 'blocker' });
  });

  it('too few requests, impossible counts and a failing provider are not a pass', async () => {
    expect((await judgeOperational(config(), provider({ 'rv2/3600s': 3 }), 'v2')).checks[0]).toMatchObject({ status: 'error', severity: 'warning' });
    expect((await judgeOperational(config(), provider({ 'ev2/3600s': 30, 'rv2/3600s': 20 }), 'v2')).checks[0]!.message).toMatch(/cannot be/);
    const broken: MetricsProvider = { query: async () => { throw new Error('Prometheus at http://p: connection refused'); }, queryRange: async () => null };
    expect((await judgeOperational(config(), broken, 'v2')).checks[0]).toMatchObject({ status: 'error', message: expect.stringMatching(/connection refused/) });
  });
});

describe('monitor status', () => {
  it('maps the gate\'s decision and never says OK on nothing', () => {
    const check = (status: 'pass' | 'fail', severity: 'blocker' | 'warning' | 'info') => ({ id: 'x', category: 'c', status, severity, value: null, threshold: null, message: '' });
    expect(monitorStatus([check('pass', 'warning')]).status).toBe('OK');
    expect(monitorStatus([check('fail', 'warning')]).status).toBe('DEGRADED');
    expect(monitorStatus([check('fail', 'blocker')]).status).toBe('FAILING');
    expect(monitorStatus([check('pass', 'info')]).status).toBe('DEGRADED');
    expect(monitorStatus([]).status).toBe('DEGRADED');
  });
});

function memoryStore(): IssueStore & { issues: AlertIssue[] } {
  const issues: AlertIssue[] = [];
  return {
    issues,
    identity: async () => 'bot',
    list: async () => issues.map((i) => ({ ...i })),
    create: async (title, body) => {
      const i: AlertIssue = { number: issues.length + 1, title, body, state: 'open', author: 'bot', url: `u${issues.length + 1}` };
      issues.push(i);
      return { ...i };
    },
    update: async (n, f) => {
      const i = issues.find((x) => x.number === n)!;
      Object.assign(i, { ...(f.title !== undefined ? { title: f.title } : {}), ...(f.body !== undefined ? { body: f.body } : {}), ...(f.state ? { state: f.state } : {}) });
      return { ...i };
    },
    comment: async () => undefined,
  };
}

describe('alert issue keeper', () => {
  const req = (healthy: boolean) => ({ marker: '<!-- m -->', healthy, title: 't', labels: ['model-gate'], body: (prev: string | null) => `<!-- m -->\n${(prev ?? '').split('\n').length}`, closingNote: 'ok' });
  it('two first runs racing end with one open issue', async () => {
    const store = memoryStore();
    const [a, b] = await Promise.all([upsertAlertIssue(store, req(false)), upsertAlertIssue(store, req(false))]);
    expect(store.issues.filter((i) => i.state === 'open' && i.body.startsWith('<!-- m -->\n'))).toHaveLength(1);
    expect([a.number, b.number]).toEqual([1, 1]);
  });
  it('healthy with nothing open does nothing; someone else\'s issue with the marker is not ours', async () => {
    const store = memoryStore();
    expect((await upsertAlertIssue(store, req(true))).action).toBe('none');
    store.issues.push({ number: 9, title: 'x', body: '<!-- m -->\nquoted', state: 'open', author: 'someone', url: 'u9' });
    expect((await upsertAlertIssue(store, req(false))).action).toBe('opened');
  });
});
