/**
 * Performance of the deployed model on the production window: estimated without labels (CBPE,
 * src/stats/cbpe.ts) and realised on the rows whose labels arrived. Each metric is compared with
 * the reference's realised value and with the gate's own bound (metrics.thresholds.<m>.min, for
 * accuracy and roc_auc, which mean the same here as in validate):
 *
 * - FAILING (blocker) when the estimate is significantly below the bound (its interval's upper end
 *   is below it); a point estimate below it that the interval does not confirm is a warning;
 * - DEGRADED (monitor.performance.severity) when it is significantly below the reference, less the
 *   regression the gate allows (metrics.thresholds.<m>.max_regression, default 0).
 *
 * Realised metrics are judged the same way, their interval the reference's sampling error at the
 * number of labelled rows. A multiclass model (monitor.scores) is estimated by multiclass CBPE
 * (src/stats/cbpe-multiclass.ts): accuracy and macro precision / recall / F1, judged alike.
 * Returns checks; never prints or calls out.
 */
import { result, type CheckResult } from '../core/check-result.ts';
import { round } from '../core/format.ts';
import type { GateConfig, MetricName } from '../config/types.ts';
import type { Dataset } from '../data/dataset.ts';
import { getErrorMessage } from '../errors.ts';
import { SAMPLING_ERROR_RANGE, estimateCbpe, fitCbpe, realisedBinary, type CbpeEstimate, type CbpeMetric } from '../stats/cbpe.ts';
import { MULTICLASS_CBPE_METRICS, estimateCbpeMulticlass, fitCbpeMulticlass, multiclassSamplingError, realisedMulticlass, type MulticlassCbpeMetric } from '../stats/cbpe-multiclass.ts';
import { binaryOf, classIndexOf, classPredictionsOf, classScoresOf, predictionsOf, scoreOf } from './columns.ts';

export interface PerformanceSection {
  window_rows: number;
  reference_rows: number;
  reference: Partial<Record<CbpeMetric, number | null>>;
  estimated: CbpeEstimate[];
  realised: { rows: number; metrics: Partial<Record<CbpeMetric, number | null>> } | null;
  /** A multiclass model's classes (precision, recall and F1 are then macro averages); absent for a binary one. */
  classes?: string[];
}

const GATE_NAMES: Partial<Record<CbpeMetric, MetricName>> = { accuracy: 'accuracy', roc_auc: 'roc_auc' };
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : String(round(v, 4)));

interface Judged {
  metric: CbpeMetric;
  value: number | null;
  lower: number | null;
  upper: number | null;
}

function judge(kind: 'estimated' | 'realised', j: Judged, reference: Partial<Record<CbpeMetric, number | null>>, config: GateConfig, rows: number): CheckResult {
  const cfg = config.monitor;
  const id = `monitor.${kind}.${j.metric}`;
  const what = kind === 'estimated' ? `estimated ${j.metric} (CBPE)` : `realised ${j.metric} on ${rows.toLocaleString('en')} labelled rows`;
  if (rows < cfg.min_rows) {
    return result({ id, category: 'performance', severity: 'warning', status: 'error', value: rows, threshold: `>= ${cfg.min_rows} rows`, message: `${what}: only ${rows} rows, fewer than monitor.min_rows (${cfg.min_rows}): not judged, so not shown to be healthy` });
  }
  if (j.value === null || j.upper === null || j.lower === null) {
    return result({ id, category: 'performance', severity: 'warning', status: 'error', message: `${what} is undefined on this window (e.g. no positive predictions): not judged` });
  }
  const gateName = GATE_NAMES[j.metric];
  const gate = gateName ? config.metrics.thresholds[gateName] : undefined;
  const ref = reference[j.metric] ?? null;
  const allowed = gate?.max_regression ?? 0;
  const interval = `${fmt(j.value)} [${fmt(j.lower)}, ${fmt(j.upper)}]`;
  const value = { value: round(j.value, 4), lower: round(j.lower, 4), upper: round(j.upper, 4), reference: ref === null ? null : round(ref, 4) };
  const thresholds = [gate?.min !== undefined ? `>= ${gate.min} (metrics.thresholds.${gateName}.min)` : null, ref !== null ? `>= reference ${fmt(ref)}${allowed ? ` − ${allowed}` : ''}` : null].filter(Boolean).join(', ') || null;
  if (gate?.min !== undefined && j.upper < gate.min) {
    return result({ id, category: 'performance', severity: 'blocker', status: 'fail', value, threshold: thresholds, message: `${what} ${interval} is significantly below the gate's bound ${gate.min}` });
  }
  if (gate?.min !== undefined && j.value < gate.min) {
    return result({ id, category: 'performance', severity: 'warning', status: 'fail', value, threshold: thresholds, message: `${what} ${interval} is below the gate's bound ${gate.min}, not yet significantly` });
  }
  if (ref !== null && j.upper < ref - allowed) {
    return result({ id, category: 'performance', severity: cfg.performance.severity, status: 'fail', value, threshold: thresholds, message: `${what} ${interval} is significantly below the reference's ${fmt(ref)}${allowed ? ` less the allowed ${allowed}` : ''}` });
  }
  return result({ id, category: 'performance', severity: cfg.performance.severity, status: 'pass', value, threshold: thresholds, message: `${what} ${interval}${ref !== null ? `; reference ${fmt(ref)}` : ''}` });
}

