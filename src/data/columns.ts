/**
 * Builds a columnar Dataset from rows streamed by a reader, holding one typed array per numeric
 * column rather than the cells. Column kinds are inferred from the first rows, as pandas and
 * polars do: a column is text when most of its non-empty cells there are not numbers, an array
 * column when most are lists of numbers (JSON Lines); after that, a stray word in a numeric
 * column is an invalid cell (a bad row), not a new type.
 */
import type { Column, DataFormat, Dataset, MalformedRow } from './dataset.ts';

/** A cell as a reader found it: CSV gives strings, JSON Lines any JSON value. */
export type Cell = string | number | boolean | bigint | null | undefined | object;

const INFERENCE_ROWS = 1000;
/**
 * The sample is also bounded in cells (an array cell weighs its elements), so that 1,000 rows of
 * a 150,528-column file, or of 224×224×3 image arrays, are not all held as JS values at once.
 */
export const INFERENCE_CELLS = 2_000_000;
const MIN_INFERENCE_ROWS = 16;
const MALFORMED_DETAIL = 10;

const NON_FINITE: Record<string, number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
};

/** A text cell as a number: undefined when it is not one, NaN when it is empty. */
export function parseNumber(cell: string): number | undefined {
  const s = cell.trim();
  if (s === '') return Number.NaN;
  const n = Number(s);
  if (!Number.isNaN(n)) return n;
  return NON_FINITE[s.toLowerCase()];
}

const isEmpty = (cell: Cell) => cell === null || cell === undefined || cell === '';

/** About how many values a cell holds: 1, or an array's elements (measured along its first path). */
export function cellWeight(cell: Cell): number {
  let n = 1;
  let x: unknown = cell;
  while (Array.isArray(x) && x.length > 0) {
    n *= x.length;
    x = x[0];
  }
  return n;
}

/** An array whose elements, at any depth, are all numbers, booleans or null: an array cell. */
function isNumericArray(cell: Cell): boolean {
  if (!Array.isArray(cell)) return false;
  for (const x of cell as unknown[]) {
    const t = typeof x;
    if (t === 'number' || t === 'boolean' || t === 'bigint' || x === null) continue;
    if (!isNumericArray(x as Cell)) return false;
  }
  return true;
}

/** A cell as a number: undefined when it is not one, NaN when it is empty. */
function numberOf(cell: Cell): number | undefined {
  switch (typeof cell) {
    case 'number':
      return cell;
    case 'string':
      return parseNumber(cell);
    case 'boolean':
      return cell ? 1 : 0;
    case 'bigint':
      return Number(cell);
    default:
      return cell === null || cell === undefined ? Number.NaN : undefined;
  }
}

const textOf = (cell: Cell): string =>
  cell === null || cell === undefined ? '' : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);

class NumericBuilder {
  // Small at first: a file may have 150,528 columns and 50 rows.
  values = new Float64Array(16);
  length = 0;
  missing = 0;
  invalid: number[] = [];
  push(cell: Cell): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    if (typeof cell === 'string') {
      // The common case, a plain number, without the slow path's checks.
      const fast = Number(cell);
      if (fast === fast && (fast !== 0 || cell.trim() !== '')) {
        this.values[this.length++] = fast;
        return;
      }
    }
    const n = numberOf(cell);
    if (n === undefined) this.invalid.push(this.length);
    else if (isEmpty(cell)) this.missing++;
    this.values[this.length++] = n ?? Number.NaN;
  }
  /** Room for `rows` values in all, so that a reader that can tell the row count grows the array once. */
  reserve(rows: number): void {
    if (rows <= this.values.length) return;
    const grown = new Float64Array(rows);
    grown.set(this.values.subarray(0, this.length));
    this.values = grown;
  }
  /** A cell the reader already parsed as a number (what push would make of its text). */
  pushNumber(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  finish(name: string): Column {
    // Nearly full (a reserve that guessed well): a view, not a copy of what may be 8 MB per column.
    const spare = this.values.length - this.length;
    const values = spare <= this.length / 16 ? this.values.subarray(0, this.length) : this.values.slice(0, this.length);
    return { name, kind: 'numeric', values, text: null, missing: this.missing, invalid: this.invalid };
  }
}

class TextBuilder {
  text: string[] = [];
  missing = 0;
  push(cell: Cell): void {
    if (isEmpty(cell)) this.missing++;
    this.text.push(textOf(cell));
  }
  finish(name: string): Column {
    return { name, kind: 'text', values: null, text: this.text, missing: this.missing, invalid: [] };
  }
}

const INVALID = -1;

/** A list as a reader gives it: a JS array (JSON, hyparquet) or a typed array. */
const isList = (x: unknown): x is ArrayLike<unknown> => Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));

/** Array cells flattened into one growing buffer, a row per push; see ArrayCells in dataset.ts. */
export class ArrayBuilder {
  values = new Float64Array(1024);
  length = 0;
  offsets = new Int32Array(64);
  rows = 0;
  missing = 0;
  invalid: number[] = [];
  /** The common shape so far: undefined before the first non-empty row, null once rows differ. */
  shape: number[] | null | undefined = undefined;

  push(cell: Cell): void {
    const start = this.length;
    if (isEmpty(cell)) this.missing++;
    else if (!isList(cell)) this.invalid.push(this.rows);
    else {
      const shape = this.flatten(cell);
      if (shape === INVALID) {
        this.length = start;
        this.invalid.push(this.rows);
      } else if (this.length === start) this.missing++; // [] or [[]]: nothing to feed
      else if (this.shape === undefined) this.shape = shape;
      else if (this.shape !== null && (shape === null || !sameShape(this.shape, shape))) this.shape = null;
    }
    // Offsets are Int32, as Arrow's List offsets are; fail rather than wrap.
    if (this.length > 0x7fffffff) throw new Error('an array column holds more than 2^31 values');
    if (this.rows + 2 > this.offsets.length) this.offsets = grow(this.offsets, this.rows + 2);
    this.offsets[++this.rows] = this.length;
  }

