/**
 * CBPE for a multiclass classifier, as NannyML publishes it (nannyml.readthedocs.io, "How it works:
 * CBPE"; nannyml/performance_estimation/confidence_based/metrics.py): each class's probability is
 * calibrated one-vs-rest with isotonic regression against the reference labels, and the calibrated
 * probabilities of a row are normalised to sum to 1. On a window without labels:
 *
 * - accuracy is the mean calibrated probability of the predicted class (each row's expected share
 *   of a correct prediction);
 * - precision, recall and F1 are macro averages of the one-vs-rest expected confusion matrices
 *   (predicted c: TP += p_c, FP += 1 − p_c; predicted another: FN += p_c).
 *
 * Sampling errors come from the reference as NannyML's sampling_error.multiclass_classification
 * derives them: accuracy std(correct)/√n; a macro metric √(Σ_c se_c²)/K over the classes'
 * binary components. Interval: estimate ± 3 sampling errors, clipped to [0, 1]. It holds while
 * P(label | probabilities) does not change (covariate shift, not concept shift). Pure.
 */
import { SAMPLING_ERROR_RANGE, confusionComponents, ratio, std, type CbpeEstimate } from './cbpe.ts';
import { fitIsotonic, predictIsotonic, type IsotonicModel } from './isotonic.ts';

export const MULTICLASS_CBPE_METRICS = ['accuracy', 'precision', 'recall', 'f1'] as const;
export type MulticlassCbpeMetric = (typeof MULTICLASS_CBPE_METRICS)[number];

export interface MulticlassScores {
  /** Per class (index 0..K−1), the model's probability of it per row. */
  proba: readonly ArrayLike<number>[];
  /** The predicted class index per row; anything outside 0..K−1 (e.g. −1: unknown) skips the row. */
  pred: ArrayLike<number>;
}

export interface LabelledMulticlass extends MulticlassScores {
  /** The true class index per row; outside 0..K−1 skips the row. */
  label: ArrayLike<number>;
}

type Component = { std: number; fraction: number };

export interface MulticlassCbpeModel {
  classes: number;
  calibrators: IsotonicModel[];
  /** accuracy: one component; precision / recall / f1: one per class. */
  components: { accuracy: Component; precision: Component[]; recall: Component[]; f1: Component[] };
  /** The metrics realised on the reference (its labels). */
  reference: Record<MulticlassCbpeMetric, number | null>;
  referenceRows: number;
}

const isClass = (v: number, k: number) => Number.isInteger(v) && v >= 0 && v < k;

/** Rows whose probabilities are all finite and whose prediction (and label) name a class. */
function usable(d: MulticlassScores & { label?: ArrayLike<number> }): number[] {
  const k = d.proba.length;
  const rows: number[] = [];
  for (let i = 0; i < d.pred.length; i++) {
    if (!isClass(d.pred[i]!, k) || (d.label && !isClass(d.label[i]!, k))) continue;
    if (d.proba.every((p) => Number.isFinite(p[i]!))) rows.push(i);
  }
  return rows;
}

function checkShape(d: MulticlassScores, what: string): void {
  if (d.proba.length < 2) throw new Error(`CBPE (multiclass): ${what} has ${d.proba.length} class probability column(s); at least 2 are needed`);
  const n = d.pred.length;
  const bad = d.proba.findIndex((p) => p.length !== n);
  if (bad >= 0) throw new Error(`CBPE (multiclass): ${what}: class ${bad} has ${d.proba[bad]!.length} probabilities for ${n} predictions`);
}

const mean = (xs: (number | null)[]): number | null => (xs.length > 0 && xs.every((x) => x !== null) ? (xs as number[]).reduce((a, b) => a + b, 0) / xs.length : null);

/** Accuracy and macro precision, recall and F1 of labelled rows (scikit-learn's average="macro" over all K classes; a class with a zero denominator makes the macro value null). */
export function realisedMulticlass(d: LabelledMulticlass): Record<MulticlassCbpeMetric, number | null> {
  checkShape(d, 'the data');
  const k = d.proba.length;
  const rows = usable(d);
  const tp = new Array<number>(k).fill(0);
  const predicted = new Array<number>(k).fill(0);
  const actual = new Array<number>(k).fill(0);
  let correct = 0;
  for (const i of rows) {
    const p = d.pred[i]!;
    const l = d.label[i]!;
    predicted[p]!++;
    actual[l]!++;
    if (p === l) {
      tp[p]!++;
      correct++;
    }
  }
  const classes = [...Array(k).keys()];
  return {
    accuracy: ratio(correct, rows.length),
    precision: mean(classes.map((c) => ratio(tp[c]!, predicted[c]!))),
    recall: mean(classes.map((c) => ratio(tp[c]!, actual[c]!))),
    f1: mean(classes.map((c) => ratio(tp[c]!, 0.5 * (predicted[c]! + actual[c]!)))),
  };
}

