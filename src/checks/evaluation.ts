/**
 * How a model's outputs read as predictions (task, classes, probabilities, predicted class or
 * value) and how labels map onto them. Pure: over collected predictions and label columns.
 */
import type { GateConfig, MetricName, Task } from '../config/types.ts';
import { CLASSIFICATION_METRICS, REGRESSION_METRICS } from '../config/types.ts';
import type { Weights } from '../stats/classification.ts';
import {
  brier,
  confusionMatrix,
  dtypeEpsilon,
  ece,
  fromConfusion,
  logLoss,
  reliability,
  rocAuc,
  scoreOrder,
  totalWeight,
  type ClassificationData,
  type ConfusionSummary,
  type ReliabilityBin,
} from '../stats/classification.ts';
import { regressionMetrics } from '../stats/regression.ts';
import { outputKind } from './outputs.ts';
import { isText, numbersOf, valuesOf, type ClassLabel, type OutputColumn, type Predictions } from './predictions.ts';

export type ClassValue = ClassLabel;

/** A model's predictions, read for its task. */
export type ModelView =
  | {
      task: 'binary' | 'multiclass';
      classes: ClassValue[];
      /** Probabilities rows × classes, or null for a label-only model. */
      proba: Float64Array | null;
      /** Predicted class index per row (-1: a label outside `classes`). */
      pred: Int32Array;
      /** One score per row for distribution comparisons: P(positive), or the top probability. */
      score: Float64Array | null;
      outputs: string;
      /** The output `pred` was read from, when the model gives labels of its own (not an argmax). */
      labelOutput?: string;
      /** The output `proba` was read from, when there is one. */
      probaOutput?: string;
      /** Epsilon of the probabilities' dtype, where log loss clips (as sklearn's eps="auto"). */
      eps?: number;
      /** How `proba` was made from scores that were not probabilities (logits). */
      through?: 'softmax' | 'sigmoid';
      /** The scores' kind was not said: several plain score columns were taken for class logits. */
      guessed?: true;
      /** One plain score column read as a binary classifier because every label is 0 or 1. */
      byLabels?: true;
    }
  | {
      task: 'regression';
      pred: Float64Array;
      score: Float64Array;
      outputs: string;
      /** Other one-value outputs that could have held the prediction (the first was taken): said, not guessed silently. */
      passedOver?: string[];
    };

/** The label column (and weights) of the rows that were evaluated. */
export interface Labels {
  path: string;
  column: string;
  numeric: Float64Array | null;
  text: string[] | null;
  weights: Float64Array | null;
  /** The data file's rows the labels are (FeatureRows.kept), for naming rows in messages. */
  kept?: Int32Array;
}

export type Evaluation = (
  | { task: 'binary' | 'multiclass'; view: Extract<ModelView, { task: 'binary' | 'multiclass' }>; data: ClassificationData; weights: Weights }
  | { task: 'regression'; view: Extract<ModelView, { task: 'regression' }>; y: Float64Array; weights: Weights }
) & { kept?: Int32Array };

export class EvaluationError extends Error {}

/** The output is an embedding (unit-length rows), which holds no prediction to score, compare or watch drift on. */
export class EmbeddingOutputError extends EvaluationError {}

/** Several columns made by a Sigmoid, not said to be one distribution: a probability per tag (multi-label). */
const isIndependent = (o: OutputColumn, config: GateConfig): boolean => {
  const claimed = config.model.outputs?.[o.name]?.kind;
  return o.sigmoid === true && o.width > 1 && claimed !== 'probabilities' && claimed !== 'logits';
};

/** The output of independent probabilities a multi-label model answers, if it has one. */
export const independentProbabilities = (predictions: Predictions, config: GateConfig): OutputColumn | undefined =>
  predictions.outputs.find((o) => isIndependent(o, config));

/**
 * How the model's outputs read as predictions. `labels`, when given, settle one case the outputs
 * alone cannot: one plain score column (a PyTorch binary classifier trained with
 * BCEWithLogitsLoss, its output named "output") against labels that are all 0 or 1 is a binary
 * classifier, not a regressor, unless metrics.task says regression.
 */