  /** Appends the elements row-major; returns the cell's shape, null when ragged, INVALID when an element is not a number. */
  private flatten(cell: ArrayLike<unknown>): number[] | null | typeof INVALID {
    let sub: number[] | null | undefined = undefined;
    let scalars = 0;
    for (let i = 0; i < cell.length; i++) {
      const x = cell[i];
      if (isList(x)) {
        const s = this.flatten(x);
        if (s === INVALID) return INVALID;
        sub = sub === undefined ? s : sub !== null && s !== null && sameShape(sub, s) ? sub : null;
        continue;
      }
      // null is a missing element (NaN), as pandas reads it; bad-rows counts it as missing.
      const n = typeof x === 'number' ? x : typeof x === 'boolean' ? Number(x) : typeof x === 'bigint' ? Number(x) : x === null ? Number.NaN : undefined;
      if (n === undefined) return INVALID;
      scalars++;
      if (this.length === this.values.length) this.values = grow(this.values, this.length + 1);
      this.values[this.length++] = n;
    }
    if (sub === undefined) return [cell.length];
    return scalars > 0 || sub === null ? null : [cell.length, ...sub];
  }

  finish(name: string): Column {
    return {
      name,
      kind: 'array',
      values: null,
      text: null,
      array: { values: this.values.slice(0, this.length), offsets: this.offsets.slice(0, this.rows + 1), shape: this.shape ?? null },
      missing: this.missing,
      invalid: this.invalid,
    };
  }
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function grow<T extends Float64Array | Int32Array>(a: T, need: number): T {
  const grown = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  grown.set(a);
  return grown;
}

export class DatasetBuilder {
  private readonly sample: (readonly Cell[])[] = [];
  private sampleCells = 0;
  private builders: (NumericBuilder | TextBuilder | ArrayBuilder)[] | null = null;
  private rows = 0;
  private readonly malformed: number[] = [];
  private readonly malformedFirst: MalformedRow[] = [];
  readonly notes: string[] = [];

  private readonly path: string;
  private readonly format: DataFormat;
  readonly names: readonly string[];

  constructor(path: string, format: DataFormat, names: readonly string[]) {
    this.path = path;
    this.format = format;
    this.names = names;
  }

  /** The row's cells, one per name; absent trailing cells are missing. The builder may keep the array. */
  push(cells: readonly Cell[]): void {
    if (this.builders) this.append(cells);
    else {
      this.sample.push(cells);
      for (const cell of cells) this.sampleCells += typeof cell === 'object' ? cellWeight(cell) : 1;
      if (this.sample.length >= INFERENCE_ROWS || (this.sample.length >= MIN_INFERENCE_ROWS && this.sampleCells >= INFERENCE_CELLS)) {
        this.flushSample();
      }
    }
  }

  /** Which columns are numeric, once the first rows have decided the kinds; null before. */
  numericColumns(): boolean[] | null {
    return this.builders ? this.builders.map((b) => b instanceof NumericBuilder) : null;
  }

  /** Room in each numeric column for about `rows` rows in all (a reader's estimate from the file size). */
  reserve(rows: number): void {
    for (const b of this.builders ?? []) if (b instanceof NumericBuilder) b.reserve(rows);
  }

  /**
   * A row the reader parsed itself (once the kinds are decided): column j takes numbers[j] when
   * cells[j] is undefined (numeric columns only), else the cell as push would.
   */
  pushParsed(numbers: Float64Array, cells: readonly (string | undefined)[]): void {
    const builders = this.builders!;
    for (let j = 0; j < builders.length; j++) {
      const cell = cells[j];
      if (cell === undefined) (builders[j] as NumericBuilder).pushNumber(numbers[j]!);
      else builders[j]!.push(cell);
    }
    this.rows++;
  }

  /** Records that the row about to be pushed (or, with no cells, skipped) is malformed. */
  markMalformed(reason: string, cells?: readonly Cell[]): void {
    const row = this.rows + this.sample.length;
    this.malformed.push(row);
    if (this.malformedFirst.length < MALFORMED_DETAIL) this.malformedFirst.push({ row, reason });
    this.push(cells ?? []);
  }

  finish(): Dataset {
    this.flushSample();
    return {
      path: this.path,
      format: this.format,
      rows: this.rows,
      columns: this.builders!.map((b, j) => b.finish(this.names[j]!)),
      malformed: this.malformed,
      malformedFirst: this.malformedFirst,
      notes: this.notes,
    };
  }

  private flushSample(): void {
    if (this.builders) return;
    this.builders = this.names.map((_, j) => {
      let numeric = 0;
      let arrays = 0;
      let other = 0;
      for (const row of this.sample) {
        const cell = row[j];
        if (isEmpty(cell)) continue;
        if (isNumericArray(cell)) arrays++;
        else if (numberOf(cell) === undefined) other++;
        else numeric++;
      }
      if (arrays > numeric + other) return new ArrayBuilder();
      return other + arrays > numeric ? new TextBuilder() : new NumericBuilder();
    });
    for (const row of this.sample) this.append(row);
    this.sample.length = 0;
  }

  private append(cells: readonly Cell[]): void {
    const builders = this.builders!;
    for (let j = 0; j < builders.length; j++) builders[j]!.push(cells[j]);
    this.rows++;
  }
}
