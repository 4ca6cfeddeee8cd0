/**
 * Bad rows in the columns a run uses: malformed rows (wrong field count, not JSON), empty or
 * NaN cells, cells that are not numbers (for array columns: empty arrays, elements that are not
 * numbers, NaN or infinite elements). Pure: reads the Dataset, returns row numbers.
 */
import type { GateConfig } from '../config/types.ts';
import { FLOAT_TYPES } from '../runners/types.ts';
import { column } from './dataset.ts';
import type { Dataset } from './dataset.ts';
import type { ArrayWidth, InputBinding } from './features.ts';

const DETAIL = 10;

export interface BadRow {
  /** 1-based data row (the first row after the header is 1). */
  row: number;
  reason: string;
}

export interface BadRows {
  rows: number;
  /** 0-based indices of bad rows, ascending. */
  indices: number[];
  byCause: { malformed: number; missing: number; invalid: number };
  first: BadRow[];
}

/**
 * Rows whose sample weight cannot be used: negative or infinite (NaN and text are already bad as
 * missing / invalid cells). A negative weight subtracts a row's error, so a few of them can lift
 * a metric past its floor while the model is mostly wrong.
 */
export function badWeightRows(dataset: Dataset, weight: string | undefined): Map<number, string> {
  const bad = new Map<number, string>();
  const v = weight ? column(dataset, weight)?.values : null;
  if (!v) return bad;
  for (let r = 0; r < v.length; r++) {
    const w = v[r]!;
    if (w === Infinity || w === -Infinity) bad.set(r, `weight "${weight}" is ${w} (weights must be finite)`);
    else if (w < 0) bad.set(r, `weight "${weight}" is negative (${w}); weights must be >= 0`);
  }
  return bad;
}

/**
 * Bad rows when only `used` columns matter; a text column's cell is bad only when empty. Linear in
 * the cells used. With `weight`, a negative or infinite sample weight makes its row bad too. An
 * empty or NaN cell of a column in `missingFed` is not bad: it reaches the model as a missing value.
 */
export function findBadRows(
  dataset: Dataset,
  used: readonly string[],
  weight?: string,
  arrayWidths?: ReadonlyMap<string, ArrayWidth>,
  missingFed: ReadonlySet<string> = new Set(),
): BadRows {
  const cause = new Uint8Array(dataset.rows); // 0 good, 1 malformed, 2 invalid, 3 missing
  const reason = new Map<number, string>();
  const note = (r: number, c: number, why: () => string) => {
    if (cause[r] !== 0) return;
    cause[r] = c;
    if (reason.size < DETAIL * 4) reason.set(r, why());
  };
  const malformedWhy = new Map(dataset.malformedFirst.map((m) => [m.row, m.reason]));
  for (const r of dataset.malformed) note(r, 1, () => malformedWhy.get(r) ?? 'malformed row');
  for (const name of used) {
    const col = column(dataset, name);
    if (!col) continue;
    const array = col.array;
    for (const r of col.invalid) note(r, 2, () => (array ? `"${name}" is not an array of numbers` : `"${name}" is not a number`));
    if (array) {
      const { values, offsets } = array;
      for (let r = 0; r < dataset.rows; r++) {
        if (cause[r] !== 0) continue;
        const start = offsets[r]!;
        const end = offsets[r + 1]!;
        if (start === end) {
          note(r, 3, () => `"${name}" is empty`);
          continue;
        }
        // An array feeding an input must hold as many values as the input takes per row.
        const width = arrayWidths?.get(name);
        if (width !== undefined && (typeof width === 'number' ? end - start !== width : end - start > width.upTo)) {
          note(r, 2, () => `"${name}" has ${end - start} values; the input it feeds takes ${typeof width === 'number' ? width : `at most ${width.upTo}`}`);
          continue;
        }
        for (let k = start; k < end; k++) {
          if (!Number.isFinite(values[k]!)) {
            note(r, 3, () => `"${name}" has ${Number.isNaN(values[k]!) ? 'a null or NaN' : 'an infinite'} element (at ${k - start})`);
            break;
          }
        }
      }
    } else if (missingFed.has(name)) {
      continue;
    } else if (col.values) {
      const v = col.values;
      for (let r = 0; r < v.length; r++) if (Number.isNaN(v[r]!)) note(r, 3, () => `"${name}" is empty or NaN`);
    } else {
      const t = col.text!;
      for (let r = 0; r < t.length; r++) if (t[r] === '') note(r, 3, () => `"${name}" is empty`);
    }
  }
  for (const [r, why] of badWeightRows(dataset, weight)) note(r, 2, () => why);
  const indices: number[] = [];
  const byCause = { malformed: 0, missing: 0, invalid: 0 };
  for (let r = 0; r < cause.length; r++) {
    const c = cause[r]!;
    if (c === 0) continue;
    indices.push(r);
    if (c === 1) byCause.malformed++;
    else if (c === 2) byCause.invalid++;
    else byCause.missing++;
  }
  const first = indices.slice(0, DETAIL).map((r) => ({ row: r + 1, reason: reason.get(r) ?? 'bad row' }));
  return { rows: dataset.rows, indices, byCause, first };
}

/** The rows to keep (0-based, ascending) when the bad ones are skipped; null keeps all. */
export function keptRows(bad: BadRows): Int32Array | null {
  if (bad.indices.length === 0) return null;
  const keep = new Int32Array(bad.rows - bad.indices.length);
  let k = 0;
  let b = 0;
  for (let r = 0; r < bad.rows; r++) {
    if (b < bad.indices.length && bad.indices[b] === r) b++;
    else keep[k++] = r;
  }
  return keep;
}

export function describeBadRows(bad: BadRows): string {
  const parts = Object.entries(bad.byCause)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  const examples = bad.first.map((b) => `row ${b.row}: ${b.reason}`).join('; ');
  return `${bad.indices.length} of ${bad.rows} rows are bad (${parts.join(', ')}); ${examples}${bad.indices.length > bad.first.length ? '; …' : ''}`;
}

/**
 * Feature columns whose empty cells can reach the model as missing values: numeric columns feeding
 * float inputs (as NaN), text columns feeding text inputs (as ""). An integer input has no NaN.
 */
export function missingFedColumns(bindings: readonly InputBinding[], dataset: Dataset): Set<string> {
  const fed = (b: InputBinding, c: string) => (b.dtype === 'string' ? column(dataset, c)?.kind === 'text' : FLOAT_TYPES.has(b.dtype));
  return new Set(bindings.flatMap((b) => (b.source.kind === 'columns' ? b.source.columns.filter((c) => fed(b, c)) : [])));
}

/** The columns whose empty cells reach the model, as data.bad_rows.missing_features says; none by default. */
export const missingFedBy = (policy: GateConfig['data']['bad_rows'], bindings: readonly InputBinding[], dataset: Dataset): Set<string> =>
  policy.missing_features === 'feed' ? missingFedColumns(bindings, dataset) : new Set();