/** Calibrated, row-normalised probabilities of the given rows: [class][row]. */
function calibrate(calibrators: IsotonicModel[], proba: readonly ArrayLike<number>[], rows: number[]): Float64Array[] {
  const k = calibrators.length;
  const cal = calibrators.map((m, c) => predictIsotonic(m, rows.map((i) => proba[c]![i]!)));
  for (let r = 0; r < rows.length; r++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += cal[c]![r]!;
    // Every calibrator at 0 (scores the reference never saw a class at): no information, 1/K each
    // (NannyML would divide by zero).
    for (let c = 0; c < k; c++) cal[c]![r] = sum > 0 ? cal[c]![r]! / sum : 1 / k;
  }
  return cal;
}

export function fitCbpeMulticlass(reference: LabelledMulticlass): MulticlassCbpeModel {
  checkShape(reference, 'the reference');
  const k = reference.proba.length;
  const rows = usable(reference);
  if (rows.length === 0) throw new Error('CBPE (multiclass): the reference has no row with finite probabilities, a predicted class and a label');
  const label = rows.map((i) => reference.label[i]!);
  const pred = rows.map((i) => reference.pred[i]!);
  const calibrators: IsotonicModel[] = [];
  const components: MulticlassCbpeModel['components'] = { accuracy: { std: std(label.map((l, r) => (l === pred[r] ? 1 : 0))), fraction: 1 }, precision: [], recall: [], f1: [] };
  for (let c = 0; c < k; c++) {
    const isC = label.map((l) => (l === c ? 1 : 0));
    if (!isC.includes(1)) throw new Error(`CBPE (multiclass): class ${c} never occurs in the reference labels; calibrating it needs rows of it`);
    calibrators.push(fitIsotonic(rows.map((i) => reference.proba[c]![i]!), isC, { yMin: 0, yMax: 1 }));
    const parts = confusionComponents(pred.map((p) => (p === c ? 1 : 0)), isC);
    components.precision.push(parts.precision);
    components.recall.push(parts.recall);
    components.f1.push(parts.f1);
  }
  return { classes: k, calibrators, components, reference: realisedMulticlass({ proba: reference.proba, pred: reference.pred, label: reference.label }), referenceRows: rows.length };
}

/** NannyML's multiclass sampling error: accuracy's std/√n; a macro metric's √(Σ_c (std_c/√(n·fraction_c))²)/K. */
export function multiclassSamplingError(model: MulticlassCbpeModel, metric: MulticlassCbpeMetric, n: number): number | null {
  if (n <= 0) return null;
  if (metric === 'accuracy') return Number.isFinite(model.components.accuracy.std) ? model.components.accuracy.std / Math.sqrt(n) : null;
  let ss = 0;
  for (const c of model.components[metric]) {
    if (!(c.fraction > 0) || !Number.isFinite(c.std)) return null;
    ss += c.std ** 2 / (n * c.fraction);
  }
  return Math.sqrt(ss) / model.classes;
}

/** The metrics CBPE expects on a window of probabilities and predictions without labels, each with its interval. */
export function estimateCbpeMulticlass(model: MulticlassCbpeModel, window: MulticlassScores): { rows: number; estimates: CbpeEstimate<MulticlassCbpeMetric>[]; calibrated: Float64Array[] } {
  checkShape(window, 'the window');
  if (window.proba.length !== model.classes) throw new Error(`CBPE (multiclass): the window has ${window.proba.length} class probabilities, the reference ${model.classes}`);
  const k = model.classes;
  const rows = usable(window);
  const n = rows.length;
  const cal = calibrate(model.calibrators, window.proba, rows);
  const pred = rows.map((i) => window.pred[i]!);
  let correct = 0;
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  for (let r = 0; r < n; r++) {
    const p = pred[r]!;
    correct += cal[p]![r]!;
    for (let c = 0; c < k; c++) {
      const q = cal[c]![r]!;
      if (p === c) {
        tp[c]! += q;
        fp[c]! += 1 - q;
      } else fn[c]! += q;
    }
  }
  const classes = [...Array(k).keys()];
  const values: Record<MulticlassCbpeMetric, number | null> = {
    accuracy: ratio(correct, n),
    precision: n > 0 ? mean(classes.map((c) => ratio(tp[c]!, tp[c]! + fp[c]!))) : null,
    recall: n > 0 ? mean(classes.map((c) => ratio(tp[c]!, tp[c]! + fn[c]!))) : null,
    f1: n > 0 ? mean(classes.map((c) => ratio(tp[c]!, tp[c]! + 0.5 * (fp[c]! + fn[c]!)))) : null,
  };
  const estimates = MULTICLASS_CBPE_METRICS.map((metric): CbpeEstimate<MulticlassCbpeMetric> => {
    const value = values[metric] !== null && Number.isFinite(values[metric]) ? values[metric] : null;
    const se = multiclassSamplingError(model, metric, n);
    if (value === null || se === null) return { metric, value, sampling_error: se, lower: null, upper: null };
    return { metric, value, sampling_error: se, lower: Math.max(0, value - SAMPLING_ERROR_RANGE * se), upper: Math.min(1, value + SAMPLING_ERROR_RANGE * se) };
  });
  return { rows: n, estimates, calibrated: cal };
}
