/**
 * Parquet files into a columnar Dataset with hyparquet, one row group at a time, so only the
 * decoded columns are held. Flat columns are read, and lists of numbers (at any depth) as array
 * columns; other nested columns (structs, maps, lists of text) are skipped with a note.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { FileMetaData, RowGroup, SchemaElement, SchemaTree } from 'hyparquet';
import { InputFileError, getErrorMessage } from '../errors.ts';
import { ArrayBuilder } from './columns.ts';
import { describeReadError } from './csv.ts';
import type { Column, Dataset } from './dataset.ts';

const NUMERIC_TYPES = new Set(['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE']);

/**
 * Columns per parquetRead call. hyparquet finds each column chunk's schema node and assembled
 * column with a linear search (quadratic in columns: minutes for 150,528), so it is handed
 * narrow slices of the file's metadata: quadratic only within a batch.
 */
const BATCH_COLUMNS = 256;

const isNumeric = ({ type, converted_type: converted, logical_type: logical }: SchemaElement) =>
  type !== undefined && NUMERIC_TYPES.has(type) && logical?.type !== 'TIMESTAMP' && !/^TIME|^DATE/.test(converted ?? '');

const isListNode = (e: SchemaElement) => e.converted_type === 'LIST' || e.logical_type?.type === 'LIST';

/** A LIST whose groups each hold one child down to a numeric leaf: a (nested) list of numbers. */
function isNumericList(node: SchemaTree): boolean {
  if (!isListNode(node.element)) return false;
  let n = node;
  while (n.children.length === 1) n = n.children[0]!;
  return n.children.length === 0 && isNumeric(n.element);
}

/** A column being read: a flat one filled in place, or a list column built row by row. */
type Target = { column: Column; list?: undefined } | { column?: undefined; list: ArrayBuilder };

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
    const top = parquetSchema(metadata).children;
    const read = top.filter((node) => {
      if (node.children.length === 0 || isNumericList(node)) return true;
      notes.push(`column "${node.element.name}" is nested (a struct, a map or a list of non-numbers); not read`);
      return false;
    });
    const targets = new Map<string, Target>(
      read.map((node) => [node.element.name, node.children.length === 0 ? { column: emptyColumn(node, rows) } : { list: new ArrayBuilder() }]),
    );
    let disorder: string | undefined;
    const onChunk = (columnName: string, data: ArrayLike<unknown>, at: number) => {
      const target = targets.get(columnName);
      if (!target) return;
      if (target.column) fill(target.column, data, at, rows);
      // List cells must arrive in row order (row groups are read one after another); a throw
      // here would be lost in hyparquet's promise chain, so it is raised after the read.
      else if (at !== target.list.rows) disorder ??= `list column "${columnName}" arrived out of row order (row ${at}, expected ${target.list.rows})`;
      else pushList(target.list, data, at, rows);
    };
    const slices = schemaSlices(metadata, top);
    const wanted = new Set(read);
    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const groupRows = Number(group.num_rows);
      for (let b = 0; b < top.length; b += BATCH_COLUMNS) {
        const batch = top.slice(b, b + BATCH_COLUMNS).filter((node) => wanted.has(node));
        if (batch.length === 0) continue;
        await parquetRead({
          file,
          metadata: narrow(metadata, group, batch.map((node) => slices.get(node)!)),
          onChunk: ({ columnName, columnData, rowStart: at }) => onChunk(columnName, columnData as ArrayLike<unknown>, groupStart + at),
        });
        if (disorder) throw new Error(disorder);
      }
      groupStart += groupRows;
    }
    const out = [...targets.entries()].map(([name, t]) => (t.list ? finishList(t.list, name, rows) : t.column));
    for (const c of out) if (c.values) c.invalid.sort((a, b) => a - b);
    return { path, format: 'parquet', rows, columns: out, malformed: [], malformedFirst: [], notes };
  } catch (error) {
    throw new InputFileError(path, `not a readable Parquet file: ${getErrorMessage(error)}`);
  }
}

/** Where a top-level column sits: its schema elements and its leaves' column chunks. */
interface Slice {
  schemaStart: number;
  schemaCount: number;
  chunkStart: number;
  chunkCount: number;
}

const leaves = (node: SchemaTree): number => (node.children.length === 0 ? 1 : node.children.reduce((n, c) => n + leaves(c), 0));

/** Schema elements are stored depth-first, and a row group's chunks in leaf order: both contiguous per column. */
function schemaSlices(metadata: FileMetaData, top: SchemaTree[]): Map<SchemaTree, Slice> {
  const slices = new Map<SchemaTree, Slice>();
  let schemaStart = 1; // after the root
  let chunkStart = 0;
  for (const node of top) {
    const chunkCount = leaves(node);
    slices.set(node, { schemaStart, schemaCount: node.count, chunkStart, chunkCount });
    schemaStart += node.count;
    chunkStart += chunkCount;
  }
  if (schemaStart !== metadata.schema.length) throw new Error('the schema does not add up');
  return slices;
}

/** The file's metadata cut down to one row group and some top-level columns. */
function narrow(metadata: FileMetaData, group: RowGroup, slices: Slice[]): FileMetaData {
  const schema: SchemaElement[] = [{ ...metadata.schema[0]!, num_children: slices.length }];
  const columns: RowGroup['columns'] = [];
  for (const s of slices) {
    for (let i = 0; i < s.schemaCount; i++) schema.push(metadata.schema[s.schemaStart + i]!);
    for (let i = 0; i < s.chunkCount; i++) columns.push(group.columns[s.chunkStart + i]!);
    const name = metadata.schema[s.schemaStart]!.name;
    const chunk = group.columns[s.chunkStart]?.meta_data?.path_in_schema[0];
    if (chunk !== undefined && chunk !== name) throw new Error(`column chunks are not in schema order ("${chunk}" where "${name}" belongs)`);
  }
  return { ...metadata, schema, num_rows: group.num_rows, row_groups: [{ ...group, columns }] };
}

function emptyColumn(node: SchemaTree, rows: number): Column {
  const { name } = node.element;
  return isNumeric(node.element)
    ? { name, kind: 'numeric', values: new Float64Array(rows), text: null, missing: 0, invalid: [] }
    : { name, kind: 'text', values: null, text: new Array<string>(rows).fill(''), missing: 0, invalid: [] };
}

function pushList(list: ArrayBuilder, data: ArrayLike<unknown>, at: number, rows: number): void {
  const end = Math.min(rows, at + data.length);
  for (let r = at; r < end; r++) list.push(data[r - at] as never);
}

function finishList(list: ArrayBuilder, name: string, rows: number): Column {
  while (list.rows < rows) list.push(null); // rows hyparquet gave no cells for are missing
  return list.finish(name);
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
