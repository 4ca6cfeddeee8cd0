/**
 * Tensors as JSON, the Open Inference Protocol's way (`{name, datatype, shape, data}`, data flat
 * in row-major order). The HTTP protocols and the command runner's JSON Lines share it.
 *
 * JSON has no NaN or Infinity, but Python servers read and write the bare tokens `NaN`,
 * `Infinity` and `-Infinity` (Python's json module does): we write them so that the NaN and Inf
 * error scenarios reach the model, and read them back.
 */
import type { DType, Outputs, Tensor, TensorData } from './types.ts';
import { elementCount } from './types.ts';

const TO_V2: Record<DType, string> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  uint8: 'UINT8',
  int16: 'INT16',
  uint16: 'UINT16',
  int32: 'INT32',
  uint32: 'UINT32',
  int64: 'INT64',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};
const FROM_V2: Record<string, DType> = Object.fromEntries(Object.entries(TO_V2).map(([k, v]) => [v, k as DType]));

export const v2Datatype = (dtype: DType): string => TO_V2[dtype];
export const dtypeOfV2 = (datatype: string): DType | null => FROM_V2[datatype.toUpperCase()] ?? null;

export interface JsonTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

/** A number as JSON text, non-finite values as Python writes them. */
function numberText(x: number): string {
  if (Number.isFinite(x)) return String(x);
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** The tensor's values as a JSON array text: fast for large float arrays, NaN-preserving. */
export function dataText(data: TensorData): string {
  if (Array.isArray(data)) return JSON.stringify(data);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return `[${Array.from(data, (v) => v.toString()).join(',')}]`;
  const parts = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) parts[i] = numberText(data[i]!);
  return `[${parts.join(',')}]`;
}

/** The V2 request/response form of a tensor, as JSON text. */
export function tensorText(name: string, t: Tensor): string {
  return `{"name":${JSON.stringify(name)},"datatype":"${TO_V2[t.dtype]}","shape":${JSON.stringify(t.dims)},"data":${dataText(t.data)}}`;
}

/** Rows of a 2-D (or 1-D) tensor as nested arrays text, for the row-oriented protocols. */
export function rowsText(t: Tensor): string {
  const [n = 0, ...rest] = t.dims;
  const width = elementCount(rest);
  const flat = dataText(t.data);
  if (t.dims.length <= 1) return flat;
  const values = flat.slice(1, -1).split(',');
  const rows: string[] = [];
  for (let r = 0; r < n; r++) rows.push(`[${values.slice(r * width, (r + 1) * width).join(',')}]`);
  return `[${rows.join(',')}]`;
}

/**
 * JSON.parse that also takes Python's NaN / Infinity tokens outside strings (as null, 1e999 and
 * -1e999: null reads back as NaN in a numeric tensor, 1e999 parses as Infinity).
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    const fixed = text.replace(/"(?:[^"\\]|\\.)*"|-Infinity|Infinity|NaN/g, (m) =>
      m.startsWith('"') ? m : m === 'NaN' ? 'null' : m === 'Infinity' ? '1e999' : '-1e999',
    );
    return JSON.parse(fixed);
  }
}

const flatten = (v: unknown, out: unknown[]): unknown[] => {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(v);
  return out;
};

/** Infers [n, ...] from nested arrays (row-oriented answers carry no shape). */
export function shapeOf(v: unknown): number[] {
  const dims: number[] = [];
  let cur = v;
  while (Array.isArray(cur)) {
    dims.push(cur.length);
    cur = cur[0];
  }
  return dims;
}

export class TensorDecodeError extends Error {
  override readonly name = 'TensorDecodeError';
}

/** A tensor from JSON values: numbers (null = NaN), booleans, strings; dtype from the values when not given. */
export function tensorFromValues(name: string, values: unknown, shape: number[] | null, dtype: DType | null): Tensor {
  const flat = flatten(values, []);
  const dims = shape ?? shapeOf(values);
  if (elementCount(dims) !== flat.length) {
    throw new TensorDecodeError(`output "${name}": shape [${dims.join(', ')}] does not hold ${flat.length} values`);
  }
  const kind = dtype ?? (flat.some((x) => typeof x === 'string') ? 'string' : flat.every((x) => typeof x === 'boolean') && flat.length > 0 ? 'bool' : 'float64');
  if (kind === 'string') return { dtype: 'string', dims, data: flat.map((x) => String(x)) };
  if (kind === 'bool') return { dtype: 'bool', dims, data: Uint8Array.from(flat, (x) => (x ? 1 : 0)) };
  const numbers = new Float64Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const x = flat[i];
    if (typeof x === 'number') numbers[i] = x;
    else if (x === null) numbers[i] = Number.NaN;
    else if (typeof x === 'boolean') numbers[i] = x ? 1 : 0;
    else throw new TensorDecodeError(`output "${name}": ${JSON.stringify(x)} is not a number`);
  }
  switch (kind) {
    case 'float32':
      return { dtype: 'float32', dims, data: Float32Array.from(numbers) };
    case 'int32':
      return { dtype: 'int32', dims, data: Int32Array.from(numbers) };
    case 'int64':
      return { dtype: 'int64', dims, data: BigInt64Array.from(numbers, (x) => BigInt(Math.trunc(Number.isFinite(x) ? x : 0))) };
    default:
      return { dtype: kind === 'float64' ? 'float64' : kind, dims, data: numbers } as Tensor;
  }
}

/** A V2 response's `outputs` array. */
export function outputsFromV2(outputs: unknown): Outputs {
  if (!Array.isArray(outputs)) throw new TensorDecodeError('the answer has no "outputs" array');
  const result: Outputs = {};
  for (const o of outputs as JsonTensor[]) {
    if (typeof o?.name !== 'string' || !Array.isArray(o.shape)) throw new TensorDecodeError('an output lacks "name" or "shape"');
    const dtype = typeof o.datatype === 'string' ? dtypeOfV2(o.datatype) : null;
    result[o.name] = tensorFromValues(o.name, o.data, o.shape, dtype === 'float16' || dtype === 'uint64' || dtype === 'uint32' || dtype === 'int16' || dtype === 'uint16' || dtype === 'int8' || dtype === 'uint8' ? 'float64' : dtype);
  }
  return result;
}
