/** The load test's checklist items: latency, errors and throughput against the SLO, and health. */
import type { LoadConfig } from '../config/types.ts';
import { result, type CheckResult } from '../core/check-result.ts';
import { percent, significant } from '../core/format.ts';
import type { LoadRun } from '../runners/load/generate.ts';

export type Health = 'healthy' | 'unhealthy' | 'unknown';

export interface LoadReport {
  batch_size: number;
  runs: LoadRun[];
  health: Health;
  /** Why the health is what it is. */
  health_reason: string;
}

const CATEGORY = 'load';
/** A success older than this at the end of a run is not "recent". */
const RECENT_S = 5;
const r = (x: number) => significant(x, 4);
export const runLabel = (run: LoadRun) => (run.mode === 'closed' ? `concurrency ${run.concurrency}` : `open loop ${r(run.rate!)}/s`);
const pct = (x: number) => percent(x, 4);

export function healthOf(runs: LoadRun[], cfg: LoadConfig): { health: Health; reason: string } {
  const limit = cfg.slo.max_error_rate ?? 0.001;
  const worst = runs.reduce<LoadRun | null>((w, x) => (!w || x.error_rate > w.error_rate ? x : w), null);
  if (worst && worst.requests > 0 && worst.error_rate > limit) {
    return { health: 'unhealthy', reason: `ready, but ${pct(worst.error_rate)} of requests failed at ${runLabel(worst)} (more than ${pct(limit)})` };
  }
  const last = runs.at(-1);
  if (!last || last.since_last_ok_s === null || last.since_last_ok_s > RECENT_S) {
    return { health: 'unknown', reason: 'ready, but no recent successful request' };
  }
  return { health: 'healthy', reason: `ready, and ${pct(worst?.error_rate ?? 0)} or fewer requests failed under load` };
}

export function judgeLoadTest(report: LoadReport, cfg: LoadConfig): CheckResult[] {
  const { slo, severity } = cfg;
  const checks: CheckResult[] = [];
  const summary = (run: LoadRun) =>
    `${runLabel(run)}: p50 ${r(run.p50_ms)} ms, p95 ${r(run.p95_ms)} ms, p99 ${r(run.p99_ms)} ms, ${r(run.achieved_rps)} req/s, ${pct(run.error_rate)} errors`;

  if (slo.p95_ms !== null || slo.p99_ms !== null) {
    const limits = [slo.p95_ms !== null ? `p95 <= ${slo.p95_ms} ms` : null, slo.p99_ms !== null ? `p99 <= ${slo.p99_ms} ms` : null].filter(Boolean).join(', ');
    const empty = report.runs.filter((x) => x.ok === 0);
    const over = report.runs.filter((x) => (slo.p95_ms !== null && x.p95_ms > slo.p95_ms) || (slo.p99_ms !== null && x.p99_ms > slo.p99_ms));
    const worst = report.runs.reduce((w, x) => (x.p95_ms > w.p95_ms ? x : w), report.runs[0]!);
    checks.push(
      result({
        id: 'load.latency',
        category: CATEGORY,
        severity: severity.latency,
        status: empty.length > 0 ? 'error' : over.length > 0 ? 'fail' : 'pass',
        value: { p95_ms: r(worst.p95_ms), p99_ms: r(worst.p99_ms) },
        threshold: `${limits} at every run`,
        message:
          empty.length > 0
            ? `no successful request at ${empty.map(runLabel).join(', ')}: latency unknown`
            : over.length > 0
              ? `over the SLO at ${over.map(summary).join('; ')}`
              : `within the SLO at every run; slowest: ${summary(worst)}`,
      }),
    );
  }
  if (slo.max_error_rate !== null) {
    const worst = report.runs.reduce((w, x) => (x.error_rate > w.error_rate ? x : w), report.runs[0]!);
    const statuses = Object.entries(worst.status_counts).map(([k, v]) => `${k}: ${v.toLocaleString('en')}`).join(', ');
    checks.push(
      result({
        id: 'load.errors',
        category: CATEGORY,
        severity: severity.errors,
        status: worst.error_rate > slo.max_error_rate ? 'fail' : 'pass',
        value: r(worst.error_rate),
        threshold: `error rate <= ${pct(slo.max_error_rate)} at every run`,
        message: `${pct(worst.error_rate)} of ${worst.requests.toLocaleString('en')} requests failed at ${runLabel(worst)} (${worst.timeouts} timeouts${worst.dropped ? `, ${worst.dropped} dropped` : ''}; ${statuses})`,
      }),
    );
  }
  if (slo.min_rps !== null) {
    // An open-loop run at a rate below the target cannot show the throughput: only the others count.
    const able = report.runs.filter((x) => x.mode === 'closed' || (x.rate ?? 0) >= slo.min_rps!);
    const best = able.reduce<LoadRun | null>((b, x) => (!b || x.achieved_rps > b.achieved_rps ? x : b), null);
    checks.push(
      best
        ? result({
            id: 'load.throughput',
            category: CATEGORY,
            severity: severity.throughput,
            status: best.achieved_rps >= slo.min_rps ? 'pass' : 'fail',
            value: r(best.achieved_rps),
            threshold: `>= ${slo.min_rps.toLocaleString('en')} requests/s`,
            message: `${r(best.achieved_rps).toLocaleString('en')} requests/s at ${runLabel(best)} (batch ${report.batch_size})`,
          })
        : result({
            id: 'load.throughput',
            category: CATEGORY,
            severity: 'info',
            status: 'skip',
            threshold: `>= ${slo.min_rps.toLocaleString('en')} requests/s`,
            message: `not judged: every run was open loop below ${slo.min_rps.toLocaleString('en')} requests/s; add a concurrency level`,
          }),
    );
  }
  checks.push(
    result({
      id: 'load.health',
      category: CATEGORY,
      severity: 'info',
      status: report.health === 'healthy' ? 'pass' : 'warn',
      value: report.health,
      message: `${report.health}: ${report.health_reason}`,
    }),
  );
  return checks;
}
