/**
 * The monitor's view of a data set's model columns: the score of the positive class, the predicted
 * class and the label as 1 / 0, from the columns the monitor section names. A cell that is neither
 * the positive class nor another value (empty, NaN) is -1 (or NaN for a score): CBPE skips the row.
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
