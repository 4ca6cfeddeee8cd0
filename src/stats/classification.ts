/**
 * Classification metrics with scikit-learn's definitions, over optional row weights (sample
 * weights, or bootstrap multiplicities times sample weights). Pure functions over typed arrays.
 *
 * Classes are indices 0..K-1 into the model's class list. As in scikit-learn, the averages
 * (macro, weighted, micro) run over the classes present in the labels or the predictions, and
 * a ratio with a zero denominator is 0 (`zero_division=0`).
 *
 * Like scikit-learn, which refuses NaN or infinite scores, the probability metrics are undefined
 * (null or NaN) when a probability is not finite: they never return a number computed around it.
 */
import { argsortFloat64 } from './argsort.ts';
import { allFinite } from './finite.ts';

export interface ClassificationData {
  /** Number of classes the model knows. */
  k: number;
  /** True class index per row. */
  y: Int32Array;
  /** Predicted class index per row (-1 when the model predicted a class outside the list). */
  pred: Int32Array;
  /** Probabilities, rows × k, row-major; null when the model gives labels only. */
  proba: Float64Array | null;
  /**
   * Machine epsilon of the probabilities' dtype as the model returned them (float32: 2⁻²³),
   * where log loss clips, as scikit-learn's `eps="auto"` does. Default: float64's.
   */
  eps?: number;
}

/** Machine epsilon of a tensor dtype, for log loss clipping (float64's for anything else). */
export function dtypeEpsilon(dtype: string): number {
  if (dtype === 'float32') return 2 ** -23;
  if (dtype === 'float16') return 2 ** -10;
  if (dtype === 'bfloat16') return 2 ** -7;
  return Number.EPSILON;
}

export type Weights = Float64Array | null;

const weightOf = (w: Weights, i: number) => (w ? w[i]! : 1);

/** k × k weighted confusion matrix, rows = true class, columns = predicted (row-major). */
export function confusionMatrix(d: ClassificationData, w: Weights): Float64Array {
  const m = new Float64Array(d.k * d.k);
  const { y, pred, k } = d;
  for (let i = 0; i < y.length; i++) {
    const p = pred[i]!;
    if (p < 0) continue;
    m[y[i]! * k + p]! += weightOf(w, i);
  }
  return m;
}

export interface ConfusionSummary {
  accuracy: number;
  balanced_accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_micro: number;
  recall_micro: number;
  f1_micro: number;
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
  per_class: { precision: number; recall: number; f1: number; support: number }[];
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Everything that follows from the confusion matrix. `total` is the weight of all rows, including
 * rows predicted outside the class list (which count as wrong).
 */
export function fromConfusion(m: Float64Array, k: number, total: number): ConfusionSummary {
  const tp = new Float64Array(k);
  const support = new Float64Array(k); // true weight per class
  const predicted = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const v = m[t * k + p]!;
      support[t]! += v;
      predicted[p]! += v;
    }
    tp[t] = m[t * k + t]!;
  }
  // Rows predicted outside the list are false negatives of their true class.
  const per_class = [...tp].map((tpc, c) => {
    const precision = ratio(tpc, predicted[c]!);
    const recall = ratio(tpc, support[c]!);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support: support[c]! };
  });
  const present = per_class.map((_, c) => c).filter((c) => support[c]! > 0 || predicted[c]! > 0);
  const mean = (f: (c: number) => number) => ratio(present.reduce((a, c) => a + f(c), 0), present.length);
  const supportTotal = present.reduce((a, c) => a + support[c]!, 0);
  const weighted = (f: (c: number) => number) => ratio(present.reduce((a, c) => a + f(c) * support[c]!, 0), supportTotal);
  const tpSum = present.reduce((a, c) => a + tp[c]!, 0);
  const predictedSum = present.reduce((a, c) => a + predicted[c]!, 0);
  const precision_micro = ratio(tpSum, predictedSum);
  const recall_micro = ratio(tpSum, supportTotal);
  const withSupport = present.filter((c) => support[c]! > 0);
  return {
    accuracy: ratio(tpSum, total),
    balanced_accuracy: ratio(withSupport.reduce((a, c) => a + per_class[c]!.recall, 0), withSupport.length),
    precision_macro: mean((c) => per_class[c]!.precision),
    recall_macro: mean((c) => per_class[c]!.recall),
    f1_macro: mean((c) => per_class[c]!.f1),
    precision_micro,
    recall_micro,
    f1_micro: precision_micro + recall_micro === 0 ? 0 : (2 * precision_micro * recall_micro) / (precision_micro + recall_micro),
    precision_weighted: weighted((c) => per_class[c]!.precision),
    recall_weighted: weighted((c) => per_class[c]!.recall),
    f1_weighted: weighted((c) => per_class[c]!.f1),
    per_class,
  };
}

