/**
 * Operational health of the deployed version over the monitor window, from the promotion's metrics
 * provider (read only): each `error_rate` metric of promotion.metrics, its canary queries rendered
 * with {version} the deployed version and {window} the monitor window, judged against the same
 * max / critical_max the promotion judge uses (src/promotion/judge.ts DEFAULTS when unset):
 * above critical_max FAILING, above max DEGRADED; too few requests is inconclusive, never a pass.
 */
import { result, type CheckResult } from '../core/check-result.ts';
import { percentRounded, round } from '../core/format.ts';
import type { GateConfig } from '../config/types.ts';
import { getErrorMessage } from '../errors.ts';
import { render, type MetricsProvider, type QueryResult } from '../promotion/providers.ts';
import { DEFAULTS } from '../promotion/judge.ts';

export interface OperationalRow {
  name: string;
  errors: number | null;
  requests: number | null;
  rate: number | null;
}

/** One number from a query: a scalar, or the value of a single series (none: no data). */
function scalar(r: QueryResult, q: string): number | null {
  if (r === null || typeof r === 'number') return r;
  if (r.length === 0) return null;
  if (r.length > 1) throw new Error(`the query ${q} gives ${r.length} series; aggregate it to one (sum(...))`);
  return Number.isFinite(r[0]!.value) ? r[0]!.value : null;
}


export async function judgeOperational(config: GateConfig, provider: MetricsProvider, version: string): Promise<{ rows: OperationalRow[]; checks: CheckResult[] }> {
  const metrics = config.promotion.metrics.filter((m) => m.kind === 'error_rate');
  if (metrics.length === 0) {
    return { rows: [], checks: [result({ id: 'monitor.operational', category: 'operational', severity: 'info', status: 'skip', message: 'no error_rate metric in promotion.metrics to read' })] };
  }
  const vars = { version, stage: '100%', weight: 100, window: config.monitor.operational.window_minutes * 60 };
  const rows: OperationalRow[] = [];
  const checks: CheckResult[] = [];
  for (const m of metrics) {
    const id = `monitor.operational.${m.name}`;
    const max = m.max ?? DEFAULTS.error_max;
    const critical = m.critical_max ?? DEFAULTS.error_critical;
    const threshold = `<= ${percentRounded(max)} (FAILING above ${percentRounded(critical)})`;
    try {
      if (!m.errors || !m.requests) throw new Error(`metric ${m.name} needs errors and requests queries`);
      const qe = render(m.errors.canary, vars);
      const qr = render(m.requests.canary, vars);
      const [e, n] = await Promise.all([provider.query(qe), provider.query(qr)]);
      // No error series yet is zero errors; no request series is no data.
      const errors = scalar(e, qe) ?? 0;
      const requests = scalar(n, qr);
      const rate = requests !== null && requests > 0 ? errors / requests : null;
      rows.push({ name: m.name, errors, requests, rate });
      if (errors < 0 || (requests !== null && (requests < 0 || errors > requests))) {
        checks.push(result({ id, category: 'operational', severity: 'warning', status: 'error', message: `${m.name}: ${errors} errors of ${requests} requests cannot be; the queries do not count the same requests` }));
      } else if (rate === null || requests! < config.promotion.min_requests) {
        checks.push(result({ id, category: 'operational', severity: 'warning', status: 'error', value: requests ?? 0, threshold: `>= ${config.promotion.min_requests} requests`, message: `${m.name}: only ${requests ?? 0} requests of ${version} in the last ${config.monitor.operational.window_minutes} min (promotion.min_requests is ${config.promotion.min_requests}): not judged` }));
      } else {
        const status = rate > max ? 'fail' : 'pass';
        const severity = rate > critical ? 'blocker' : 'warning';
        checks.push(result({ id, category: 'operational', severity, status, value: round(rate, 6), threshold, message: `${m.name} of ${version}: ${percentRounded(rate)} (${errors} of ${requests} requests in the last ${config.monitor.operational.window_minutes} min)` }));
      }
    } catch (error) {
      rows.push({ name: m.name, errors: null, requests: null, rate: null });
      checks.push(result({ id, category: 'operational', severity: 'warning', status: 'error', message: `${m.name} could not be read: ${getErrorMessage(error)}` }));
    }
  }
  return { rows, checks };
}
