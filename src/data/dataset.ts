/** A tabular data set held by column: numbers where a column is numeric, text otherwise. */

export type ColumnKind = 'numeric' | 'text';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Numeric columns: the value per row, NaN where the cell was empty ("missing"). */
  values: Float64Array | null;
  /** Text columns: the raw cell per row. */
  text: string[] | null;
  /** Empty cells. */
  missing: number;
}

export interface Dataset {
  path: string;
  rows: number;
  columns: Column[];
}

export function column(dataset: Dataset, name: string): Column | undefined {
  return dataset.columns.find((c) => c.name === name);
}