export function readModelView(predictions: Predictions, config: GateConfig, labels?: Labels | null): ModelView {
  const m = config.metrics;
  const outputs = predictions.outputs;
  const byName = (name: string, key: string) => {
    const o = outputs.find((x) => x.name === name);
    if (!o) throw new EvaluationError(`metrics.${key} names "${name}", but the model's outputs are: ${outputs.map((x) => x.name).join(', ')}`);
    return o;
  };
  const kindOf = (o: OutputColumn) => outputKind(o, config.model.outputs?.[o.name]);
  const labelled = m.label_output ? byName(m.label_output, 'label_output') : outputs.find((o) => kindOf(o) === 'labels' && o.width === 1);
  // A binary task with one numeric column and nothing named as probabilities or labels (a wake-word
  // score, a sigmoid): that column is P(class 1), as metrics.output naming it would say.
  const single = outputs.filter((o) => !isText(o) && o.width === 1);
  // One output of several score columns, and nothing else numeric: a score per class (a PyTorch
  // classifier exported without its softmax), unless the task is said to be regression.
  const wide = outputs.filter((o) => !isText(o) && o.width >= 2 && kindOf(o) === 'scores');
  const perClass = m.task !== 'regression' && !labelled && single.length === 0 && wide.length === 1 ? wide[0] : undefined;
  if (perClass && !m.output && unitRows(numbersOf(perClass), perClass.width)) {
    // An L2-normalised vector per row (an embedding) is no score per class: its argmax means nothing.
    throw new EmbeddingOutputError(
      `output "${perClass.name}" holds vectors of length 1 (every row's L2 norm is 1: an embedding), not a score per class, so it has no predicted class to compare or score; outputs, latency, error scenarios and drift of the inputs are still checked (set model.outputs.${perClass.name}.kind: logits if its columns are classes)`,
    );
  }
  const named =
    outputs.find((o) => kindOf(o) === 'probabilities') ?? outputs.find((o) => kindOf(o) === 'logits') ?? (m.task === 'binary' && !labelled && single.length === 1 ? single[0] : perClass);
  const byLabels =
    !m.output && !named && m.task === 'auto' && !labelled && single.length === 1 && kindOf(single[0]!) === 'scores' && labelsAreBinary(labels) && probabilityOrLogit(numbersOf(single[0]!));
  // Only 0s and 1s, as the labels (MLflow serving a classifier's predict()): the predicted class,
  // not a probability to rank rows by (a ROC AUC of hard labels would be a made-up number).
  const hardLabels = byLabels && onlyZeroOne(numbersOf(single[0]!));
  const probaOut = m.output ? byName(m.output, 'output') : (named ?? (byLabels && !hardLabels ? single[0] : undefined));
  if (probaOut && isText(probaOut)) {
    throw new EvaluationError(`output "${probaOut.name}" holds text (class labels), not probabilities or a prediction: name it in metrics.label_output instead of metrics.output`);
  }
  if (probaOut && isIndependent(probaOut, config)) {
    // Independent sigmoids (a multi-label model's tags) are no distribution over classes: an argmax
    // of them against one label column would be a number without meaning.
    throw new EvaluationError(
      `output "${probaOut.name}" holds ${probaOut.width} independent probabilities per row (made by a Sigmoid: a multi-label model), not one distribution over classes, and the metrics read one class per row: leave data.label out for this model (outputs, latency, error scenarios and drift are still checked), or set model.outputs.${probaOut.name}.kind: probabilities if its rows are one distribution`,
    );
  }
  const labelOut = labelled ?? (hardLabels ? single[0] : undefined);
  const wantsRegression = m.task === 'regression' || (m.task === 'auto' && !byLabels && !labelOut && (!probaOut || (kindOf(probaOut) === 'scores' && probaOut.width === 1)));

  if (!wantsRegression && !probaOut && !labelOut) {
    throw new EvaluationError(
      `metrics.task is ${m.task}, but no output holds probabilities or class labels (${outputs.map((o) => `"${o.name}"`).join(', ')}): name it in metrics.output or metrics.label_output`,
    );
  }
  if (wantsRegression) {
    // Several one-value outputs (one per target, or a mean and a variance): the one named like the
    // label, else the first, and the report says which when it was a choice.
    const singles = outputs.filter((o) => o.width === 1 && kindOf(o) === 'scores');
    const named = singles.find((o) => o.name === config.data.label);
    const out = probaOut ?? named ?? singles[0] ?? (outputs.length === 1 ? outputs[0] : undefined);
    const passedOver = !probaOut && !named && out === singles[0] ? singles.slice(1).map((o) => o.name) : [];
    if (!out) throw new EvaluationError(`cannot tell which output holds the prediction (${outputs.map((o) => o.name).join(', ')}); set metrics.output`);
    if (out.width !== 1) {
      throw new EvaluationError(
        `regression needs one value per row; output "${out.name}" has ${out.width} (several targets: export each as its own output [batch, 1] and name the one the label holds in metrics.output)`,
      );
    }
    if (isText(out)) throw new EvaluationError(`output "${out.name}" holds text (class labels), not a number to regress: set metrics.task to binary or multiclass`);
    const pred = Float64Array.from(numbersOf(out));
    return { task: 'regression', pred, score: pred, outputs: out.name, ...(passedOver.length > 0 ? { passedOver } : {}) };
  }

  let proba: Float64Array | null = null;
  let through: 'softmax' | 'sigmoid' | undefined;
  let guessed = false;
  let k: number;
  if (probaOut) {
    const raw = numbersOf(probaOut);
    const kind = kindOf(probaOut);
    if (probaOut.width === 1) {
      // A single column: P(class 1), through the sigmoid when it is a logit (said, or read off the
      // 0/1 labels with values outside [0, 1]).
      if (kind === 'logits' || (byLabels && !within01(raw))) through = 'sigmoid';
      proba = new Float64Array(predictions.rows * 2);
      for (let i = 0; i < predictions.rows; i++) {
        const p = through ? 1 / (1 + Math.exp(-raw[i]!)) : raw[i]!;
        proba[2 * i] = 1 - p;
        proba[2 * i + 1] = p;
      }
      k = 2;
    } else {
      k = probaOut.width;
      // Scores of unknown kind that already are probabilities (rows in [0, 1] summing to 1) stay as they are.
      if (kind === 'logits' || (kind === 'scores' && !rowsAreProbabilities(raw, k))) {
        through = 'softmax';
        guessed = kind === 'scores';
        proba = softmaxRows(raw, k);
      } else proba = Float64Array.from(raw);
    }
  } else {
    k = 0;
  }
  // Classes as configured, else as the model names them (a ZipMap's class labels).
  const declared =
    m.classes ??
    (probaOut && config.model.outputs?.[probaOut.name]?.classes) ??
    (labelOut && config.model.outputs?.[labelOut.name]?.classes) ??
    probaOut?.classes ??
    (probaOut ? undefined : labelOut?.classes) ??
    null;
  let classes: ClassValue[];
  if (declared) classes = declared;
  else if (proba && labelOut && isText(labelOut)) {
    // Column indices cannot match text labels: which column is "setosa" must be said.
    const example = (valuesOf(labelOut) as string[])[0] ?? '';
    throw new EvaluationError(
      `output "${labelOut.name}" gives text labels (e.g. "${example}"), but the ${k} probability columns of "${probaOut!.name}" are not named: set metrics.classes to the label of each column, in order`,
    );
  } else if (proba) classes = Array.from({ length: k }, (_, i) => i);
  // Read off the 0/1 labels: both classes, even when the model answers one of them on every row.
  else classes = hardLabels ? [0, 1] : distinctSorted(valuesOf(labelOut!));
  if (proba && classes.length !== k) {
    throw new EvaluationError(`${classes.length} classes are declared, but output "${probaOut!.name}" has ${k} probability columns`);
  }
  k = classes.length;
  if (k < 2) throw new EvaluationError(`classification needs at least two classes; the model shows ${k}`);
  const task: Task = m.task === 'auto' ? (k === 2 ? 'binary' : 'multiclass') : m.task;
  if (task === 'binary' && k !== 2) throw new EvaluationError(`metrics.task is binary, but the model has ${k} classes`);

  let pred: Int32Array;
  if (labelOut) {
    const values = valuesOf(labelOut);
    // The label output's own declared classes, in the same order, say what its values mean.
    const own = config.model.outputs?.[labelOut.name]?.classes;
    const index = classIndex(own && own.length === k ? own : classes);
    pred = Int32Array.from({ length: predictions.rows }, (_, i) => index(values[i]!) ?? -1);
  } else {
    pred = argmaxRows(proba!, k);
  }
  let score: Float64Array | null = null;
  if (proba) {
    score = new Float64Array(predictions.rows);
    for (let i = 0; i < predictions.rows; i++) {
      if (k === 2) score[i] = proba[2 * i + 1]!;
      else {
        let best = proba[i * k]!;
        for (let c = 1; c < k; c++) best = Math.max(best, proba[i * k + c]!);
        score[i] = best;
      }
    }
  }
  const names = [probaOut?.name, labelOut?.name].filter(Boolean).join(' + ');
  return {
    task: task as 'binary' | 'multiclass',
    classes,
    proba,
    pred,
    score,
    outputs: names,
    ...(labelOut ? { labelOutput: labelOut.name } : {}),
    ...(probaOut ? { probaOutput: probaOut.name, eps: dtypeEpsilon(probaOut.dtype) } : {}),
    ...(through ? { through } : {}),
    ...(guessed ? { guessed: true as const } : {}),
    ...(byLabels ? { byLabels: true as const } : {}),
  };
}