/** The interval of a realised metric: ± 3 of the reference's sampling errors at this many labelled rows. */
function realisedInterval(metric: CbpeMetric, value: number | null, se: number | null): Judged {
  const ok = value !== null && se !== null && Number.isFinite(se);
  return { metric, value, lower: ok ? Math.max(0, value - SAMPLING_ERROR_RANGE * se) : null, upper: ok ? Math.min(1, value + SAMPLING_ERROR_RANGE * se) : null };
}

/**
 * The realised metrics on the window's rows that have a label and a usable prediction, each judged
 * on the reference's sampling error `se(metric, rows)`; without such rows, a skip saying so.
 */
function realisedOn<M extends CbpeMetric>(
  labels: Int8Array,
  usable: (row: number) => boolean,
  wanted: readonly M[],
  measure: (rows: number[]) => Record<M, number | null>,
  se: (metric: M, rows: number) => number | null,
  reference: Partial<Record<CbpeMetric, number | null>>,
  config: GateConfig,
): { realised: PerformanceSection['realised']; checks: CheckResult[] } {
  const rows = [...labels.keys()].filter((r) => labels[r] !== -1 && usable(r));
  if (rows.length === 0) {
    return { realised: null, checks: [result({ id: 'monitor.realised', category: 'performance', severity: 'info', status: 'skip', message: 'no labels have arrived for the rows of this window yet' })] };
  }
  const metrics = measure(rows);
  return {
    realised: { rows: rows.length, metrics: Object.fromEntries(wanted.map((m) => [m, metrics[m]])) },
    checks: wanted.map((m) => judge('realised', realisedInterval(m, metrics[m], se(m, rows.length)), reference, config, rows.length)),
  };
}

export function judgePerformance(config: GateConfig, reference: Dataset, window: Dataset, labels: Int8Array | null): { section: PerformanceSection | null; checks: CheckResult[] } {
  const cfg = config.monitor;
  if (!cfg.performance.enabled) return { section: null, checks: [] };
  const labelName = cfg.label ?? config.data.label;
  if (cfg.score && cfg.scores) {
    return { section: null, checks: [result({ id: 'monitor.estimated', category: 'performance', severity: 'warning', status: 'error', message: 'set monitor.score (a binary model\'s positive-class score) or monitor.scores (a multiclass model\'s probability per class), not both: performance is not estimated' })] };
  }
  if (cfg.scores && labelName) return judgeMulticlass(config, cfg.scores, labelName, reference, window, labels);
  if (!cfg.score || !labelName) {
    const missing = [!cfg.score && 'monitor.score (the column with the positive class score; multiclass: monitor.scores)', !labelName && 'monitor.label or data.label'].filter(Boolean).join(' and ');
    return { section: null, checks: [result({ id: 'monitor.estimated', category: 'performance', severity: 'info', status: 'skip', message: `performance is not estimated: set ${missing}` })] };
  }
  let model: ReturnType<typeof fitCbpe>;
  try {
    const score = scoreOf(reference, cfg.score);
    model = fitCbpe({ score, pred: predictionsOf(reference, score, cfg), label: binaryOf(reference, labelName, cfg.positive) });
  } catch (error) {
    return { section: null, checks: [result({ id: 'monitor.estimated', category: 'performance', severity: 'warning', status: 'error', message: `CBPE could not be fitted on the reference ${reference.path}: ${getErrorMessage(error)}` })] };
  }
  let score: Float64Array;
  let pred: Int8Array;
  try {
    score = scoreOf(window, cfg.score);
    pred = predictionsOf(window, score, cfg);
  } catch (error) {
    return { section: null, checks: [result({ id: 'monitor.estimated', category: 'performance', severity: 'warning', status: 'error', message: `performance cannot be estimated on the window: ${getErrorMessage(error)}` })] };
  }
  const est = estimateCbpe(model, { score, pred });
  const wanted = new Set(cfg.performance.metrics);
  const estimated = est.estimates.filter((e) => wanted.has(e.metric));
  const checks = estimated.map((e) => judge('estimated', e, model.reference, config, est.rows));
  let realised: PerformanceSection['realised'] = null;
  if (labels) {
    const r = realisedOn(
      labels,
      (i) => pred[i] !== -1 && Number.isFinite(score[i]!),
      [...wanted],
      (rows) => realisedBinary({ score: rows.map((i) => score[i]!), pred: rows.map((i) => pred[i]!), label: rows.map((i) => labels[i]!) }),
      (m, n) => {
        const c = model.components[m];
        return c.fraction > 0 ? c.std / Math.sqrt(n * c.fraction) : null;
      },
      model.reference,
      config,
    );
    realised = r.realised;
    checks.push(...r.checks);
  }
  return {
    section: {
      window_rows: est.rows,
      reference_rows: model.referenceRows,
      reference: Object.fromEntries([...wanted].map((m) => [m, model.reference[m]])),
      estimated,
      realised,
    },
    checks,
  };
}

