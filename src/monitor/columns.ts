/**
 * The monitor's view of a data set's model columns: the score of the positive class, the predicted
 * class and the label as 1 / 0, from the columns the monitor section names. A cell that is neither
 * the positive class nor another value (empty, NaN) is -1 (or NaN for a score): CBPE skips the row.
 * A multiclass model (monitor.scores): a probability column per class, and classes as indexes in
 * the order of monitor.scores; a value that is no class there is refused, not skipped.
 */
import type { MonitorConfig } from '../config/types.ts';
import { column, columnNames, type Column, type Dataset } from '../data/dataset.ts';

/** A cell as text, so 1, "1" and 1.0 all name the class 1. */
function cell(c: Column, r: number): string | null {
  if (c.values) {
    const v = c.values[r]!;
    return Number.isNaN(v) ? null : String(v);
  }
  const t = c.text?.[r];
  return t === undefined || t === '' ? null : t;
}

function normalise(v: number | string | boolean): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const n = Number(v);
  return typeof v === 'number' || (v.trim() !== '' && Number.isFinite(n)) ? String(n) : v;
}

/** 1 where the cell is the positive class, 0 where it is another class, -1 where it is empty. */
export function binaryOf(dataset: Dataset, name: string, positive: MonitorConfig['positive']): Int8Array {
  const c = requireColumn(dataset, name);
  const pos = normalise(positive);
  const out = new Int8Array(dataset.rows);
  for (let r = 0; r < dataset.rows; r++) {
    const v = cell(c, r);
    out[r] = v === null ? -1 : normalise(v) === pos || (pos === 'true' && v === 'True') ? 1 : 0;
  }
  return out;
}

export function requireColumn(dataset: Dataset, name: string): Column {
  const c = column(dataset, name);
  if (!c) throw new Error(`${dataset.path} has no column "${name}"; its columns are: ${columnNames(dataset)}`);
  return c;
}

/** The score column as numbers (NaN where empty or not a number). */
export function scoreOf(dataset: Dataset, name: string): Float64Array {
  const c = requireColumn(dataset, name);
  if (!c.values) throw new Error(`column "${name}" of ${dataset.path} holds text, not scores: monitor.score names the column with the model's score for the positive class`);
  return c.values;
}

/** Predicted classes: the prediction column when named, else score >= threshold. */
export function predictionsOf(dataset: Dataset, score: Float64Array, cfg: MonitorConfig): Int8Array {
  if (cfg.prediction) return binaryOf(dataset, cfg.prediction, cfg.positive);
  return Int8Array.from(score, (s) => (Number.isNaN(s) ? -1 : s >= cfg.threshold ? 1 : 0));
}

/** The classes of a multiclass model, in the order of monitor.scores; null for a binary one. */
export const classesOf = (cfg: MonitorConfig): string[] | null => (cfg.scores ? Object.keys(cfg.scores) : null);

/** The class index of each cell (-1 where empty); a value that is no class of monitor.scores is an error. */
export function classIndexOf(dataset: Dataset, name: string, classes: readonly string[]): Int8Array {
  const c = requireColumn(dataset, name);
  const index = new Map(classes.map((k, i) => [normalise(k), i]));
  const out = new Int8Array(dataset.rows);
  for (let r = 0; r < dataset.rows; r++) {
    const v = cell(c, r);
    if (v === null) {
      out[r] = -1;
      continue;
    }
    const i = index.get(normalise(v));
    if (i === undefined) throw new Error(`${dataset.path}: column "${name}" row ${r + 1} holds "${v.slice(0, 60)}", which is no class of monitor.scores (${classes.join(', ')}); add its probability column there`);
    out[r] = i;
  }
  return out;
}

/** Per class (in monitor.scores order), its probability column. */
export function classScoresOf(dataset: Dataset, scores: Record<string, string>): Float64Array[] {
  return Object.entries(scores).map(([k, name]) => {
    const c = requireColumn(dataset, name);
    if (!c.values) throw new Error(`column "${name}" of ${dataset.path} holds text, not probabilities: monitor.scores.${k} names the column with the model's probability of class ${k}`);
    return c.values;
  });
}

/** Predicted class indexes: the prediction column when named, else the class of the highest probability (-1 when one is NaN). */
export function classPredictionsOf(dataset: Dataset, proba: readonly Float64Array[], cfg: MonitorConfig, classes: readonly string[]): Int8Array {
  if (cfg.prediction) return classIndexOf(dataset, cfg.prediction, classes);
  return Int8Array.from({ length: dataset.rows }, (_, r) => {
    let best = -1;
    for (let k = 0; k < proba.length; k++) {
      const p = proba[k]![r]!;
      if (!Number.isFinite(p)) return -1;
      if (best < 0 || p > proba[best]![r]!) best = k;
    }
    return best;
  });
}

/** How label cells become numbers: 1 / 0 against monitor.positive, or class indexes (multiclass). */
export function labelEncoder(cfg: MonitorConfig): (dataset: Dataset, name: string) => Int8Array {
  const classes = classesOf(cfg);
  return classes ? (d, name) => classIndexOf(d, name, classes) : (d, name) => binaryOf(d, name, cfg.positive);
}
