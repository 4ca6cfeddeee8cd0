/**
 * Parquet files into a columnar Dataset with hyparquet, one row group at a time, so only the
 * decoded columns are held. Flat columns are read; nested ones (lists, structs) are skipped
 * with a note.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { SchemaTree } from 'hyparquet';
import { InputFileError, getErrorMessage } from '../errors.ts';
import { describeReadError } from './csv.ts';
import type { Column, Dataset } from './dataset.ts';

const NUMERIC_TYPES = new Set(['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE']);

export async function readParquet(path: string): Promise<Dataset> {
  let file;
  try {
    file = await asyncBufferFromFile(path);
  } catch (error) {
    throw new InputFileError(path, describeReadError(error));
  }
  try {
    const metadata = await parquetMetadataAsync(file);
    const rows = Number(metadata.num_rows);
    const notes: string[] = [];
    const flat = parquetSchema(metadata).children.filter((node) => {
      if (node.children.length === 0) return true;
      notes.push(`column "${node.element.name}" is nested (list, map or struct); not read`);
      return false;
    });
    const columns: Column[] = flat.map((node) => emptyColumn(node, rows));
    const byName = new Map(columns.map((c) => [c.name, c]));
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      await parquetRead({
        file,
        metadata,
        rowStart,
        rowEnd,
        columns: columns.map((c) => c.name),
        onChunk: ({ columnName, columnData, rowStart: at }) => {
          const column = byName.get(columnName);
          if (column) fill(column, columnData as ArrayLike<unknown>, at, rows);
        },
      });
      rowStart = rowEnd;
    }
    for (const c of columns) if (c.values) c.invalid.sort((a, b) => a - b);
    return { path, format: 'parquet', rows, columns, malformed: [], malformedFirst: [], notes };
  } catch (error) {
    throw new InputFileError(path, `not a readable Parquet file: ${getErrorMessage(error)}`);
  }
}

function emptyColumn(node: SchemaTree, rows: number): Column {
  const { name, type, converted_type: converted, logical_type: logical } = node.element;
  const numeric = type !== undefined && NUMERIC_TYPES.has(type) && logical?.type !== 'TIMESTAMP' && !/^TIME|^DATE/.test(converted ?? '');
  return numeric
    ? { name, kind: 'numeric', values: new Float64Array(rows), text: null, missing: 0, invalid: [] }
    : { name, kind: 'text', values: null, text: new Array<string>(rows).fill(''), missing: 0, invalid: [] };
}

function fill(column: Column, data: ArrayLike<unknown>, at: number, rows: number): void {
  const end = Math.min(rows, at + data.length);
  for (let r = Math.max(0, at); r < end; r++) {
    const v = data[r - at];
    if (v === null || v === undefined) {
      column.missing++;
      if (column.values) column.values[r] = Number.NaN;
      continue;
    }
    if (column.values) {
      const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : Number.NaN;
      if (Number.isNaN(n) && typeof v !== 'number') column.invalid.push(r);
      column.values[r] = n;
    } else {
      column.text![r] = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  }
}
