/** Runs the model over every row once, in batches; several check families judge the result. */
import { feedsFor, type FeatureRows } from '../data/features.ts';
import type { DType, ModelRunner, NumberArray, Outputs, Tensor, TensorData } from '../runners/types.ts';
import { copyNumbers } from '../runners/types.ts';

type NumericData = Exclude<TensorData, string[]>;

export interface OutputColumn {
  name: string;
  dtype: DType;
  /** Values per row (the product of the dims after the first). */
  width: number;
  /**
   * Row-major values, batch after batch, exactly as the model returned them: kept, not copied
   * (string outputs are not kept). Read them through `numbersOf`.
   */
  chunks: NumericData[];
}

export interface Predictions {
  rows: number;
  outputs: OutputColumn[];
  batchSize: number;
}

/** Rows per call when running over a whole data set: large enough to amortise each call's overhead. */
export const PREDICTION_BATCH = 1024;

export async function predictAll(
  runner: ModelRunner,
  rows: FeatureRows,
  batchSize: number,
  onBatch?: (done: number, total: number) => void,
): Promise<Predictions> {
  const columns = new Map<string, OutputColumn>();
  for (let start = 0; start < rows.rows; start += batchSize) {
    const n = Math.min(batchSize, rows.rows - start);
    const out = await runner.infer(feedsFor(rows, start, n));
    for (const name in out) {
      const tensor = out[name]!;
      if (Array.isArray(tensor.data)) continue; // string outputs are not judged numerically
      const width = rowWidthOf(tensor, n, name);
      const column = columns.get(name);
      if (!column) {
        columns.set(name, { name, dtype: tensor.dtype, width, chunks: [tensor.data] });
      } else if (column.width !== width || column.dtype !== tensor.dtype) {
        throw new Error(`output "${name}" changed its shape or type between batches`);
      } else {
        column.chunks.push(tensor.data);
      }
    }
    onBatch?.(start + n, rows.rows);
  }
  return { rows: rows.rows, outputs: [...columns.values()], batchSize };
}

/** An output's values, rows × width, as plain numbers; 64-bit integers are converted (exact below 2^53). */
export function numbersOf(column: OutputColumn): NumberArray {
  const [first, ...rest] = column.chunks;
  if (first && rest.length === 0 && !(first instanceof BigInt64Array || first instanceof BigUint64Array)) return first;
  const out = new Float64Array(column.chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of column.chunks) {
    copyNumbers(chunk, out, at);
    at += chunk.length;
  }
  return out;
}

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
