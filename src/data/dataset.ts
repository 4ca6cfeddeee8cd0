/** A tabular data set held by column: numbers where a column is numeric, text otherwise. */
import { nameList } from '../redact.ts';

export type ColumnKind = 'numeric' | 'text';
export type DataFormat = 'csv' | 'jsonl' | 'parquet';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Numeric columns: the value per row; NaN where the cell was empty, NaN or not a number. */
  values: Float64Array | null;
  /** Text columns: the cell per row ('' when empty). */
  text: string[] | null;
  /** Empty (or null) cells. */
  missing: number;
  /** Numeric columns: rows (0-based) whose cell was not a number, ascending. */
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

export function column(dataset: Dataset, name: string): Column | undefined {
  return dataset.columns.find((c) => c.name === name);
}

export const columnNames = (dataset: Dataset) => nameList(dataset.columns.map((c) => c.name));
