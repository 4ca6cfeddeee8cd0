/** Runs the model over every row once, in batches; several check families judge the result. */
import { dataRowNumber, feedsFor, type FeatureRows } from '../data/features.ts';
import { answerBytesPerRow, bytesPerRow } from './batch-bytes.ts';
import { batchSymbol, outputBatchAxis, rowsFromBatchAxis } from '../data/layout.ts';
import type { DType, ModelRunner, ModelSignature, NumberArray, Outputs, Tensor, TensorData, TensorSpec, UnreadableOutput } from '../runners/types.ts';
import { copyNumbers } from '../runners/types.ts';

export type ClassLabel = number | string;

type NumericData = Exclude<TensorData, string[]>;

export interface OutputColumn {
  name: string;
  dtype: DType;
  /** Values per row (the product of the dims after the first). */
  width: number;
  /**
   * Row-major values, batch after batch, exactly as the model returned them: kept, not copied.
   * Numbers are read through `numbersOf`, text (dtype string: class labels) through `textOf`.
   */
  chunks: TensorData[];
  /** Class labels of the columns (or label values) as the model names them (a ZipMap's classlabels). */
  classes?: ClassLabel[];
  /** Set when the column stands for a non-tensor output (the probabilities a ZipMap zips). */
  source?: TensorSpec['source'];
  /** Made by a Softmax over each row (TensorSpec.softmax). */
  softmax?: true;
  /** Made by an elementwise Sigmoid (TensorSpec.sigmoid): independent probabilities. */
  sigmoid?: true;
}

export interface Predictions {
  rows: number;
  outputs: OutputColumn[];
  batchSize: number;
  /** Declared outputs the runner cannot return, with why and the fix. */
  unreadable?: UnreadableOutput[];
  /** The data file's rows these are (FeatureRows.kept), for naming rows in messages. */
  kept?: Int32Array;
}

/**
 * Rows per call when running over a whole data set: large enough to amortise each call's overhead
 * (the model runs in a child process, so every call crosses to it and back).
 */
export const PREDICTION_BATCH = 4096;

/**
 * The most one call's request plus answer may weigh when running over a data set (32 MiB): the
 * model's own working memory grows with the batch (an OCR model's activations are ten times its
 * answer), and larger batches buy no throughput once a call takes milliseconds.
 */
const PREDICTION_BYTES = 32 * 2 ** 20;

/** Rows of the first call, which measures what an answer weighs: few, since a row may weigh megabytes. */
const PROBE_ROWS = 8;

export async function predictAll(
  runner: ModelRunner,
  rows: FeatureRows,
  batchSize: number,
  onBatch?: (done: number, total: number) => void,
): Promise<Predictions> {
  const columns = new Map<string, OutputColumn>();
  const specs = new Map(runner.signature.outputs.map((o) => [o.name, o]));
  // A model fixed to a batch size gets exactly that many rows per call; a short last call is
  // filled up with rows from the start and the extra answers dropped.
  // Otherwise batches are capped in bytes (request and answer): the first call, small, measures
  // what a row's answer weighs, and the rest are sized from it.
  const requestBytes = bytesPerRow(rows);
  // Feature rows are built once and never changed: the model's process may read them by reference.
  await runner.pin?.(rows.typed);
  let step = rows.fixedBatch ?? Math.max(1, Math.min(batchSize, PROBE_ROWS, Math.floor(PREDICTION_BYTES / requestBytes)));
  for (let start = 0; start < rows.rows; ) {
    const n = Math.min(step, rows.rows - start);
    const sent = rows.fixedBatch ?? n;
    let answer: Outputs;
    try {
      answer = await runner.infer(feedsFor(rows, start, sent));
    } catch (error) {
      // Which rows the failing call held, as the data file numbers them: what a user reruns.
      if (error instanceof Error) error.message += ` (the call with rows ${dataRowNumber(rows.kept, start)}–${dataRowNumber(rows.kept, start + n - 1)} of ${rows.source})`;
      throw error;
    }
    if (start === 0 && !rows.fixedBatch) {
      step = Math.max(1, Math.min(batchSize, Math.floor(PREDICTION_BYTES / (requestBytes + answerBytesPerRow(answer, sent)))));
    }
    const out = perRowOutputs(runner.signature, answer, sent, n);
    for (const name in out) {
      const tensor = out[name]!;
      const width = rowWidthOf(tensor, n, name);
      const column = columns.get(name);
      const dtype: DType = Array.isArray(tensor.data) ? 'string' : tensor.dtype;
      if (!column) {
        const spec = specs.get(name);
        columns.set(name, {
          name,
          dtype,
          width,
          chunks: [preallocate(tensor.data, rows.rows * width)],
          ...(spec?.classes ? { classes: spec.classes } : {}),
          ...(spec?.source ? { source: spec.source } : {}),
          ...(spec?.softmax ? { softmax: true as const } : {}),
          ...(spec?.sigmoid ? { sigmoid: true as const } : {}),
        });
      } else if (column.width !== width || column.dtype !== dtype) {
        throw new Error(`output "${name}" changed its shape or type between batches`);
      } else if (Array.isArray(tensor.data)) {
        column.chunks.push(tensor.data);
      } else {
        (column.chunks[0] as unknown as { set(a: ArrayLike<unknown>, at: number): void }).set(tensor.data as ArrayLike<unknown>, start * width);
      }
    }
    start += n;
    onBatch?.(start, rows.rows);
  }
  for (const column of columns.values()) if (isText(column)) column.chunks = [(column.chunks as string[][]).flat()];
  if (columns.size === 0 && runner.signature.outputs.length > 0) {
    // Every output held one value per call: nothing per row for the checks to judge, never a pass.
    const shapes = runner.signature.outputs.map((o) => `"${o.name}" [${o.shape.map((d) => d ?? '?').join(', ')}]`).join(', ');
    throw new Error(`no output holds one answer per row: ${shapes} ${runner.signature.outputs.length === 1 ? 'is' : 'are'} one value per call whatever the batch`);
  }
  return { rows: rows.rows, outputs: [...columns.values()], batchSize, unreadable: runner.signature.unreadable ?? [], ...(rows.kept ? { kept: rows.kept } : {}) };
}

