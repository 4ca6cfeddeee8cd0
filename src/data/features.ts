/**
 * Maps data set columns to model inputs and turns rows into feeds. Default: all non-label numeric
 * columns, in file order, as one 2-D input; configurable per input.
 */
import type { InputBindingConfig } from '../config/types.ts';
import { UsageError } from '../errors.ts';
import type { DType, Dim, Feeds, ModelSignature, Tensor, TensorData, TensorSpec } from '../runners/types.ts';
import { FLOAT_TYPES, INTEGER_TYPES, copyNumbers } from '../runners/types.ts';
import type { Dataset } from './dataset.ts';

export interface InputBinding {
  name: string;
  dtype: DType;
  /** Per-row shape after the batch dimension, e.g. [4] for [N, 4]; [] for a 1-D input. */
  rowShape: number[];
  /** Data set columns feeding it, or null when rows are generated. */
  columns: string[] | null;
}

/**
 * Rows for every input, row-major in the input's element type (converted once, so batches are
 * zero-copy views): binding i's values for row r at [r * width_i, (r+1) * width_i).
 */
export interface FeatureRows {
  bindings: InputBinding[];
  rows: number;
  typed: TensorData[];
  /** Where the rows came from, for the report. */
  source: string;
}

export function featureRows(bindings: InputBinding[], rows: number, values: Float64Array[], source: string): FeatureRows {
  return { bindings, rows, typed: bindings.map((b, i) => typedArray(b.dtype, values[i]!)), source };
}

/** Row r of binding i as plain numbers. */
export function rowValues(rows: FeatureRows, i: number, r: number): Float64Array {
  const width = rowWidth(rows.bindings[i]!);
  const src = (rows.typed[i] as NumericData).subarray(r * width, (r + 1) * width);
  const out = new Float64Array(width);
  copyNumbers(src, out, 0);
  return out;
}

export const rowWidth = (b: InputBinding): number => b.rowShape.reduce((a, d) => a * d, 1);

const SUPPORTED: ReadonlySet<DType> = new Set(['float32', 'float64', 'int32', 'int64']);

/** Bindings from the signature alone (for generated rows): every row dimension must be fixed. */
export function bindInputs(
  signature: ModelSignature,
  dataset: Dataset | null,
  config: Record<string, InputBindingConfig> | undefined,
  exclude: ReadonlySet<string>,
): InputBinding[] {
  const tensorInputs = signature.inputs.filter((i) => i.dtype !== null);
  if (tensorInputs.length !== signature.inputs.length) {
    throw new UsageError('the model has non-tensor inputs (sequences or maps), which model-gate cannot feed');
  }
  for (const name of Object.keys(config ?? {})) {
    if (!tensorInputs.some((i) => i.name === name)) {
      throw new UsageError(
        `model.inputs names "${name}", but the model's inputs are: ${tensorInputs.map((i) => i.name).join(', ')}`,
      );
    }
  }
  const numericColumns = dataset
    ? dataset.columns.filter((c) => c.kind === 'numeric' && !exclude.has(c.name)).map((c) => c.name)
    : null;
  return tensorInputs.map((spec) => {
    const cfg = config?.[spec.name];
    const dtype = (cfg?.dtype ?? spec.dtype) as DType;
    if (!SUPPORTED.has(dtype)) {
      throw new UsageError(`input "${spec.name}" is ${dtype}; model-gate feeds float32, float64, int32 or int64 inputs`);
    }
    let columns: string[] | null = null;
    if (cfg?.columns) columns = cfg.columns;
    else if (numericColumns && tensorInputs.length === 1) columns = numericColumns;
    else if (dataset && dataset.columns.some((c) => c.name === spec.name)) columns = [spec.name];
    else if (dataset) {
      throw new UsageError(
        `cannot tell which columns feed input "${spec.name}" of a model with ${tensorInputs.length} inputs; set model.inputs.${spec.name}.columns in the config`,
      );
    }
    if (columns && dataset) {
      for (const c of columns) {
        const col = dataset.columns.find((x) => x.name === c);
        if (!col) throw new UsageError(`input "${spec.name}": column "${c}" is not in ${dataset.path}`);
        if (col.kind !== 'numeric') throw new UsageError(`input "${spec.name}": column "${c}" in ${dataset.path} is not numeric`);
      }
    }
    return { name: spec.name, dtype, rowShape: rowShape(spec, columns?.length ?? null), columns };
  });
}

