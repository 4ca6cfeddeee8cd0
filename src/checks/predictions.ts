/** Runs the model over every row once, in batches; several check families judge the result. */
import { feedsFor, type FeatureRows } from '../data/features.ts';
import type { DType, ModelRunner, Outputs, Tensor } from '../runners/types.ts';
import { toNumbers } from '../runners/types.ts';
import { INFERENCE_TIMEOUT_MS, withTimeout } from './context.ts';

export interface OutputColumn {
  name: string;
  dtype: DType;
  /** Values per row (the product of the dims after the first). */
  width: number;
  /** Row-major values, rows × width, as numbers (string outputs are not kept). */
  values: Float64Array;
}

export interface Predictions {
  rows: number;
  outputs: OutputColumn[];
  batchSize: number;
}

export async function predictAll(
  runner: ModelRunner,
  rows: FeatureRows,
  batchSize: number,
  onBatch?: (done: number, total: number) => void,
): Promise<Predictions> {
  const chunks = new Map<string, { dtype: DType; width: number; parts: Float64Array[] }>();
  for (let start = 0; start < rows.rows; start += batchSize) {
    const n = Math.min(batchSize, rows.rows - start);
    const out = await withTimeout(runner.infer(feedsFor(rows, start, n)), INFERENCE_TIMEOUT_MS, 'inference');
    for (const [name, tensor] of Object.entries(out)) {
      const numbers = toNumbers(tensor);
      if (!numbers) continue;
      const width = rowWidthOf(tensor, n, name);
      const entry = chunks.get(name) ?? { dtype: tensor.dtype, width, parts: [] };
      entry.parts.push(numbers);
      chunks.set(name, entry);
    }
    onBatch?.(start + n, rows.rows);
  }
  const outputs: OutputColumn[] = [...chunks].map(([name, c]) => {
    const values = new Float64Array(c.parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of c.parts) {
      values.set(p, at);
      at += p.length;
    }
    return { name, dtype: c.dtype, width: c.width, values };
  });
  return { rows: rows.rows, outputs, batchSize };
}

/** Values per row of an output, checking that its first dimension is the batch. */
export function rowWidthOf(tensor: Tensor, batch: number, name: string): number {
  if (tensor.dims.length === 0 || tensor.dims[0] !== batch) {
    throw new Error(`output "${name}" has shape [${tensor.dims.join(', ')}]; expected the batch of ${batch} rows first`);
  }
  return tensor.dims.slice(1).reduce((a, d) => a * d, 1);
}

export function outputsShapeLine(outputs: Outputs): string {
  return Object.entries(outputs)
    .map(([k, t]) => `${k} ${t.dtype}[${t.dims.join(', ')}]`)
    .join(', ');
}
