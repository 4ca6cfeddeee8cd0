/**
 * Metrics on the labelled evaluation rows and their absolute bounds. Pure judges over collected
 * predictions; the family runner only predicts when the outputs family has not already. NaN or
 * infinite predictions are refused (fail closed), never averaged into a number.
 */
import type { GateConfig, MetricName, MetricThreshold } from '../config/types.ts';
import type { Severity } from './types.ts';
import { result, type CheckResult } from './types.ts';
import {
  EvaluationError,
  computeMetrics,
  evaluationOf,
  metricsForTask,
  primaryMetric,
  readModelView,
  type Evaluation,
  type Labels,
  type MetricReport,
  type ModelView,
} from './evaluation.ts';
import type { Predictions } from './predictions.ts';
import { getErrorMessage } from '../errors.ts';
import { nonFiniteMetricInputs } from './finite.ts';

const CATEGORY = 'metrics';

export interface MetricsOutcome {
  checks: CheckResult[];
  view: ModelView | null;
  evaluation: Evaluation | null;
  report: MetricReport | null;
}

export const formatMetric = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : Number(v.toPrecision(4)).toString());

export function judgeMetrics(predictions: Predictions, labels: Labels | null, config: GateConfig): MetricsOutcome {
  const cfg = config.metrics;
  const configured = Object.entries(cfg.thresholds) as [MetricName, MetricThreshold][];
  const fail = (id: string, message: string, severity: Severity = cfg.severity) =>
    result({ id, category: CATEGORY, severity, status: 'fail', message });
  const none = { view: null, evaluation: null, report: null };

  let view: ModelView | null = null;
  let viewError: string | null = null;
  try {
    view = readModelView(predictions, config);
  } catch (error) {
    viewError = `cannot read the model's outputs as predictions: ${getErrorMessage(error)}`;
  }
  if (!labels) {
    // Fail closed: a bound someone configured cannot silently pass without labels.
    const why = config.data.eval ? `${config.data.eval} has no label column configured (data.label)` : 'no labelled evaluation data (data.eval and data.label)';
    const checks = configured
      .filter(([, t]) => t.min !== undefined || t.max !== undefined)
      .map(([name, t]) => fail(`metrics.${name}`, `${name} is configured but cannot be computed: ${why}`, t.severity ?? cfg.severity));
    if (checks.length === 0) checks.push(result({ id: 'metrics.computed', category: CATEGORY, severity: 'info', status: 'skip', message: `metrics not computed: ${why}` }));
    return { ...none, view, checks };
  }
  if (!view) return { ...none, checks: [fail('metrics.task', viewError!)] };
  let evaluation: Evaluation;
  try {
    evaluation = evaluationOf(view, labels);
  } catch (error) {
    const message = error instanceof EvaluationError ? error.message : getErrorMessage(error);
    return { ...none, view, checks: [fail('metrics.labels', message)] };
  }
  const refused = nonFiniteMetricInputs(predictions, view, labels);
  if (refused) {
    // Every configured bound fails too, naming why: none can pass on predictions that are not numbers.
    const checks = [fail('metrics.computed', refused)];
    for (const [name, t] of configured) {
      if (t.min !== undefined || t.max !== undefined) checks.push(fail(`metrics.${name}`, `${name} cannot be computed: ${refused}`, t.severity ?? cfg.severity));
    }
    return { ...none, view, evaluation, checks };
  }
  const report = computeMetrics(evaluation, cfg.ece_bins);
  const checks: CheckResult[] = [];
  const primary = primaryMetric(report.task, config);
  const shown = [primary, ...metricsForTask(report.task).filter((m) => m !== primary && ['f1_macro', 'roc_auc', 'mae', 'r2'].includes(m))];
  checks.push(
    result({
      id: 'metrics.computed',
      category: CATEGORY,
      severity: 'info',
      status: 'pass',
      value: report.values[primary] ?? null,
      message: `${report.task} on ${report.rows.toLocaleString('en')} rows of ${labels.path} (label "${labels.column}"${labels.weights ? ', weighted' : ''}): ${shown
        .map((m) => `${m} ${formatMetric(report.values[m])}`)
        .join(', ')}`,
    }),
  );
  const valid = new Set(metricsForTask(report.task));
  for (const [name, t] of configured) {
    if (t.min === undefined && t.max === undefined) continue;
    const severity = t.severity ?? cfg.severity;
    const bound = [t.min !== undefined ? `>= ${t.min}` : null, t.max !== undefined ? `<= ${t.max}` : null].filter(Boolean).join(' and ');
    if (!valid.has(name)) {
      checks.push(fail(`metrics.${name}`, `${name} does not apply to a ${report.task} model`, severity));
      continue;
    }
    const v = report.values[name];
    if (v === null || v === undefined || Number.isNaN(v)) {
      const why = evaluation.task !== 'regression' && !evaluation.data.proba ? 'the model gives no probabilities' : 'undefined on these rows';
      checks.push(result({ id: `metrics.${name}`, category: CATEGORY, severity, status: 'fail', threshold: bound, message: `${name} cannot be computed: ${why}` }));
      continue;
    }
    const ok = (t.min === undefined || v >= t.min) && (t.max === undefined || v <= t.max);
    checks.push(
      result({
        id: `metrics.${name}`,
        category: CATEGORY,
        severity,
        status: ok ? 'pass' : 'fail',
        value: v,
        threshold: bound,
        message: `${name} ${formatMetric(v)} ${ok ? 'meets' : 'misses'} ${bound}`,
      }),
    );
  }
  return { checks, view, evaluation, report };
}
