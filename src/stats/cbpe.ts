/**
 * Confidence-based performance estimation (CBPE) for a binary classifier, as NannyML publishes it
 * (nannyml.readthedocs.io, "How it works: CBPE"): the reference scores are calibrated with isotonic
 * regression against the reference labels; on a window without labels each row's calibrated
 * probability is its expected share of a true positive (if predicted positive) or a false negative
 * (if predicted negative), so the expected confusion matrix, and every metric built from it, can be
 * summed without a single label. ROC AUC is estimated from the calibrated probabilities ranked by
 * the raw scores. The sampling error of each metric comes from the reference, as NannyML's
 * `sampling_error.binary_classification` derives it (a standard error of the mean over the rows
 * that make the metric), and the interval is the estimate ± 3 sampling errors, clipped to [0, 1].
 *
 * It holds while P(label | scores) does not change (covariate shift, not concept shift). Pure.
 */
import { fitIsotonic, predictIsotonic, type IsotonicModel } from './isotonic.ts';

export const CBPE_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'] as const;
export type CbpeMetric = (typeof CBPE_METRICS)[number];

/** NannyML's SAMPLING_ERROR_RANGE: the interval is ± this many sampling errors. */
export const SAMPLING_ERROR_RANGE = 3;

export interface BinaryScores {
  /** The model's raw score for the positive class, per row. */
  score: ArrayLike<number>;
  /** The predicted class per row: 1 positive, 0 negative. */
  pred: ArrayLike<number>;
}

export interface LabelledScores extends BinaryScores {
  /** The true class per row: 1 positive, 0 negative. */
  label: ArrayLike<number>;
}

/** Per metric: the standard deviation of its row-level components and the share of rows they are. */
export type Components = Record<CbpeMetric, { std: number; fraction: number }>;

export interface CbpeModel {
  calibrator: IsotonicModel;
  components: Components;
  /** The metrics realised on the reference (its labels). */
  reference: Record<CbpeMetric, number | null>;
  referenceRows: number;
}

export interface CbpeEstimate<M extends string = CbpeMetric> {
  metric: M;
  value: number | null;
  sampling_error: number | null;
  lower: number | null;
  upper: number | null;
}

/** Rows whose score, prediction (and label) are all usable; CBPE never computes around a NaN. */
function usable(d: BinaryScores & { label?: ArrayLike<number> }): number[] {
  const rows: number[] = [];
  for (let i = 0; i < d.score.length; i++) {
    const s = d.score[i]!;
    const p = d.pred[i]!;
    const l = d.label ? d.label[i]! : 0;
    if (Number.isFinite(s) && (p === 0 || p === 1) && (l === 0 || l === 1)) rows.push(i);
  }
  return rows;
}

/** Population standard deviation (numpy's np.std), NaN for no values. */
export function std(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return Math.sqrt(ss / values.length);
}

/** ROC AUC by midranks (the Mann–Whitney U over positives × negatives); null with one class only. */
export function rocAucBinary(score: ArrayLike<number>, label: ArrayLike<number>): number | null {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]!] === score[order[i]!]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (label[order[k]!] === 1) {
      pos++;
      rankSum += mid;
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/**
 * NannyML's precision / recall / F1 sampling-error components of 0/1 predictions against 0/1
 * labels (nannyml/sampling_error/binary_classification.py): the spread of each metric's row-level
 * terms and the share of rows that make it. Multiclass CBPE takes them per class, one-vs-rest.
 */
export function confusionComponents(pred: ArrayLike<number>, label: ArrayLike<number>): Pick<Components, 'precision' | 'recall' | 'f1'> {
  const n = pred.length;
  let tpRows = 0, fpRows = 0, fnRows = 0, positives = 0;
  for (let i = 0; i < n; i++) {
    if (label[i] === 1) positives++;
    if (label[i] === 1 && pred[i] === 1) tpRows++;
    else if (pred[i] === 1) fpRows++;
    else if (label[i] === 1) fnRows++;
  }
  const ones = (k: number, zeros: number) => [...Array<number>(k).fill(1), ...Array<number>(zeros).fill(0)];
  const f1Rows = tpRows + fpRows + fnRows;
  const correction = f1Rows / ((fnRows + fpRows) * 0.5 + tpRows);
  return {
    precision: { std: std(ones(tpRows, fpRows)), fraction: (tpRows + fpRows) / n },
    recall: { std: std(ones(tpRows, fnRows)), fraction: positives / n },
    f1: { std: std(ones(tpRows, fpRows + fnRows).map((v) => v * correction)), fraction: f1Rows / n },
  };
}

/** Accuracy, precision, recall, F1 and ROC AUC of labelled rows (scikit-learn's definitions; a zero denominator gives null). */
export function realisedBinary(d: LabelledScores): Record<CbpeMetric, number | null> {
  const rows = usable(d);
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const i of rows) {
    const p = d.pred[i]!;
    const l = d.label[i]!;
    if (p === 1 && l === 1) tp++;
    else if (p === 1) fp++;
    else if (l === 1) fn++;
    else tn++;
  }
  return {
    accuracy: ratio(tp + tn, rows.length),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(tp, tp + 0.5 * (fp + fn)),
    roc_auc: rocAucBinary(rows.map((i) => d.score[i]!), rows.map((i) => d.label[i]!)),
  };
}