/**
 * One array per numeric output for every row, of the type the model answered in, filled batch by
 * batch: numbersOf then hands out that array instead of a float64 copy per call, and no batch is
 * kept twice (an OCR model's 256 answers are 270 MB as float32). Text is kept per batch.
 */
function preallocate(first: TensorData, length: number): TensorData {
  if (Array.isArray(first)) return first;
  const Type = first.constructor as new (n: number) => NumericData;
  const out = new Type(length);
  (out as unknown as { set(a: ArrayLike<unknown>, at: number): void }).set(first as ArrayLike<unknown>, 0);
  return out;
}

export const isText = (column: Pick<OutputColumn, 'dtype'>): boolean => column.dtype === 'string';

/** An output's values, rows × width, as plain numbers; 64-bit integers are converted (exact below 2^53). */
export function numbersOf(column: OutputColumn): NumberArray {
  if (isText(column)) throw new Error(`output "${column.name}" holds text, not numbers`);
  const chunks = column.chunks as NumericData[];
  const [first, ...rest] = chunks;
  if (first && rest.length === 0 && !(first instanceof BigInt64Array || first instanceof BigUint64Array)) return first;
  const out = new Float64Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    copyNumbers(chunk, out, at);
    at += chunk.length;
  }
  return out;
}

/**
 * A call's outputs with their rows first (an output such as a state `[2, batch, 128]` is
 * rearranged), the first `keep` rows of `sent`; outputs without a batch axis (per-call values)
 * are left out.
 */
export function perRowOutputs(signature: ModelSignature, outputs: Outputs, sent: number, keep: number): Outputs {
  const symbol = batchSymbol(signature.inputs);
  const out: Outputs = {};
  for (const name in outputs) {
    const t = outputs[name]!;
    const spec = signature.outputs.find((o) => o.name === name);
    const axis = outputBatchAxis(spec, t.dims, sent, symbol, signature.inputs);
    if (axis === null) {
      // Declared fixed and answered so: a per-call value, not a prediction per row. Anything else
      // without a batch axis is a wrong answer that rowWidthOf reports.
      const perCall = spec && spec.shape.length === t.dims.length && spec.shape.every((d, i) => d === t.dims[i]);
      if (!perCall) out[name] = t;
      continue;
    }
    const make = Array.isArray(t.data) ? (n: number) => new Array<string>(n) : (n: number) => new (t.data.constructor as new (n: number) => NumericData)(n);
    let data = rowsFromBatchAxis(t.data as NumericData, t.dims, axis, make as (n: number) => NumericData) as TensorData;
    const dims = [sent, ...t.dims.filter((_, i) => i !== axis)];
    if (keep < sent) {
      const width = dims.slice(1).reduce((a, d) => a * d, 1);
      data = Array.isArray(data) ? data.slice(0, keep * width) : (data as NumericData).subarray(0, keep * width);
      dims[0] = keep;
    }
    out[name] = { dtype: t.dtype, dims, data };
  }
  return out;
}

/** A text output's values (class labels), rows × width. */
export function textOf(column: OutputColumn): string[] {
  if (!isText(column)) throw new Error(`output "${column.name}" holds numbers, not text`);
  const chunks = column.chunks as string[][];
  return chunks.length === 1 ? chunks[0]! : chunks.flat();
}

/** An output's values as numbers or as text, whichever it holds (class labels may be either). */
export const valuesOf = (column: OutputColumn): ArrayLike<number> | string[] => (isText(column) ? textOf(column) : numbersOf(column));

/** Values per row of an output, checking that its first dimension is the batch. */
export function rowWidthOf(tensor: Tensor, batch: number, name: string): number {
  if (tensor.dims.length === 0 || tensor.dims[0] !== batch) {
    throw new Error(`output "${name}" has shape [${tensor.dims.join(', ')}]; expected the batch of ${batch} rows first`);
  }
  let width = 1;
  for (let i = 1; i < tensor.dims.length; i++) width *= tensor.dims[i]!;
  return width;
}

export function outputsShapeLine(outputs: Outputs): string {
  return Object.entries(outputs)
    .map(([k, t]) => `${k} ${t.dtype}[${t.dims.join(', ')}]`)
    .join(', ');
}