export function totalWeight(n: number, w: Weights): number {
  if (!w) return n;
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i]!;
  return s;
}

/**
 * Row indices sorted by the probability of class c, ascending (computed once, reused per
 * resample). A consistent order even with NaN (last) and equal infinities (tied), so that the
 * sort is well defined; the AUC then refuses such scores.
 */
export function scoreOrder(d: ClassificationData, c: number): Int32Array {
  const { proba, k } = d;
  const n = d.y.length;
  // A radix argsort on large data: the same stable order as the comparator below, linear in n.
  if (n >= RADIX_FROM) return argsortFloat64(n, (i) => proba![i * k + c]!);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const pa = proba![a * k + c]!;
    const pb = proba![b * k + c]!;
    const diff = pa - pb;
    if (diff === diff) return diff;
    return Number.isNaN(pa) ? (Number.isNaN(pb) ? 0 : 1) : Number.isNaN(pb) ? -1 : 0;
  });
  return order;
}

/** From this many rows, scoreOrder sorts by radix. */
const RADIX_FROM = 2048;

/** Whether every probability of class c (c < 0: of every class) is finite. */
function finiteScores(d: ClassificationData, c: number): boolean {
  const { proba, k } = d;
  if (c < 0) return allFinite(proba!);
  for (let i = c; i < proba!.length; i += k) if (!Number.isFinite(proba![i]!)) return false;
  return true;
}

/**
 * ROC AUC of class c against the rest: the weighted share of (positive, negative) pairs ordered
 * correctly, ties counting half; equal to scikit-learn's trapezoidal area. null when one side is
 * empty or a score is NaN or infinite.
 */
export function aucOneVsRest(d: ClassificationData, c: number, order: Int32Array, w: Weights): number | null {
  const { proba, k, y } = d;
  if (!finiteScores(d, c)) return null;
  let negBelow = 0; // negative weight with a strictly lower score
  let area = 0;
  let pos = 0;
  let neg = 0;
  for (let s = 0; s < order.length; ) {
    const score = proba![order[s]! * k + c]!;
    let tiePos = 0;
    let tieNeg = 0;
    let e = s;
    // The row at s always belongs to its own tie group, so the walk advances whatever the score.
    do {
      const i = order[e]!;
      const wi = weightOf(w, i);
      if (y[i] === c) tiePos += wi;
      else tieNeg += wi;
      e++;
    } while (e < order.length && proba![order[e]! * k + c] === score);
    area += tiePos * (negBelow + tieNeg / 2);
    negBelow += tieNeg;
    pos += tiePos;
    neg += tieNeg;
    s = e;
  }
  return pos > 0 && neg > 0 ? area / (pos * neg) : null;
}

/** Binary: AUC of the second class; multiclass: unweighted mean of one-vs-rest AUCs (sklearn `ovr`, macro). */
export function rocAuc(d: ClassificationData, orders: Int32Array[], w: Weights): number | null {
  if (d.k === 2) return aucOneVsRest(d, 1, orders[1]!, w);
  let sum = 0;
  for (let c = 0; c < d.k; c++) {
    const a = aucOneVsRest(d, c, orders[c]!, w);
    if (a === null) return null; // sklearn refuses when a class is absent from the labels
    sum += a;
  }
  return sum / d.k;
}

/**
 * Cross-entropy like sklearn's log_loss (eps="auto"): probabilities clipped to [eps, 1 − eps]
 * with the epsilon of their dtype (`d.eps`). NaN on non-finite probabilities.
 */
export function logLoss(d: ClassificationData, w: Weights): number {
  const { proba, k, y } = d;
  // Clipping would turn Infinity into 1 - eps and hide it.
  if (!finiteScores(d, -1)) return Number.NaN;
  const eps = d.eps ?? Number.EPSILON;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = weightOf(w, i);
    if (wi === 0) continue;
    const p = Math.min(Math.max(proba![i * k + y[i]!]!, eps), 1 - eps);
    sum -= wi * Math.log(p);
    total += wi;
  }
  return sum / total;
}

