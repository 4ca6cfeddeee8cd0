/**
 * Bounds on what a data file may ask of the readers: the length of one line and the number of
 * columns. A 100 MB line or a header of 10^6 columns once made the gate spend gigabytes and
 * minutes before any check ran; past these bounds a reader stops with an error naming the file,
 * the line and the setting that raises the bound (data.max_line_mb, data.max_columns).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { InputFileError } from '../errors.ts';

export interface ReaderLimits {
  /** Bytes in one physical line (between two '\n'). */
  maxLineBytes: number;
  /** Columns in the header (CSV) or keys in the first objects (JSON Lines). */
  maxColumns: number;
}

/** Above the widest data the readers are built for (a 224×224 RGB image per row: 150,528 columns). */
export const DEFAULT_LIMITS: ReaderLimits = { maxLineBytes: 64 * 1024 * 1024, maxColumns: 262_144 };

export const limitsFromConfig = (data: { max_line_mb?: number; max_columns?: number }): ReaderLimits => ({
  maxLineBytes: (data.max_line_mb ?? DEFAULT_LIMITS.maxLineBytes / 1024 / 1024) * 1024 * 1024,
  maxColumns: data.max_columns ?? DEFAULT_LIMITS.maxColumns,
});

const mib = (bytes: number) => (bytes < 1024 * 1024 ? `${bytes} bytes` : `${Math.round((bytes / 1024 / 1024) * 100) / 100} MiB`);

export function lineTooLong(path: string, line: number, limits: ReaderLimits): InputFileError {
  return new InputFileError(path, `line ${line} is longer than ${mib(limits.maxLineBytes)}: is this the right file? (raise data.max_line_mb if lines really are that long)`);
}

export function tooManyColumns(path: string, columns: number, limits: ReaderLimits): InputFileError {
  return new InputFileError(path, `${columns.toLocaleString('en')} columns, more than the ${limits.maxColumns.toLocaleString('en')} model-gate reads: is this the right file? (raise data.max_columns if it really is that wide)`);
}

/**
 * A pass-through for a file's bytes that fails (with lineTooLong) as soon as one line exceeds the
 * bound, before a parser has gathered it into one string.
 */
export function boundLines(path: string, limits: ReaderLimits): Transform {
  let run = 0; // bytes since the last '\n'
  let line = 1;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      let from = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
        if (run + (nl - from) > limits.maxLineBytes) return done(lineTooLong(path, line, limits));
        run = 0;
        line++;
        from = nl + 1;
      }
      run += chunk.length - from;
      if (run > limits.maxLineBytes) return done(lineTooLong(path, line, limits));
      done(null, chunk);
    },
  });
}
