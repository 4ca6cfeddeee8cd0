/**
 * Builds a columnar Dataset from rows streamed by a reader, holding one typed array per numeric
 * column rather than the cells. Column kinds are inferred from the first rows, as pandas and
 * polars do: a column is text when most of its non-empty cells there are not numbers; after
 * that, a stray word in a numeric column is an invalid cell (a bad row), not a new type.
 */
import type { Column, DataFormat, Dataset, MalformedRow } from './dataset.ts';

/** A cell as a reader found it: CSV gives strings, JSON Lines any JSON value. */
export type Cell = string | number | boolean | bigint | null | undefined | object;

const INFERENCE_ROWS = 1000;
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
  values = new Float64Array(1024);
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
  finish(name: string): Column {
    return { name, kind: 'numeric', values: this.values.slice(0, this.length), text: null, missing: this.missing, invalid: this.invalid };
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

export class DatasetBuilder {
  private readonly sample: Cell[][] = [];
  private builders: (NumericBuilder | TextBuilder)[] | null = null;
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

  /** The row's cells, one per name; absent trailing cells are missing. */
  push(cells: readonly Cell[]): void {
    if (this.builders) this.append(cells);
    else {
      this.sample.push(cells.slice());
      if (this.sample.length >= INFERENCE_ROWS) this.flushSample();
    }
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
      let other = 0;
      for (const row of this.sample) {
        const cell = row[j];
        if (isEmpty(cell)) continue;
        if (numberOf(cell) === undefined) other++;
        else numeric++;
      }
      return other > numeric ? new TextBuilder() : new NumericBuilder();
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