/**
 * Brier score: binary, the mean of (p_positive − y)² (sklearn's brier_score_loss); multiclass,
 * the mean over rows of Σ_k (p_k − y_k)² (Brier's original definition, sklearn ≥ 1.7).
 * NaN on non-finite probabilities.
 */
export function brier(d: ClassificationData, w: Weights): number {
  const { proba, k, y } = d;
  if (!finiteScores(d, -1)) return Number.NaN;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = weightOf(w, i);
    if (wi === 0) continue;
    let s = 0;
    if (k === 2) s = (proba![i * 2 + 1]! - (y[i] === 1 ? 1 : 0)) ** 2;
    else for (let c = 0; c < k; c++) s += (proba![i * k + c]! - (y[i] === c ? 1 : 0)) ** 2;
    sum += wi * s;
    total += wi;
  }
  return sum / total;
}

/**
 * Expected calibration error on the top-class confidence (Guo et al., 2017): `bins` equal-width
 * bins (lo, hi] over [0, 1]; Σ (weight share of bin) · |accuracy − mean confidence| in the bin.
 * The predicted class is the most probable one (first on ties, like argmax). NaN on non-finite
 * probabilities (a NaN confidence has no bin).
 */
/** One bin of a reliability diagram: the weight of its rows, their mean top-label confidence and accuracy. */
export interface ReliabilityBin {
  /** Upper edge of the bin (the bin is (upper − 1/bins, upper]). */
  upper: number;
  weight: number;
  confidence: number;
  accuracy: number;
}

/**
 * The reliability diagram behind `ece` (same top-label confidence, same bins): empty bins are left
 * out; null when a probability is not finite or there are no probabilities.
 */
export function reliability(d: ClassificationData, w: Weights, bins = 15): ReliabilityBin[] | null {
  const { proba, k, y } = d;
  if (!proba || !finiteScores(d, -1)) return null;
  const weight = new Float64Array(bins);
  const correct = new Float64Array(bins);
  const confidence = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const wi = weightOf(w, i);
    if (wi === 0) continue;
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c;
    const conf = proba[i * k + best]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
    weight[b]! += wi;
    confidence[b]! += wi * conf;
    if (best === y[i]) correct[b]! += wi;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (weight[b] === 0) continue;
    out.push({ upper: (b + 1) / bins, weight: weight[b]!, confidence: confidence[b]! / weight[b]!, accuracy: correct[b]! / weight[b]! });
  }
  return out;
}

export function ece(d: ClassificationData, w: Weights, bins = 15): number {
  const { proba, k, y } = d;
  if (!finiteScores(d, -1)) return Number.NaN;
  const weight = new Float64Array(bins);
  const correct = new Float64Array(bins);
  const confidence = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = weightOf(w, i);
    if (wi === 0) continue;
    let best = 0;
    for (let c = 1; c < k; c++) if (proba![i * k + c]! > proba![i * k + best]!) best = c;
    const conf = proba![i * k + best]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
    weight[b]! += wi;
    confidence[b]! += wi * conf;
    if (best === y[i]) correct[b]! += wi;
    total += wi;
  }
  let sum = 0;
  for (let b = 0; b < bins; b++) {
    if (weight[b] === 0) continue;
    sum += Math.abs(correct[b]! - confidence[b]!) / total;
  }
  return sum;
}

/**
 * Each row's own term of a mean-type probability metric (log loss or Brier), unweighted: the
 * metric is their mean. null on non-finite probabilities or a label-only model.
 */
export function rowLosses(d: ClassificationData, metric: 'log_loss' | 'brier'): Float64Array | null {
  const { proba, k, y } = d;
  if (!proba || !finiteScores(d, -1)) return null;
  const out = new Float64Array(y.length);
  const eps = d.eps ?? Number.EPSILON;
  for (let i = 0; i < y.length; i++) {
    if (metric === 'log_loss') out[i] = -Math.log(Math.min(Math.max(proba[i * k + y[i]!]!, eps), 1 - eps));
    else if (k === 2) out[i] = (proba[i * 2 + 1]! - (y[i] === 1 ? 1 : 0)) ** 2;
    else {
      let s = 0;
      for (let c = 0; c < k; c++) s += (proba[i * k + c]! - (y[i] === c ? 1 : 0)) ** 2;
      out[i] = s;
    }
  }
  return out;
}