/** A multiclass model: the classes of monitor.scores, multiclass CBPE, macro averages. */
function judgeMulticlass(config: GateConfig, scores: Record<string, string>, labelName: string, reference: Dataset, window: Dataset, labels: Int8Array | null): { section: PerformanceSection | null; checks: CheckResult[] } {
  const cfg = config.monitor;
  const classes = Object.keys(scores);
  let model: ReturnType<typeof fitCbpeMulticlass>;
  try {
    const proba = classScoresOf(reference, scores);
    model = fitCbpeMulticlass({ proba, pred: classPredictionsOf(reference, proba, cfg, classes), label: classIndexOf(reference, labelName, classes) });
  } catch (error) {
    return { section: null, checks: [result({ id: 'monitor.estimated', category: 'performance', severity: 'warning', status: 'error', message: `CBPE (multiclass) could not be fitted on the reference ${reference.path}: ${getErrorMessage(error)}` })] };
  }
  let proba: Float64Array[];
  let pred: Int8Array;
  try {
    proba = classScoresOf(window, scores);
    pred = classPredictionsOf(window, proba, cfg, classes);
  } catch (error) {
    return { section: null, checks: [result({ id: 'monitor.estimated', category: 'performance', severity: 'warning', status: 'error', message: `performance cannot be estimated on the window: ${getErrorMessage(error)}` })] };
  }
  const est = estimateCbpeMulticlass(model, { proba, pred });
  const supported = new Set<string>(MULTICLASS_CBPE_METRICS);
  const wanted = cfg.performance.metrics.filter((m): m is MulticlassCbpeMetric => supported.has(m));
  const checks: CheckResult[] = [];
  if (cfg.performance.metrics.includes('roc_auc')) checks.push(result({ id: 'monitor.estimated.roc_auc', category: 'performance', severity: 'info', status: 'skip', message: 'roc_auc is not estimated for a multiclass model (accuracy and macro precision / recall / F1 are)' }));
  const estimated = est.estimates.filter((e) => wanted.includes(e.metric));
  checks.push(...estimated.map((e) => judge('estimated', e, model.reference, config, est.rows)));
  let realised: PerformanceSection['realised'] = null;
  if (labels) {
    const r = realisedOn(
      labels,
      (i) => pred[i] !== -1 && proba.every((p) => Number.isFinite(p[i]!)),
      wanted,
      (rows) => realisedMulticlass({ proba: proba.map((p) => rows.map((i) => p[i]!)), pred: rows.map((i) => pred[i]!), label: rows.map((i) => labels[i]!) }),
      (m, n) => multiclassSamplingError(model, m, n),
      model.reference,
      config,
    );
    realised = r.realised;
    checks.push(...r.checks);
  }
  return {
    section: {
      window_rows: est.rows,
      reference_rows: model.referenceRows,
      reference: Object.fromEntries(wanted.map((m) => [m, model.reference[m]])),
      estimated,
      realised,
      classes,
    },
    checks,
  };
}