/** The per-row shape: fixed dims as declared, one symbolic dim solved from the column count. */
function rowShape(spec: TensorSpec, columnCount: number | null): number[] {
  const dims: Dim[] = spec.shape.length === 0 ? [null, columnCount ?? null] : spec.shape.slice(1);
  const fixed = dims.filter((d): d is number => typeof d === 'number');
  const open = dims.length - fixed.length;
  const fixedProduct = fixed.reduce((a, d) => a * d, 1);
  if (open === 0) {
    if (columnCount !== null && fixedProduct !== columnCount) {
      throw new UsageError(
        `input "${spec.name}" takes ${fixedProduct} values per row (shape ${formatShape(spec.shape)}), but ${columnCount} columns feed it`,
      );
    }
    return dims as number[];
  }
  if (open === 1 && columnCount !== null && columnCount % fixedProduct === 0) {
    return dims.map((d) => (typeof d === 'number' ? d : columnCount / fixedProduct));
  }
  throw new UsageError(
    columnCount === null
      ? `input "${spec.name}" has no fixed size per row (shape ${formatShape(spec.shape)}); give evaluation or reference data so model-gate knows what to feed`
      : `cannot fit ${columnCount} columns into input "${spec.name}" of shape ${formatShape(spec.shape)}`,
  );
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * Row-major feature values of a data set for each binding, written straight into the input's
 * element type (no intermediate copy: this is most of the memory a large eval set takes).
 * `keep` lists the rows to use (ascending); null uses all.
 */
export function featuresFromDataset(dataset: Dataset, bindings: InputBinding[], keep: Int32Array | null): FeatureRows {
  const rows = keep ? keep.length : dataset.rows;
  const typed = bindings.map((b) => {
    const cols = b.columns!.map((name) => dataset.columns.find((c) => c.name === name)!.values!);
    const width = cols.length;
    const out = allocate(b.dtype, rows * width);
    for (let j = 0; j < width; j++) {
      const col = cols[j]!;
      if (out instanceof BigInt64Array) {
        for (let r = 0; r < rows; r++) out[r * width + j] = BigInt(Math.round(col[keep ? keep[r]! : r]!));
      } else if (out instanceof Int32Array) {
        for (let r = 0; r < rows; r++) out[r * width + j] = Math.round(col[keep ? keep[r]! : r]!);
      } else {
        for (let r = 0; r < rows; r++) out[r * width + j] = col[keep ? keep[r]! : r]!;
      }
    }
    return out;
  });
  return { bindings, rows, typed, source: dataset.path };
}

function allocate(dtype: DType, n: number): Float32Array | Float64Array | Int32Array | BigInt64Array {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    default:
      throw new UsageError(`cannot build a ${dtype} tensor`);
  }
}

type NumericData = Exclude<TensorData, string[]>;

/** Feeds for rows [start, start + count), wrapping around when the rows run out. */
export function feedsFor(rows: FeatureRows, start: number, count: number): Feeds {
  const feeds: Feeds = {};
  const first = rows.rows === 0 ? 0 : start % rows.rows;
  rows.bindings.forEach((b, i) => {
    const width = rowWidth(b);
    const src = rows.typed[i] as NumericData;
    const dims = [count, ...b.rowShape];
    if (first + count <= rows.rows) {
      // The hot path: a view, no copy.
      feeds[b.name] = { dtype: b.dtype, dims, data: src.subarray(first * width, (first + count) * width) };
      return;
    }
    const flat = new (src.constructor as new (n: number) => NumericData)(count * width);
    for (let k = 0; k < count; k++) {
      const r = (first + k) % rows.rows;
      (flat as Float64Array).set(src.subarray(r * width, (r + 1) * width) as Float64Array, k * width);
    }
    feeds[b.name] = { dtype: b.dtype, dims, data: flat };
  });
  return feeds;
}

/** Float values in the given element type (rounded for integer types). */
export function typedArray(dtype: DType, values: ArrayLike<number>): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(values);
    case 'float64':
      return values instanceof Float64Array ? values : new Float64Array(values);
    case 'int32':
      return Int32Array.from(values, (v) => Math.round(v));
    case 'int64':
      return BigInt64Array.from(Array.from(values, (v) => BigInt(Number.isFinite(v) ? Math.round(v) : 0)));
    default:
      throw new UsageError(`cannot build a ${dtype} tensor`);
  }
}

export function tensorOf(dtype: DType, values: ArrayLike<number>, dims: number[]): Tensor {
  return { dtype, dims, data: typedArray(dtype, values) };
}

export const isFloat = (d: DType | null) => d !== null && FLOAT_TYPES.has(d);
export const isInteger = (d: DType | null) => d !== null && INTEGER_TYPES.has(d);