/** Labels that are all 0 or 1 (numeric, at least one row): a binary task's. */
function labelsAreBinary(labels: Labels | null | undefined): boolean {
  const y = labels?.numeric;
  if (!y || y.length === 0) return false;
  for (const v of y) if (v !== 0 && v !== 1) return false;
  return true;
}

/**
 * Values a binary classifier gives: all in [0, 1] (P(class 1)), or some negative (logits). Values
 * all non-negative with some above 1 are neither (a count, an amount): that column stays a number.
 */
function probabilityOrLogit(raw: ArrayLike<number>): boolean {
  for (let i = 0; i < raw.length; i++) if (raw[i]! < 0) return true;
  return within01(raw);
}

function onlyZeroOne(raw: ArrayLike<number>): boolean {
  for (let i = 0; i < raw.length; i++) if (raw[i] !== 0 && raw[i] !== 1) return false;
  return raw.length > 0;
}

/** Every finite value in [0, 1] (NaN is judged by the outputs checks, not taken for a logit). */
function within01(raw: ArrayLike<number>): boolean {
  for (let i = 0; i < raw.length; i++) if (raw[i]! < 0 || raw[i]! > 1) return false;
  return true;
}

/** Every finite row's L2 norm is 1 (an L2-normalised embedding), and there is such a row; one-hot rows are probabilities. */
function unitRows(raw: ArrayLike<number>, k: number): boolean {
  if (rowsAreProbabilities(raw, k)) return false;
  let seen = false;
  for (let i = 0; i + k <= raw.length; i += k) {
    let sq = 0;
    for (let c = 0; c < k; c++) sq += raw[i + c]! * raw[i + c]!;
    if (!Number.isFinite(sq)) continue;
    if (!(Math.abs(Math.sqrt(sq) - 1) <= 1e-3)) return false;
    seen = true;
  }
  return seen;
}

