/**
 * Where the batch sits in each input and output of a model, read from its signature: the dim
 * that carries the batch's symbolic name (so a state `[2, batch, 128]` has its batch on axis 1),
 * else the first; no batch for a declared scalar. Pure: signature in, layout out.
 */
import type { Dim, TensorSpec } from '../runners/types.ts';

/** The symbolic name most inputs give their first dim ("batch", "N"), or null when none do. */
export function batchSymbol(inputs: readonly TensorSpec[]): string | null {
  const counts = new Map<string, number>();
  for (const spec of inputs) {
    const first = spec.shape[0];
    if (typeof first === 'string') counts.set(first, (counts.get(first) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [name, n] of counts) if (best === null || n > counts.get(best)!) best = name;
  return best;
}

/**
 * An input's batch axis when the config does not say: the dim named like the batch, else the
 * first dim unless it is a fixed size above 1 with exactly one dynamic dim elsewhere (a state
 * `[2, ?, 128]` exported without dim names), and none for a scalar or for an input whose dims are
 * all fixed while other inputs take any batch (a constant table).
 */
export function inferBatchAxis(spec: TensorSpec, symbol: string | null, othersDynamic: boolean): number | null {
  const shape = spec.shape;
  if (shape.length === 0) return spec.scalar ? null : 0;
  if (symbol !== null) {
    const named = shape.indexOf(symbol);
    if (named >= 0) return named;
  }
  const first = shape[0];
  if (typeof first !== 'number' || first === 1) return 0;
  const open = openAxes(shape);
  if (open.length === 1) return open[0]!;
  if (open.length === 0 && othersDynamic) return null;
  return 0;
}

/** Axes whose size the model leaves open (symbolic or unknown). */
export function openAxes(shape: readonly Dim[]): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (typeof d !== 'number') out.push(i);
  });
  return out;
}

/**
 * The axis of an output that holds the call's rows, or null when it has none (a per-call value).
 * The declared symbol decides when there is one; then an output shaped like an input whose batch
 * is not first (a state out for a state in) takes that input's batch axis; otherwise the first
 * axis of that size, preferring an axis the model leaves open to one it fixes at a size that
 * happens to equal the batch (`[2, ?, 16]` answering a batch of 2).
 */
export function outputBatchAxis(
  spec: TensorSpec | undefined,
  dims: readonly number[],
  batch: number,
  symbol: string | null,
  inputs: readonly TensorSpec[] = [],
): number | null {
  const declared = spec && spec.shape.length === dims.length ? spec.shape : null;
  if (declared && symbol !== null) {
    const named = declared.indexOf(symbol);
    if (named >= 0 && dims[named] === batch) return named;
  }
  const likeInput = axisOfLikeInput(dims, batch, symbol, inputs);
  if (likeInput !== null && (!declared || typeof declared[likeInput] !== 'number')) return likeInput;
  let fixed: number | null = null;
  for (let a = 0; a < dims.length; a++) {
    if (dims[a] !== batch) continue;
    if (!declared || typeof declared[a] !== 'number') return a;
    fixed ??= a;
  }
  return fixed;
}

/**
 * The batch axis of the input an output mirrors: same rank, the input's fixed dims equal the
 * output's, and its batch (inferred, not first) of the call's size. Null when no input or more
 * than one axis fits.
 */
function axisOfLikeInput(dims: readonly number[], batch: number, symbol: string | null, inputs: readonly TensorSpec[]): number | null {
  const othersDynamic = inputs.some((i) => i.shape.length > 0 && typeof i.shape[0] !== 'number');
  const axes = new Set<number>();
  for (const input of inputs) {
    if (input.shape.length !== dims.length || dims.length < 2) continue;
    const axis = inferBatchAxis(input, symbol, othersDynamic);
    if (axis === null || axis === 0 || dims[axis] !== batch) continue;
    if (input.shape.every((d, i) => i === axis || typeof d !== 'number' || d === dims[i])) axes.add(axis);
  }
  return axes.size === 1 ? [...axes][0]! : null;
}

/**
 * Row-major rows `[count, ...rowShape]` rearranged so the batch sits at `axis` (a state input's
 * `[2, batch, 128]`); `move(…, axis 0)` is the identity and returns the input.
 */
export function moveBatchAxis<T extends { length: number; [i: number]: unknown }>(
  rows: T,
  count: number,
  rowShape: readonly number[],
  axis: number,
  make: (n: number) => T,
): T {
  if (axis === 0 || count <= 1) return rows;
  const outer = rowShape.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = rowShape.slice(axis).reduce((a, d) => a * d, 1);
  const width = outer * inner;
  const out = make(rows.length);
  for (let r = 0; r < count; r++) {
    for (let o = 0; o < outer; o++) {
      const src = r * width + o * inner;
      const dst = (o * count + r) * inner;
      for (let k = 0; k < inner; k++) out[dst + k] = rows[src + k];
    }
  }
  return out;
}

/** The inverse of moveBatchAxis: a tensor with its batch at `axis` as row-major rows. */
export function rowsFromBatchAxis<T extends { length: number; [i: number]: unknown }>(
  data: T,
  dims: readonly number[],
  axis: number,
  make: (n: number) => T,
): T {
  const count = dims[axis]!;
  if (axis === 0 || count <= 1) return data;
  const outer = dims.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = dims.slice(axis + 1).reduce((a, d) => a * d, 1);
  const width = outer * inner;
  const out = make(data.length);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < count; r++) {
      const src = (o * count + r) * inner;
      const dst = r * width + o * inner;
      for (let k = 0; k < inner; k++) out[dst + k] = data[src + k];
    }
  }
  return out;
}

/** A shape for people: symbolic dims by name, unknown ones as `?`. */
export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
