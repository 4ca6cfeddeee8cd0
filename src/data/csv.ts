/**
 * CSV files into a columnar Dataset, streamed through Papa Parse (RFC 4180 quoting, any line
 * ending). Papa Parse rather than csv-parse because it reads several times faster, and data
 * reading dominates a drift run over a million rows.
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { InputFileError, getErrorMessage } from '../errors.ts';
import { DatasetBuilder } from './columns.ts';
import type { Dataset } from './dataset.ts';

export { parseNumber } from './columns.ts';

const isSpace = (code: number) => code === 32 || code === 9;

/** Cells lose surrounding spaces, as most CSV readers' `trim` options do; most need no copy. */
function trimmed(cell: string): string {
  return cell.length > 0 && (isSpace(cell.charCodeAt(0)) || isSpace(cell.charCodeAt(cell.length - 1))) ? cell.trim() : cell;
}

export async function readCsv(path: string): Promise<Dataset> {
  let builder: DatasetBuilder | undefined;
  let failure: InputFileError | undefined;
  const onRows = (rows: string[][], errors: Papa.ParseError[]) => {
    // Papa Parse reports unbalanced quotes per row and parses on; such rows are not trusted.
    const badQuotes = new Map(errors.filter((e) => e.type === 'Quotes' && e.row !== undefined).map((e) => [e.row!, e.message]));
    for (let i = 0; i < rows.length; i++) {
      const record = rows[i]!;
      if (record.length === 1 && record[0]!.trim() === '') continue; // a blank line
      for (let j = 0; j < record.length; j++) record[j] = trimmed(record[j]!);
      if (!builder) {
        builder = new DatasetBuilder(path, 'csv', headerOf(path, record));
        continue;
      }
      const quote = badQuotes.get(i);
      if (quote !== undefined) builder.markMalformed(quote.toLowerCase(), record);
      else if (record.length !== builder.names.length) {
        builder.markMalformed(`${record.length} fields, the header has ${builder.names.length}`, record);
      } else builder.push(record);
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      // A string stream, so that a character split across two chunks is decoded whole.
      const input = createReadStream(path, { encoding: 'utf8' });
      input.on('error', reject);
      Papa.parse<string[]>(input, {
        skipEmptyLines: false,
        chunk: (results, parser) => {
          try {
            onRows(results.data, results.errors);
          } catch (error) {
            failure = error instanceof InputFileError ? error : new InputFileError(path, getErrorMessage(error));
            parser.abort();
          }
        },
        complete: () => resolve(),
        error: (error: Error) => reject(error),
      });
    });
  } catch (error) {
    throw new InputFileError(path, describeReadError(error));
  }
  if (failure) throw failure;
  if (!builder) throw new InputFileError(path, 'the file is empty (no header row)');
  return builder.finish();
}

function headerOf(path: string, record: string[]): string[] {
  const header = record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h));
  if (header.every((h) => h === '')) throw new InputFileError(path, 'the header row is empty');
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate !== undefined) throw new InputFileError(path, `column "${duplicate}" appears twice in the header`);
  return header;
}

/** A file-system error as a person would say it. */
export function describeReadError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'file not found';
  if (e.code === 'EISDIR') return 'is a directory, not a data file';
  if (e.code === 'EACCES') return 'permission denied';
  return getErrorMessage(error);
}
