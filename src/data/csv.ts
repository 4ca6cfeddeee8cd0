/**
 * CSV files into a columnar Dataset, streamed through Papa Parse (RFC 4180 quoting, any line
 * ending). Papa Parse rather than csv-parse because it reads several times faster, and data
 * reading dominates a drift run over a million rows. A file without quotes takes a faster path
 * with the same result (csv-plain.ts).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import Papa from 'papaparse';
import { InputFileError, getErrorMessage } from '../errors.ts';
import { DatasetBuilder } from './columns.ts';
import type { Dataset } from './dataset.ts';
import { CHUNK_BYTES, readPlainCsv, trimmed } from './csv-plain.ts';
import { DEFAULT_LIMITS, boundLines, lineTooLong, tooManyColumns, type ReaderLimits } from './limits.ts';

export { parseNumber } from './columns.ts';

export async function readCsv(path: string, limits: ReaderLimits = DEFAULT_LIMITS, options: { fast?: boolean } = {}): Promise<Dataset> {
  let head: Head;
  try {
    head = await readHead(path, limits);
  } catch (error) {
    throw error instanceof InputFileError ? error : new InputFileError(path, describeReadError(error));
  }
  try {
    // Files without quotes (most numeric eval sets) are read from their bytes; the first quote
    // sends the whole file through Papa Parse instead.
    const plain = options.fast !== false ? await readPlainCsv(path, head, limits, new Records(path)) : null;
    const records = plain ?? (await readWithPapa(path, head, limits));
    if (!records.builder) throw new InputFileError(path, 'the file is empty (no header row)');
    return records.builder.finish();
  } catch (error) {
    throw error instanceof InputFileError ? error : new InputFileError(path, describeReadError(error));
  }
}

/** Records into the builder: blank lines skipped, the header first, rows of another width malformed. */
export class Records {
  builder: DatasetBuilder | undefined;
  readonly #path: string;
  constructor(path: string) {
    this.#path = path;
  }

  /** One record's cells (trimmed here, in place); `quote`: why its quotes are unbalanced. */
  push(record: string[], quote?: string): void {
    if (record.length === 1 && record[0]!.trim() === '') return; // a blank line
    for (let j = 0; j < record.length; j++) record[j] = trimmed(record[j]!);
    const builder = this.builder;
    if (!builder) {
      this.builder = new DatasetBuilder(this.#path, 'csv', headerOf(this.#path, record));
      return;
    }
    if (quote !== undefined) builder.markMalformed(quote.toLowerCase(), record);
    else if (record.length !== builder.names.length) {
      builder.markMalformed(`${record.length} fields, the header has ${builder.names.length}`, record);
    } else builder.push(record);
  }
}

/** The whole file through Papa Parse (RFC 4180 quoting). */
async function readWithPapa(path: string, head: Head, limits: ReaderLimits): Promise<Records> {
  const records = new Records(path);
  let failure: InputFileError | undefined;
  const onRows = (rows: string[][], errors: Papa.ParseError[]) => {
    // Papa Parse reports unbalanced quotes per row and parses on; such rows are not trusted.
    const badQuotes = new Map(errors.filter((e) => e.type === 'Quotes' && e.row !== undefined).map((e) => [e.row!, e.message]));
    for (let i = 0; i < rows.length; i++) records.push(rows[i]!, badQuotes.get(i));
  };
  await new Promise<void>((resolve, reject) => {
    // A string stream, so that a character split across two chunks is decoded whole; bounded
    // in line length before Papa Parse gathers a line into one string.
    const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
    const input = boundLines(path, limits);
    raw.on('error', (error) => input.destroy(error));
    input.on('error', (error) => {
      raw.destroy();
      reject(error);
    });
    raw.pipe(input).setEncoding('utf8');
    Papa.parse<string[]>(input, {
      skipEmptyLines: false,
      ...head,
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
  if (failure) throw failure;
  return records;
}

function headerOf(path: string, record: string[]): string[] {
  const header = record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h));
  if (header.every((h) => h === '')) throw new InputFileError(path, 'the header row is empty');
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new InputFileError(path, `column "${h}" appears twice in the header`);
    seen.add(h);
  }
  return header;
}

export interface Head {
  newline?: '\n' | '\r\n' | '\r';
  delimiter?: string;
}

/**
 * The line ending and delimiter, from the whole first line (and what follows in the same read). Papa Parse guesses both from its first
 * chunk: with a header longer than that chunk it sees no line end, takes '\n' for a CRLF file,
 * and every last cell (the last column's name too) keeps a '\r'.
 */
async function readHead(path: string, limits: ReaderLimits): Promise<Head> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 16);
    const chunks: Buffer[] = [];
    let quoted = false;
    let position = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return {};
      position += bytesRead;
      chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
      if (position - bytesRead > limits.maxLineBytes) throw lineTooLong(path, 1, limits);
      for (let i = 0; i < bytesRead; i++) {
        const b = buffer[i]!;
        if (b === 0x22) quoted = !quoted;
        else if (!quoted && (b === 0x0a || b === 0x0d)) {
          let newline: Head['newline'] = b === 0x0a ? '\n' : '\r';
          if (b === 0x0d) {
            // '\r' may be the last byte read; look at the next one.
            const next = Buffer.alloc(1);
            const { bytesRead: got } = await file.read(next, 0, 1, position - bytesRead + i + 1);
            if (got === 1 && next[0] === 0x0a) newline = '\r\n';
          }
          // The delimiter as Papa Parse would guess it, but from at least the whole first line.
          const start = Buffer.concat(chunks).toString('utf8');
          const delimiter = Papa.parse<string[]>(start, { newline, preview: 10 }).meta.delimiter;
          const columns = headerColumns(start, delimiter);
          if (columns > limits.maxColumns) throw tooManyColumns(path, columns, limits);
          return { newline, delimiter };
        }
      }
    }
  } finally {
    await file.close();
  }
}

/** Fields in the first line, counted without parsing it (a header of 10^6 names costs seconds to parse). */
function headerColumns(text: string, delimiter: string): number {
  let quoted = false;
  let fields = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && text.startsWith(delimiter, i)) fields++;
  }
  return fields;
}

/** A file-system error as a person would say it. */
export function describeReadError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'file not found';
  if (e.code === 'EISDIR') return 'is a directory, not a data file';
  if (e.code === 'EACCES') return 'permission denied';
  return getErrorMessage(error);
}
