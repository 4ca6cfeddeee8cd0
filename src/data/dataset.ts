/** A tabular data set held by column: numbers where a column is numeric, text otherwise. */
import { excerpt } from '../redact.ts';

/** 'array': each cell is a (possibly nested) list of numbers, e.g. token ids or an image. */
export type ColumnKind = 'numeric' | 'text' | 'array';
export type DataFormat = 'csv' | 'jsonl' | 'parquet' | 'npz';

/** Array cells, flattened: one buffer for the whole column rather than an array per row. */
export interface ArrayCells {
  /** Every row's elements, flattened row-major, one row after another. */
  values: Float64Array;
  /** rows + 1 entries: row r's elements are values[offsets[r] .. offsets[r + 1]). */
  offsets: Int32Array;
  /** The nested shape common to every non-empty row (e.g. [224, 224, 3]); null when rows differ. */
  shape: number[] | null;
}

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Numeric columns: the value per row; NaN where the cell was empty, NaN or not a number. */
  values: Float64Array | null;
  /** Text columns: the cell per row ('' when empty). */
  text: string[] | null;
  /** Array columns: the cells; an empty or null cell (a missing value) has no elements. */
  array?: ArrayCells;
  /** Empty (or null) cells. */
  missing: number;
  /** Numeric and array columns: rows (0-based) whose cell was not a number (not an array of numbers), ascending. */
  invalid: number[];
}

/** A row that could not be read as a whole: wrong field count, a line that is not JSON, … */
export interface MalformedRow {
  row: number;
  reason: string;
}

export interface Dataset {
  path: string;
  format: DataFormat;
  rows: number;
  columns: Column[];
  /** Rows (0-based, ascending) that are malformed as a whole; their cells are not trusted. */
  malformed: number[];
  /** Why, for the first few malformed rows. */
  malformedFirst: MalformedRow[];
  /** Things worth saying about the file that are not errors (e.g. keys ignored). */
  notes: string[];
}

// Name -> column, built once per columns array: a search per name would make every reader that
// looks up each of 150,528 pixel columns quadratic.
const indexes = new WeakMap<Column[], Map<string, Column>>();

export function column(dataset: Dataset, name: string): Column | undefined {
  let index = indexes.get(dataset.columns);
  if (!index || index.size !== dataset.columns.length) {
    index = new Map(dataset.columns.map((c) => [c.name, c]));
    indexes.set(dataset.columns, index);
  }
  return index.get(name);
}

/**
 * A list of column names, briefly: all of them when few, else the first few, the last and the
 * count, e.g. `px0, px1, px2 … px11519 (11,520 columns)`. A message naming 150,528 columns would
 * be a megabyte long.
 */
export function describeColumns(names: readonly string[], max = 6): string {
  // Each name is data, not ours: bounded, control characters spelled out, secret shapes masked.
  const name = (n: string) => excerpt(n, 40);
  if (names.length <= max) return names.map(name).join(', ');
  const head = Math.max(1, Math.ceil(max / 2));
  return `${names.slice(0, head).map(name).join(', ')} … ${name(names[names.length - 1]!)} (${names.length.toLocaleString('en')} columns)`;
}

/** The data set's column names for a message, bounded in length. */
export const columnNames = (dataset: Dataset, max = 20) =>
  describeColumns(
    dataset.columns.map((c) => c.name),
    max,
  );
