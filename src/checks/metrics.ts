/**
 * Metrics on the labelled evaluation rows and their absolute bounds. Pure judges over collected
 * predictions; the family runner only predicts when the outputs family has not already. NaN or
 * infinite predictions are refused (fail closed), never averaged into a number.
 */
import type { GateConfig, MetricName, MetricThreshold } from '../config/types.ts';
import type { Severity } from '../core/check-result.ts';
import { result, type CheckResult } from '../core/check-result.ts';
import { formatMetric, percentRounded } from '../core/format.ts';
import {
  EvaluationError,
  computeMetrics,
  evaluationOf,
  metricsForTask,
  primaryMetric,
  withPrimaryMetric,
  majorityClass,
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


export function judgeMetrics(predictions: Predictions, labels: Labels | null, config: GateConfig): MetricsOutcome {
  const outcome = judgeWithView(predictions, labels, config);
  const order = outcome.view ? judgeClassOrder(outcome.view, config) : null;
  return order ? { ...outcome, checks: [order, ...outcome.checks] } : outcome;
}

/** Rows where the label output may differ from the argmax (a threshold other than ½) before it counts as a contradiction. */
const ORDER_SLACK = 0.01;

/**
 * Whether the class order the probabilities are read in contradicts the model's own label output:
 * each probability column should come with its own class as the label. A threshold other than ½
 * moves a few rows, never which label a column mostly comes with; classes listed in the wrong
 * order do (accuracy of 0.05 on a healthy model, with no other sign). Needs no labelled data.
 */
export function judgeClassOrder(view: ModelView, config: GateConfig): CheckResult | null {
  if (view.task === 'regression' || !view.proba || !view.labelOutput) return null;
  const k = view.classes.length;
  const counts = new Float64Array(k * k); // probability column (argmax) × label index
  let rows = 0;
  let agree = 0;
  for (let i = 0; i < view.pred.length; i++) {
    const label = view.pred[i]!;
    if (label < 0) continue;
    const row = view.proba.subarray(i * k, (i + 1) * k);
    if (!row.every(Number.isFinite)) continue; // NaN says nothing about the order (the outputs checks judge it)
    let best = 0;
    for (let c = 1; c < k; c++) if (row[c]! > row[best]!) best = c;
    let second = -Infinity;
    for (let c = 0; c < k; c++) if (c !== best) second = Math.max(second, row[c]!);
    if (row[best]! - second <= 1e-9) continue; // a tie: either label is right
    counts[best * k + label]!++;
    rows++;
    if (best === label) agree++;
  }
  if (rows === 0) return null;
  const suggested: number[] = [];
  let explained = 0;
  for (let c = 0; c < k; c++) {
    let top = c;
    for (let l = 0; l < k; l++) if (counts[c * k + l]! > counts[c * k + top]!) top = l;
    suggested.push(top);
    explained += counts[c * k + top]!;
  }
  const label = view.labelOutput;
  const from = config.metrics.classes
    ? 'metrics.classes'
    : config.model.outputs && Object.values(config.model.outputs).some((o) => o.classes)
      ? `model.outputs.<output>.classes`
      : "the model's own class names";
  const list = (xs: readonly (string | number)[]) => `[${xs.map((x) => String(x)).join(', ')}]`;
  const contradicts = explained - agree > Math.max(1, ORDER_SLACK * rows);
  return result({
    id: 'metrics.classes',
    category: CATEGORY,
    severity: 'blocker',
    status: contradicts ? 'fail' : 'pass',
    value: agree / rows,
    threshold: 'the label output names the most probable class',
    message: contradicts
      ? `the classes ${list(view.classes)} (${from}) contradict the model's own label output "${label}": on ${(rows - agree).toLocaleString('en')} of ${rows.toLocaleString('en')} rows its label is not the class of the most probable column, and the labels say the probability columns are ${list(suggested.map((i) => view.classes[i]!))}; list the classes in the order of the probability columns`
      : `the label output "${label}" names the most probable class under the classes ${list(view.classes)} on ${agree.toLocaleString('en')} of ${rows.toLocaleString('en')} rows`,
  });
}

function judgeWithView(predictions: Predictions, labels: Labels | null, config: GateConfig): MetricsOutcome {
  const cfg = config.metrics;
  const configured = Object.entries(cfg.thresholds) as [MetricName, MetricThreshold][];
  const fail = (id: string, message: string, severity: Severity = cfg.severity) =>
    result({ id, category: CATEGORY, severity, status: 'fail', message });
  const none = { view: null, evaluation: null, report: null };

  let view: ModelView | null = null;
  let viewError: string | null = null;
  try {
    view = readModelView(predictions, config, labels);
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
  const primary = primaryMetric(report.task, withPrimaryMetric(evaluation, config));
  const shown = [primary, ...metricsForTask(report.task).filter((m) => m !== primary && ['accuracy', 'f1_macro', 'roc_auc', 'mae', 'r2'].includes(m))];
  checks.push(
    result({
      id: 'metrics.computed',
      category: CATEGORY,
      severity: 'info',
      status: 'pass',
      value: report.values[primary] ?? null,
      message: `${report.task} on ${report.rows.toLocaleString('en')} rows of ${labels.path} (label "${labels.column}"${labels.weights ? ', weighted' : ''}): ${shown
        .map((m) => `${m} ${formatMetric(report.values[m])}`)
        .join(', ')}${imbalanceNote(evaluation, config)}${byLabelsNote(view)}${throughNote(view)}${binaryLabelsNote(view, labels)}${choiceNote(view, labels)}`,
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

/** One plain score column read as a classifier because the labels are 0 and 1: said, with how to say otherwise. */
function byLabelsNote(view: ModelView): string {
  if (view.task === 'regression' || !view.byLabels) return '';
  const as = view.proba ? 'a binary classifier' : 'the predicted class (it holds only 0 and 1, as a served predict() does)';
  return `; "${view.outputs}" is one column and the labels are all 0 or 1: read as ${as} (set metrics.task: regression if it predicts a number)`;
}

/** Scores read as probabilities through a softmax or sigmoid: said, with how to say otherwise. */
function throughNote(view: ModelView): string {
  if (view.task === 'regression' || !view.through) return '';
  const name = view.probaOutput ?? view.outputs; // not "logits + label": the output the scores come from
  return `; probabilities are the ${view.through} of "${name}" (its scores read as logits; set model.outputs.${name}.kind to say otherwise)`;
}

/** A prediction read from the first of several one-value outputs: which, and how to name another. */
function choiceNote(view: ModelView, labels: Labels): string {
  if (view.task !== 'regression' || !view.passedOver) return '';
  return `; predictions read from output "${view.outputs}", the first of ${[view.outputs, ...view.passedOver].map((n) => `"${n}"`).join(', ')} (none is named like the label "${labels.column}"): set metrics.output if another holds them`;
}

/** A regression read on labels that are only 0 and 1: most likely a classifier whose one output says nothing of its kind. */
function binaryLabelsNote(view: ModelView, labels: Labels): string {
  if (view.task !== 'regression' || !labels.numeric || labels.numeric.length === 0) return '';
  for (const y of labels.numeric) if (y !== 0 && y !== 1) return '';
  // Every prediction 0 or 1 too: a classifier answering its labels (MLflow serves predict()).
  if (view.pred.every((p) => p === 0 || p === 1)) {
    return `; the labels and every value of "${view.outputs}" are 0 or 1: if "${view.outputs}" holds a classifier's labels (as MLflow serves predict()), set model.outputs.${view.outputs}.kind: labels`;
  }
  return `; the labels are all 0 or 1: if this is a classifier, set metrics.task: binary (and model.outputs.${view.outputs}.kind: logits if "${view.outputs}" is a logit, not a probability)`;
}

/** Why balanced accuracy, not accuracy, is the metric compared by default on these labels; '' otherwise. */
function imbalanceNote(ev: Evaluation, config: GateConfig): string {
  if (config.metrics.primary || withPrimaryMetric(ev, config).metrics.primary !== 'balanced_accuracy' || ev.task === 'regression') return '';
  const majority = majorityClass(ev)!;
  const cls = String(ev.view.classes[majority.index]);
  return `; balanced_accuracy is the metric compared: class ${cls} holds ${percentRounded(majority.share, 1)} of the rows, so accuracy would score a model that always answers ${cls} at ${formatMetric(majority.share)} (set metrics.primary to choose another)`;
}
