/**
 * Delayed labels joined to the production window by an id column: each window row gets the label
 * of the labels row with the same id, or none (-1) when it has not arrived. An id given twice in
 * the labels is ambiguous: the join refuses it rather than pick one.
 */
import type { Dataset } from '../data/dataset.ts';
import { requireColumn } from './columns.ts';

export interface JoinedLabels {
  /** Per window row: the encoded label (1 / 0, or a class index), or -1 without one. */
  label: Int8Array;
  /** Window rows that got a label. */
  matched: number;
}

function idsOf(dataset: Dataset, name: string): (string | null)[] {
  const c = requireColumn(dataset, name);
  return Array.from({ length: dataset.rows }, (_, r) => {
    if (c.values) return Number.isNaN(c.values[r]!) ? null : String(c.values[r]);
    const t = c.text![r]!;
    return t === '' ? null : t;
  });
}

/** `encode` turns the label column into numbers (columns.ts labelEncoder: binary or class indexes). */
export function joinLabels(window: Dataset, labels: Dataset, idColumn: string, labelColumn: string, encode: (dataset: Dataset, name: string) => Int8Array): JoinedLabels {
  const byId = new Map<string, number>();
  const labelIds = idsOf(labels, idColumn);
  const values = encode(labels, labelColumn);
  labelIds.forEach((id, r) => {
    if (id === null || values[r] === -1) return;
    if (byId.has(id)) throw new Error(`${labels.path}: id "${id.slice(0, 60)}" has two labels (rows ${byId.get(id)! + 1} and ${r + 1}); a label must be given once`);
    byId.set(id, r);
  });
  const windowIds = idsOf(window, idColumn);
  const label = new Int8Array(window.rows).fill(-1);
  let matched = 0;
  windowIds.forEach((id, r) => {
    const at = id === null ? undefined : byId.get(id);
    if (at !== undefined) {
      label[r] = values[at]!;
      matched++;
    }
  });
  return { label, matched };
}