/** NannyML's auroc_sampling_error_components: the spread of each positive's share of negatives ranked below it. */
function aurocComponents(score: number[], label: number[]): { std: number; fraction: number } {
  const n = score.length;
  let y = label.slice();
  let s = score.slice();
  if (y.reduce((a, b) => a + b, 0) / n > 0.5) {
    y = y.map((v) => 1 - v);
    s = s.map((v) => 1 - v);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a]! - s[b]! || a - b);
  const positives = order.map((i, rank) => (y[i] === 1 ? rank : -1)).filter((r) => r >= 0);
  const nPos = positives.length;
  const nNeg = n - nPos;
  // NannyML: the positives' non-zero ranks, the i-th less i (the negatives ranked below it), over the negatives.
  const shares = positives.filter((r) => r > 0).map((r, i) => (r - i) / nNeg);
  return { std: std(shares), fraction: nPos / n };
}

export function fitCbpe(reference: LabelledScores): CbpeModel {
  const rows = usable(reference);
  if (rows.length === 0) throw new Error('CBPE: the reference has no row with a finite score, a 0/1 prediction and a 0/1 label');
  const score = rows.map((i) => reference.score[i]!);
  const pred = rows.map((i) => reference.pred[i]!);
  const label = rows.map((i) => reference.label[i]!);
  const positives = label.reduce((a, b) => a + b, 0);
  if (positives === 0 || positives === rows.length) throw new Error(`CBPE: the reference labels are all ${positives === 0 ? 'negative' : 'positive'}; calibration needs both classes`);
  const calibrator = fitIsotonic(score, label, { yMin: 0, yMax: 1 });
  const n = rows.length;
  const correct = label.map((l, i) => (l === pred[i] ? 1 : 0));
  const components: Components = {
    accuracy: { std: std(correct), fraction: 1 },
    ...confusionComponents(pred, label),
    roc_auc: aurocComponents(score, label),
  };
  return { calibrator, components, reference: realisedBinary({ score, pred, label }), referenceRows: n };
}

/** NannyML's estimate_roc_auc: calibrated probabilities ranked by the raw scores, descending. */
function estimateRocAuc(calibrated: number[], raw: number[]): number | null {
  const n = raw.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => raw[b]! - raw[a]! || b - a);
  const round5 = (v: number) => Math.round(v * 1e5) / 1e5;
  const tps = [0];
  const fps = [0];
  let cum = 0;
  for (let k = 0; k < n; k++) {
    cum += calibrated[order[k]!]!;
    tps.push(round5(cum));
    fps.push(round5(k + 1 - cum));
  }
  const tpTotal = tps[n]!;
  const fpTotal = fps[n]!;
  if (!(tpTotal > 0) || !(fpTotal > 0)) return null;
  let area = 0;
  for (let k = 1; k <= n; k++) area += ((fps[k]! - fps[k - 1]!) / fpTotal) * ((tps[k]! + tps[k - 1]!) / tpTotal / 2);
  return area;
}

/** The metrics CBPE expects on a window of scores and predictions without labels, each with its interval. */
export function estimateCbpe(model: CbpeModel, window: BinaryScores): { rows: number; estimates: CbpeEstimate[]; calibrated: Float64Array } {
  const rows = usable(window);
  const raw = rows.map((i) => window.score[i]!);
  const pred = rows.map((i) => window.pred[i]!);
  const calibrated = predictIsotonic(model.calibrator, raw);
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let k = 0; k < rows.length; k++) {
    const p = calibrated[k]!;
    if (pred[k] === 1) {
      tp += p;
      fp += 1 - p;
    } else {
      fn += p;
      tn += 1 - p;
    }
  }
  const n = rows.length;
  const values: Record<CbpeMetric, number | null> = {
    accuracy: ratio(tp + tn, n),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(tp, tp + 0.5 * (fp + fn)),
    roc_auc: n > 0 ? estimateRocAuc(Array.from(calibrated), raw) : null,
  };
  const estimates = CBPE_METRICS.map((metric): CbpeEstimate => {
    const value = values[metric];
    const c = model.components[metric];
    const se = n > 0 && c.fraction > 0 && Number.isFinite(c.std) ? c.std / Math.sqrt(n * c.fraction) : null;
    if (value === null || se === null || !Number.isFinite(value)) return { metric, value: value !== null && Number.isFinite(value) ? value : null, sampling_error: se, lower: null, upper: null };
    return { metric, value, sampling_error: se, lower: Math.max(0, value - SAMPLING_ERROR_RANGE * se), upper: Math.min(1, value + SAMPLING_ERROR_RANGE * se) };
  });
  return { rows: n, estimates, calibrated };
}
