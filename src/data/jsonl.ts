/**
 * JSON Lines (one object per line) into a columnar Dataset, streamed line by line. Columns are
 * the keys of the first rows; a line that is not a JSON object is a malformed row. A key whose
 * values are lists of numbers (token ids, an image) becomes an array column.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputFileError } from '../errors.ts';
import { DatasetBuilder, INFERENCE_CELLS, cellWeight, type Cell } from './columns.ts';
import { describeReadError } from './csv.ts';
import type { Dataset } from './dataset.ts';
import { DEFAULT_LIMITS, boundLines, tooManyColumns, type ReaderLimits } from './limits.ts';

/** Keys are collected from this many leading objects (fewer when they hold many values) before columns are fixed. */
const KEY_ROWS = 1000;
const MIN_KEY_ROWS = 16;

export async function readJsonl(path: string, limits: ReaderLimits = DEFAULT_LIMITS): Promise<Dataset> {
  const pending: (Record<string, Cell> | string)[] = [];
  let builder: DatasetBuilder | null = null;
  let pendingCells = 0;
  let known = new Set<string>();
  const ignored = new Map<string, number>();
  let row = 0;

  const start = () => {
    const keys: string[] = [];
    const seen = new Set<string>();
    for (const item of pending) {
      if (typeof item === 'string') continue;
      for (const k of Object.keys(item)) {
        if (seen.has(k)) continue;
        seen.add(k);
        keys.push(k);
      }
    }
    if (keys.length > limits.maxColumns) throw tooManyColumns(path, keys.length, limits);
    builder = new DatasetBuilder(path, 'jsonl', keys);
    known = seen;
    for (const item of pending) add(builder, item);
    pending.length = 0;
  };
  const add = (b: DatasetBuilder, item: Record<string, Cell> | string) => {
    if (typeof item === 'string') return b.markMalformed(item);
    b.push(b.names.map((k) => item[k]));
    for (const k in item) if (!known.has(k) && !ignored.has(k)) ignored.set(k, row);
  };

  try {
    // Bounded in line length before readline gathers a line into one string.
    const raw = createReadStream(path);
    const input = boundLines(path, limits);
    raw.on('error', (error) => input.destroy(error));
    const lines = createInterface({ input: raw.pipe(input), crlfDelay: Infinity });
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '') continue;
      row++;
      const item = parseLine(line);
      if (builder) add(builder, item);
      else {
        pending.push(item);
        if (typeof item !== 'string') for (const k in item) pendingCells += cellWeight(item[k]);
        if (pending.length >= KEY_ROWS || (pending.length >= MIN_KEY_ROWS && pendingCells >= INFERENCE_CELLS)) start();
      }
    }
  } catch (error) {
    throw error instanceof InputFileError ? error : new InputFileError(path, describeReadError(error));
  }
  if (!builder) start();
  const b = builder as unknown as DatasetBuilder;
  if (b.names.length === 0) throw new InputFileError(path, row === 0 ? 'the file is empty' : 'no line holds a JSON object');
  for (const [key, at] of ignored) b.notes.push(`key "${key}" first appears in row ${at}, after the columns were fixed; ignored`);
  return b.finish();
}

function parseLine(line: string): Record<string, Cell> | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  return value as Record<string, Cell>;
}
