/** CSV files into a columnar Dataset, streamed through csv-parse. */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { InputFileError, getErrorMessage } from '../errors.ts';
import { DatasetBuilder } from './columns.ts';
import type { Dataset } from './dataset.ts';

export { parseNumber } from './columns.ts';

export async function readCsv(path: string): Promise<Dataset> {
  let builder: DatasetBuilder | undefined;
  try {
    // Ragged lines are kept (and marked malformed) so one bad line does not lose the file.
    const parser = parse({ bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
    const input = createReadStream(path);
    // .pipe() does not forward read errors (a missing file): hand them to the parser we iterate.
    input.on('error', (error) => parser.destroy(error));
    input.pipe(parser);
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!builder) {
        builder = new DatasetBuilder(path, 'csv', headerOf(path, record));
        continue;
      }
      if (record.length !== builder.names.length) {
        builder.markMalformed(`${record.length} fields, the header has ${builder.names.length}`, record);
      } else {
        builder.push(record);
      }
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(path, describeReadError(error));
  }
  if (!builder) throw new InputFileError(path, 'the file is empty (no header row)');
  return builder.finish();
}

function headerOf(path: string, record: string[]): string[] {
  if (record.length === 0 || record.every((h) => h === '')) throw new InputFileError(path, 'the header row is empty');
  const duplicate = record.find((h, i) => record.indexOf(h) !== i);
  if (duplicate !== undefined) throw new InputFileError(path, `column "${duplicate}" appears twice in the header`);
  return record;
}

/** A file-system error as a person would say it. */
export function describeReadError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'file not found';
  if (e.code === 'EISDIR') return 'is a directory, not a data file';
  if (e.code === 'EACCES') return 'permission denied';
  return getErrorMessage(error);
}