/** Every row's values in [0, 1] and summing to 1 (within float32 rounding over the row). */
function rowsAreProbabilities(raw: ArrayLike<number>, k: number): boolean {
  for (let i = 0; i < raw.length; i += k) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const v = raw[i + c]!;
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
    }
    if (!(Math.abs(sum - 1) <= 1e-4 * k)) return false;
  }
  return true;
}

/** The softmax of each row, shifted by the row's largest value so that no exp overflows (NaN stays NaN). */
function softmaxRows(raw: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, raw[i + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[i + c] = Math.exp(raw[i + c]! - max);
    for (let c = 0; c < k; c++) out[i + c] = out[i + c]! / sum;
  }
  return out;
}

/** The distinct label values, sorted as scikit-learn's classes_ are (numbers by value, text by code point). */
function distinctSorted(values: ArrayLike<number> | string[]): ClassValue[] {
  const distinct = [...new Set<ClassValue>(Array.from(values as ArrayLike<ClassValue>))];
  return distinct.every((v) => typeof v === 'number') ? distinct.sort((a, b) => (a as number) - (b as number)) : distinct.map(String).sort();
}

function argmaxRows(proba: Float64Array, k: number): Int32Array {
  const n = proba.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Index of a label value among the classes: numbers compare as numbers, text as text. */
function classIndex(classes: ClassValue[]): (v: number | string) => number | undefined {
  const map = new Map<string, number>();
  classes.forEach((c, i) => map.set(typeof c === 'number' ? `n:${c}` : `s:${c}`, i));
  classes.forEach((c, i) => {
    // "1" in a text label column matches class 1, and 1 matches class "1".
    const alt = typeof c === 'number' ? `s:${c}` : Number.isFinite(Number(c)) && c.trim() !== '' ? `n:${Number(c)}` : null;
    if (alt && !map.has(alt)) map.set(alt, i);
  });
  return (v) => map.get(typeof v === 'number' ? `n:${v}` : `s:${v}`) ?? (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? map.get(`n:${Number(v)}`) : undefined);
}

/** Joins the model's view with the labels; labels outside the model's classes are an error. */
export function evaluationOf(view: ModelView, labels: Labels): Evaluation {
  const n = view.pred.length;
  const raw = labels.numeric ?? labels.text!;
  if (raw.length !== n) throw new EvaluationError(`${labels.path}: ${raw.length} labels for ${n} predictions`);
  if (view.task === 'regression') {
    if (!labels.numeric) throw new EvaluationError(`${labels.path}: label column "${labels.column}" is not numeric, but the model predicts a number (regression)`);
    return { task: 'regression', view, y: labels.numeric, weights: labels.weights, ...(labels.kept ? { kept: labels.kept } : {}) };
  }
  const index = classIndex(view.classes);
  const y = new Int32Array(n);
  const unknown = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const v = raw[i]!;
    const c = index(v);
    if (c === undefined) unknown.set(String(v), (unknown.get(String(v)) ?? 0) + 1);
    else y[i] = c;
  }
  const fraction = labels.numeric?.find((v) => Number.isFinite(v) && !Number.isInteger(v));
  if (unknown.size > 0 && view.guessed && fraction !== undefined) {
    // Plain score columns were taken for class logits only because nothing said otherwise; a label
    // with fractions says the model is a regressor (several targets: one column each).
    throw new EvaluationError(
      `${labels.path}: label column "${labels.column}" holds continuous values (e.g. ${fraction}), but output "${view.outputs}" has ${view.classes.length} values per row, read as class scores: for a regression model, the metrics compare one prediction per row with the label (metrics.task: regression), so a model with several targets must answer each as its own output [batch, 1], named in metrics.output`,
    );
  }
  if (unknown.size > 0) {
    const shown = [...unknown].slice(0, 5).map(([v, count]) => `"${v}" (${count} rows)`).join(', ');
    throw new EvaluationError(
      `${labels.path}: label column "${labels.column}" holds values the model does not predict: ${shown}${unknown.size > 5 ? ', …' : ''}; the model's classes are ${view.classes.join(', ')} (set metrics.classes to name them)`,
    );
  }
  return {
    task: view.task,
    view,
    data: { k: view.classes.length, y, pred: view.pred, proba: view.proba, ...(view.eps !== undefined ? { eps: view.eps } : {}) },
    weights: labels.weights,
    ...(labels.kept ? { kept: labels.kept } : {}),
  };
}

