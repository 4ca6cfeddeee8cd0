/**
 * `model-gate alerts`: Prometheus alerting rules for the deployed model from the same thresholds
 * the promotion judge enforces (promotion.metrics; src/promotion/judge.ts DEFAULTS when unset), so
 * Alertmanager pages on the limits CI held the canary to:
 *
 * - error_rate: errors / requests of the deployed version above `max` (warning) and above
 *   `critical_max` (critical), once the window holds promotion.min_requests requests;
 * - latency: p95 of the deployed version over p95 of the previous version (histogram buckets via
 *   histogram_quantile, or the samples series) at `warning_ratio` (warning) and `critical_ratio`
 *   (critical); without a previous version there is nothing to compare and no rule is written;
 * - value: above `max` / `critical_max`, below `min`.
 *
 * The queries are the promotion's own templates: {version} the deployed version for the canary side
 * and the previous one for the stable side, {window} monitor.alerts.window. Pure: returns YAML.
 */
import { stringify } from 'yaml';
import type { GateConfig, PromotionMetric } from '../config/types.ts';
import { DEFAULTS } from '../promotion/judge.ts';
import { render } from '../promotion/providers.ts';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const seconds = (d: string): number => {
  const m = /^(\d+)([smhd])$/.exec(d);
  if (!m) throw new Error(`"${d}" is not a Prometheus duration like 5m`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
};

/** An alert name from a metric name: CamelCase letters and digits only. */
const camel = (s: string) => s.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

export function alertRules(config: GateConfig, id: string, version: string, previous: string | null): { yaml: string; rules: AlertRule[]; notes: string[] } {
  const a = config.monitor.alerts;
  const window = seconds(a.window);
  const canary = (q: string) => render(q, { version, stage: '100%', weight: 100, window });
  const stable = (q: string) => render(q, { version: previous ?? version, stage: '100%', weight: 100, window });
  const rules: AlertRule[] = [];
  const notes: string[] = [];
  const labels = (severity: string, m: PromotionMetric) => ({ severity, model_gate_id: id, version, metric: m.name });
  const add = (name: string, expr: string, severity: 'warning' | 'critical', m: PromotionMetric, summary: string) =>
    rules.push({ alert: name, expr, for: a.for, labels: labels(severity, m), annotations: { summary, description: `${summary} (model-gate monitor ${id}, version ${version}; the limit is the one the promotion judge enforced: promotion.metrics ${m.name}). Value: {{ $value }}` } });
  for (const m of config.promotion.metrics) {
    const base = `ModelGate${camel(m.name)}`;
    if (m.kind === 'error_rate') {
      if (!m.errors || !m.requests) {
        notes.push(`${m.name}: no errors/requests queries; no rule`);
        continue;
      }
      const max = m.max ?? DEFAULTS.error_max;
      const critical = m.critical_max ?? DEFAULTS.error_critical;
      const rate = `(${canary(m.errors.canary)}) / (${canary(m.requests.canary)})`;
      const enough = `(${canary(m.requests.canary)}) >= ${config.promotion.min_requests}`;
      add(`${base}ErrorRateHigh`, `${rate} > ${max} and ${enough}`, 'warning', m, `${m.name}: error rate of ${version} above ${max * 100}%`);
      add(`${base}ErrorRateCritical`, `${rate} > ${critical} and ${enough}`, 'critical', m, `${m.name}: error rate of ${version} above ${critical * 100}%`);
    } else if (m.kind === 'latency') {
      if (!previous) {
        notes.push(`${m.name}: no previous version recorded to compare latency with; no rule (give --previous)`);
        continue;
      }
      const warning = m.warning_ratio ?? DEFAULTS.latency_warning;
      const critical = m.critical_ratio ?? DEFAULTS.latency_critical;
      let ratio: string;
      if (m.buckets) ratio = `histogram_quantile(0.95, ${canary(m.buckets.canary)}) / histogram_quantile(0.95, ${stable(m.buckets.stable)})`;
      else if (m.samples) ratio = `(${canary(m.samples.canary)}) / (${stable(m.samples.stable)})`;
      else {
        notes.push(`${m.name}: no buckets or samples queries; no rule`);
        continue;
      }
      add(`${base}LatencyRatioHigh`, `${ratio} > ${warning}`, 'warning', m, `${m.name}: p95 latency of ${version} above ${warning}× that of ${previous}`);
      add(`${base}LatencyRatioCritical`, `${ratio} > ${critical}`, 'critical', m, `${m.name}: p95 latency of ${version} above ${critical}× that of ${previous}`);
    } else if (m.value) {
      const v = `(${canary(m.value.canary)})`;
      if (m.max !== undefined) add(`${base}AboveMax`, `${v} > ${m.max}`, 'warning', m, `${m.name} of ${version} above ${m.max}`);
      if (m.critical_max !== undefined) add(`${base}AboveCritical`, `${v} > ${m.critical_max}`, 'critical', m, `${m.name} of ${version} above ${m.critical_max}`);
      if (m.min !== undefined) add(`${base}BelowMin`, `${v} < ${m.min}`, 'warning', m, `${m.name} of ${version} below ${m.min}`);
    }
  }
  const group = `model-gate-${id.replace(/[^A-Za-z0-9_.:-]/g, '_')}`;
  const header = `# Prometheus alerting rules written by model-gate alerts for ${id}, version ${version}${previous ? ` (latency compared with ${previous})` : ''}.\n# From promotion.metrics: the limits the promotion judge enforced. Check: promtool check rules <file>\n`;
  return { yaml: header + stringify({ groups: [{ name: group, rules }] }, { lineWidth: 0 }), rules, notes };
}
