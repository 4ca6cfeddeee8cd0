/** Reads a data set, choosing the reader from the file's extension (or an explicit format). */
import { extname } from 'node:path';
import { InputFileError } from '../errors.ts';
import { checkInputFile } from '../input-file.ts';
import { readCsv } from './csv.ts';
import type { DataFormat, Dataset } from './dataset.ts';
import { readJsonl } from './jsonl.ts';
import { DEFAULT_LIMITS, type ReaderLimits } from './limits.ts';
import { readNpz } from './npz.ts';
import { readParquet } from './parquet.ts';

const BY_EXTENSION: Record<string, DataFormat> = {
  '.csv': 'csv',
  '.txt': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.npz': 'npz',
};

export function formatOf(path: string): DataFormat {
  const format = BY_EXTENSION[extname(path).toLowerCase()];
  if (!format) {
    throw new InputFileError(path, `cannot tell the format from the extension; use .csv, .jsonl (or .ndjson), .parquet or .npz`);
  }
  return format;
}

export async function readDataset(path: string, limits: ReaderLimits = DEFAULT_LIMITS): Promise<Dataset> {
  const format = formatOf(path);
  await checkInputFile(path); // a regular file, never a device, FIFO or a link out of the workspace
  switch (format) {
    case 'csv':
      return readCsv(path, limits);
    case 'jsonl':
      return readJsonl(path, limits);
    case 'parquet':
      return readParquet(path);
    case 'npz':
      return readNpz(path);
  }
}