export const primaryMetric = (task: Task, config: GateConfig): MetricName =>
  config.metrics.primary ?? (task === 'regression' ? 'rmse' : 'accuracy');

/** Share of the (weighted) rows in the most frequent class from which accuracy is not the default primary metric. */
export const IMBALANCED_SHARE = 0.9;

/** The most frequent class of the labels and its (weighted) share of the rows; null for regression or no rows. */
export function majorityClass(ev: Evaluation): { index: number; share: number } | null {
  if (ev.task === 'regression') return null;
  const { k, y } = ev.data;
  const count = new Float64Array(k);
  let total = 0;
  for (let r = 0; r < y.length; r++) {
    const w = ev.weights ? ev.weights[r]! : 1;
    if (y[r]! >= 0 && y[r]! < k) count[y[r]!]! += w;
    total += w;
  }
  if (!(total > 0)) return null;
  let index = 0;
  for (let c = 1; c < k; c++) if (count[c]! > count[index]!) index = c;
  return { index, share: count[index]! / total };
}

/**
 * The config the metric families judge with: metrics.primary as set, else rmse for a regressor,
 * accuracy for a classifier, and balanced accuracy when one class holds IMBALANCED_SHARE of the
 * rows. There, accuracy scores a model that always answers that class above a healthy one (0.99
 * with 1% positives), so the default comparison would pass it as an improvement.
 */
