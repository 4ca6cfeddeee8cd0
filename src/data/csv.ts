/** CSV files into a columnar Dataset, streamed through csv-parse. */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { InputFileError, getErrorMessage } from '../errors.ts';
import type { Column, Dataset } from './dataset.ts';

const NON_FINITE: Record<string, number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
};

/** A cell as a number: undefined when it is not one, NaN when it is empty. */
export function parseNumber(cell: string): number | undefined {
  const s = cell.trim();
  if (s === '') return Number.NaN;
  const n = Number(s);
  if (!Number.isNaN(n)) return n;
  return NON_FINITE[s.toLowerCase()];
}

export async function readCsv(path: string): Promise<Dataset> {
  let header: string[] | undefined;
  const cells: string[][] = [];
  try {
    const parser = parse({ bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
    const input = createReadStream(path);
    // .pipe() does not forward read errors (a missing file): hand them to the parser we iterate.
    input.on('error', (error) => parser.destroy(error));
    input.pipe(parser);
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = record;
        continue;
      }
      cells.push(record);
    }
  } catch (error) {
    throw new InputFileError(path, describeCsvError(error));
  }
  if (!header || header.length === 0) throw new InputFileError(path, 'the file is empty (no header row)');
  const duplicate = header.find((h, i) => header!.indexOf(h) !== i);
  if (duplicate !== undefined) throw new InputFileError(path, `column "${duplicate}" appears twice in the header`);
  const columns: Column[] = header.map((name, j) => toColumn(name, cells, j));
  return { path, rows: cells.length, columns };
}

function toColumn(name: string, cells: string[][], j: number): Column {
  const values = new Float64Array(cells.length);
  let missing = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]![j]!;
    const n = parseNumber(cell);
    if (n === undefined) {
      const text = cells.map((r) => r[j]!);
      return { name, kind: 'text', values: null, text, missing: text.filter((t) => t === '').length };
    }
    if (cell.trim() === '') missing++;
    values[i] = n;
  }
  return { name, kind: 'numeric', values, text: null, missing };
}

function describeCsvError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { code?: string; lines?: number };
  if (e.code === 'ENOENT') return 'file not found';
  if (e.code === 'EISDIR') return 'is a directory, not a CSV file';
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || e.code === 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH') {
    return `line ${e.lines ?? '?'}: ${getErrorMessage(error).replace(/^Invalid Record Length: /, '')}`;
  }
  return getErrorMessage(error);
}