export function withPrimaryMetric(ev: Evaluation, config: GateConfig): GateConfig {
  if (config.metrics.primary) return config;
  const majority = majorityClass(ev);
  const primary: MetricName = ev.task === 'regression' ? 'rmse' : majority && majority.share >= IMBALANCED_SHARE ? 'balanced_accuracy' : 'accuracy';
  return { ...config, metrics: { ...config.metrics, primary } };
}

export const metricsForTask = (task: Task): readonly MetricName[] => (task === 'regression' ? REGRESSION_METRICS : CLASSIFICATION_METRICS);

/** Metrics that need probabilities. */
export const PROBABILITY_METRICS: ReadonlySet<MetricName> = new Set(['roc_auc', 'log_loss', 'brier', 'ece']);

export const HIGHER_IS_BETTER: ReadonlySet<MetricName> = new Set([
  ...CLASSIFICATION_METRICS.filter((m) => !['log_loss', 'brier', 'ece'].includes(m)),
  'r2',
]);

/**
 * A function computing the named metrics under row weights (null = all rows once), for the
 * point estimate and for every bootstrap resample. Sorting for AUC happens once, here.
 */
export function metricsFunction(ev: Evaluation, names: readonly MetricName[], eceBins: number): (w: Weights) => (number | null)[] {
  if (ev.task === 'regression') {
    const data = { y: ev.y, pred: ev.view.pred };
    return (w) => {
      const r = regressionMetrics(data, w);
      return names.map((n) => (n in r ? r[n as keyof typeof r] : null));
    };
  }
  const d = ev.data;
  const hasProba = d.proba !== null;
  const orders = hasProba && names.includes('roc_auc') ? Array.from({ length: d.k }, (_, c) => (d.k === 2 && c === 0 ? new Int32Array(0) : scoreOrder(d, c))) : [];
  const needsConfusion = names.some((n) => !PROBABILITY_METRICS.has(n));
  return (w) => {
    const summary: ConfusionSummary | null = needsConfusion ? fromConfusion(confusionMatrix(d, w), d.k, totalWeight(d.y.length, w)) : null;
    return names.map((n) => {
      if (!PROBABILITY_METRICS.has(n)) return (summary as unknown as Record<string, number>)[n] ?? null;
      if (!hasProba) return null;
      switch (n) {
        case 'roc_auc':
          return rocAuc(d, orders, w);
        case 'log_loss':
          return logLoss(d, w);
        case 'brier':
          return brier(d, w);
        default:
          return ece(d, w, eceBins);
      }
    });
  };
}

export interface MetricReport {
  task: Task;
  rows: number;
  values: Partial<Record<MetricName, number | null>>;
  classes?: ClassValue[];
  per_class?: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion_matrix?: number[][];
  /** The reliability diagram behind ECE (top-label confidence against accuracy); with probabilities only. */
  reliability?: ReliabilityBin[];
}

/** Every metric of the task, with per-class values and the confusion matrix. */
export function computeMetrics(ev: Evaluation, eceBins: number): MetricReport {
  const names = metricsForTask(ev.task);
  const values = metricsFunction(ev, names, eceBins)(ev.weights);
  const out: MetricReport = {
    task: ev.task,
    rows: ev.task === 'regression' ? ev.y.length : ev.data.y.length,
    values: Object.fromEntries(names.map((n, i) => [n, values[i] ?? null])),
  };
  if (ev.task !== 'regression') {
    const m = confusionMatrix(ev.data, ev.weights);
    const k = ev.data.k;
    const summary = fromConfusion(m, k, totalWeight(ev.data.y.length, ev.weights));
    out.classes = ev.view.classes;
    out.per_class = Object.fromEntries(ev.view.classes.map((c, i) => [String(c), summary.per_class[i]!]));
    out.confusion_matrix = Array.from({ length: k }, (_, t) => Array.from(m.subarray(t * k, (t + 1) * k)));
    const bins = reliability(ev.data, ev.weights, eceBins);
    if (bins) out.reliability = bins;
  }
  return out;
}
