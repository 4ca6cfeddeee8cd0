/**
 * How data feeds a model's inputs, and rows turned into feeds. Each input is fed from numeric
 * columns (filling its dims after the batch, row-major), from one column of arrays, from text
 * columns (string inputs), from a constant, or from generated rows; its batch axis and the sizes
 * of its dynamic dims come from the signature, the config and the data, in that order.
 */
import type { InputBindingConfig, InputValue } from '../config/types.ts';
import { UsageError } from '../errors.ts';
import type { DType, Dim, Feeds, ModelSignature, Tensor, TensorData, TensorSpec } from '../runners/types.ts';
import { FLOAT_TYPES, INTEGER_TYPES, copyNumbers } from '../runners/types.ts';
import { column, describeColumns, type Column, type Dataset } from './dataset.ts';
import { MASK_NAME, TOKEN_TYPE_NAME, inputsSnippet, zeroByDefault, type InputNeed } from './input-hints.ts';
import { batchSymbol, formatShape, inferBatchAxis, moveBatchAxis, openAxes } from './layout.ts';

export { formatShape } from './layout.ts';

export type InputSource =
  | { kind: 'columns'; columns: string[] }
  /** `padMask`: rows of different lengths padded with 0 to the longest, where this mask input's 0s mark the padding. */
  | { kind: 'array'; column: string; padMask?: string }
  | { kind: 'constant'; values: number[] | string[] }
  | { kind: 'generated' };

export interface InputBinding {
  name: string;
  dtype: DType;
  /** The input's dims without the batch axis, all sized: [4] for [N, 4], [] for [N]. */
  rowShape: number[];
  /** Where the batch goes in the dims; null for an input without one, fed whole to every call. */
  batchAxis: number | null;
  /** The dims as the model declares them, for the report. */
  declared: Dim[];
  source: InputSource;
  /** Data set columns feeding it, or null when it is a constant or generated. */
  columns: string[] | null;
  /** The rows of the table an integer input indexes (an embedding): generated ids stay below it. */
  ids?: number;
}

/**
 * Rows for every input, row-major in the input's element type (converted once, so batches are
 * zero-copy views): binding i's values for row r at [r * width_i, (r+1) * width_i). A constant
 * holds one row (or, with no batch axis, the whole tensor).
 */
export interface FeatureRows {
  bindings: InputBinding[];
  rows: number;
  typed: TensorData[];
  /** Where the rows came from, for the report. */
  source: string;
  /** The batch size the model is fixed to (e.g. 1), or null when it takes any. */
  fixedBatch: number | null;
  /** The data file's rows (0-based) these rows are, when bad rows were left out; absent: row r is row r. */
  kept?: Int32Array;
}

/** Row r as the data file numbers it (1 = the first row after the header), bad rows left out counted. */
export const dataRowNumber = (kept: Int32Array | undefined, r: number): number => (kept ? kept[r]! : r) + 1;

export const rowWidth = (b: InputBinding): number => b.rowShape.reduce((a, d) => a * d, 1);

/** Inputs whose values differ per row (fed from data or generated), in signature order. */
export const dataBindings = (rows: FeatureRows): InputBinding[] => rows.bindings.filter((b) => b.source.kind !== 'constant');

export function featureRows(bindings: InputBinding[], rows: number, values: (Float64Array | string[])[], source: string): FeatureRows {
  return {
    bindings,
    rows,
    typed: bindings.map((b, i) => (b.source.kind === 'constant' ? constantData(b) : typedArray(b.dtype, values[i]!))),
    source,
    fixedBatch: fixedBatchOf(bindings),
  };
}

/** Row r of binding i as plain numbers. */
export function rowValues(rows: FeatureRows, i: number, r: number): Float64Array {
  const b = rows.bindings[i]!;
  const width = rowWidth(b);
  const at = b.source.kind === 'constant' ? 0 : r;
  const data = rows.typed[i]!;
  const out = new Float64Array(width);
  if (Array.isArray(data)) return out.fill(Number.NaN);
  copyNumbers(data.subarray(at * width, (at + 1) * width), out, 0);
  return out;
}

const NUMERIC: ReadonlySet<DType> = new Set(['float32', 'float64', ...INTEGER_TYPES, 'bool']);

/** Thrown when an input cannot be fed; carries a config snippet that would feed the model. */
export class BindingError extends UsageError {
  readonly snippet: string;
  constructor(message: string, snippet: string) {
    super(message);
    this.snippet = snippet;
  }
}

interface Planned {
  spec: TensorSpec;
  cfg: InputBindingConfig | undefined;
  batchAxis: number | null;
  source: InputSource | null;
  /** The source is the data's remaining columns, not named by the config or the input's name. */
  guessed?: boolean;
}

/**
 * Bindings for every input. `dataset` is the data rows come from (null: rows are generated);
 * `exclude` names columns that are not features (label, weight, id).
 */
export function bindInputs(
  signature: ModelSignature,
  dataset: Dataset | null,
  config: Record<string, InputBindingConfig> | undefined,
  exclude: ReadonlySet<string>,
): InputBinding[] {
  const inputs = signature.inputs;
  const nonTensor = inputs.filter((i) => i.dtype === null);
  if (nonTensor.length > 0) {
    throw new UsageError(
      `input${nonTensor.length === 1 ? '' : 's'} ${nonTensor.map((i) => `"${i.name}"`).join(', ')} ${nonTensor.length === 1 ? 'is a sequence or map' : 'are sequences or maps'}, which model-gate cannot feed: export the model with tensor inputs`,
    );
  }
  for (const name of Object.keys(config ?? {})) {
    if (!inputs.some((i) => i.name === name)) {
      throw new UsageError(`model.inputs names "${name}", but the model's inputs are: ${inputs.map((i) => i.name).join(', ')}`);
    }
  }
  const symbol = batchSymbol(inputs);
  const anyDynamicFirst = inputs.some((i) => i.shape.length > 0 && typeof i.shape[0] !== 'number');
  const planned: Planned[] = inputs.map((spec) => {
    const cfg = config?.[spec.name];
    const batchAxis = cfg && 'batch_axis' in cfg ? (cfg.batch_axis ?? null) : inferBatchAxis(spec, symbol, anyDynamicFirst);
    if (batchAxis !== null && spec.shape.length > 0 && batchAxis >= spec.shape.length) {
      throw new UsageError(`model.inputs.${spec.name}.batch_axis is ${batchAxis}, but the input has ${spec.shape.length} dims ${formatShape(spec.shape)}`);
    }
    return { spec, cfg, batchAxis, source: null };
  });

  // Sources: a constant, named columns, a column named like the input, then the remaining
  // feature columns for the one input left to feed.
  const claimed = new Set<string>();
  for (const p of planned) {
    const { spec, cfg } = p;
    if (cfg?.value !== undefined) p.source = { kind: 'constant', values: flatValues(cfg.value, spec.name) };
    else if (cfg?.columns) p.source = columnsSource(cfg.columns);
    else if (dataset && column(dataset, spec.name) && !exclude.has(spec.name)) p.source = columnsSource([spec.name]);
    if (p.source?.kind === 'columns') p.source.columns.forEach((c) => claimed.add(c));
    if (p.source?.kind === 'array') claimed.add(p.source.column);
  }
  const open = planned.filter((p) => p.source === null && p.batchAxis !== null);
  if (dataset && open.length === 1) {
    const wantsText = (open[0]!.cfg?.dtype ?? open[0]!.spec.dtype) === 'string';
    const unclaimed = dataset.columns.filter((c) => !exclude.has(c.name) && !claimed.has(c.name));
    const rest = unclaimed.filter((c) => (wantsText ? c.kind === 'text' : c.kind === 'numeric'));
    // Without scalar columns, the one array column left (an .npz's `X`, an image column) is the input.
    const arrays = wantsText ? [] : unclaimed.filter((c) => c.kind === 'array');
    const fed = rest.length > 0 ? rest : arrays.length === 1 ? arrays : [];
    if (fed.length > 0) {
      open[0]!.source = { kind: 'columns', columns: fed.map((c) => c.name) };
      open[0]!.guessed = true;
    }
  }
  if (!dataset) for (const p of open) p.source = { kind: 'generated' };

  // With the sources known, every dim gets its size; what cannot be fed is said all at once.
  const needs: InputNeed[] = [];
  const bindings: InputBinding[] = [];
  for (const p of planned) {
    const problem = (reason: string, need: InputNeed['need']) => needs.push({ spec: p.spec, batchAxis: p.batchAxis, reason, need });
    const dtype = (p.cfg?.dtype ?? p.spec.dtype) as DType;
    if (dtype === 'float16') {
      problem(`input "${p.spec.name}" is float16, which model-gate cannot send yet: export the model with float32 inputs`, 'unsupported');
      continue;
    }
    if (!p.source) {
      if (p.batchAxis === null) problem(noBatch(p), 'value');
      else problem(cannotTell(p, inputs.length), 'columns');
      continue;
    }
    if (p.batchAxis === null && p.source.kind !== 'constant') {
      problem(noBatch(p), 'value');
      continue;
    }
    if (p.source.kind === 'constant' && dtype !== 'string' && typeof p.source.values[0] === 'string') {
      problem(`input "${p.spec.name}": model.inputs.${p.spec.name}.value holds text, but the input is ${dtype}`, 'value');
      continue;
    }
    if (p.source.kind === 'generated' && dtype === 'string') {
      problem(`input "${p.spec.name}" takes text, which model-gate cannot make up: give evaluation data (data.eval) with a text column`, 'data');
      continue;
    }
    const known = knownSize(p, dataset, planned);
    if (typeof known === 'string') {
      // Ragged arrays: the hint gives the sizes (`shape`), not columns, which are already found.
      problem(`input "${p.spec.name}": ${known}`, p.source.kind === 'array' ? 'shape' : 'columns');
      continue;
    }
    const shape = rowShapeOf(p, known);
    if (typeof shape === 'string' && p.guessed && inputs.length > 1) {
      problem(cannotTell(p, inputs.length), 'columns');
      continue;
    }
    if (typeof shape === 'string') {
      const fromData = p.source.kind === 'columns' || p.source.kind === 'array';
      const orData = p.source.kind === 'generated' && openAxes(p.spec.shape).filter((a) => a !== p.batchAxis).length === 1;
      problem(
        fromData ? shape : `${shape}: set model.inputs.${p.spec.name}.shape${orData ? ', or give evaluation or reference data (data.eval, data.reference) whose columns feed it' : ''}`,
        fromData ? 'columns' : 'shape',
      );
      continue;
    }
    const columns = p.source.kind === 'columns' ? p.source.columns : p.source.kind === 'array' ? [p.source.column] : null;
    bindings.push({ name: p.spec.name, dtype, rowShape: shape, batchAxis: p.batchAxis, declared: p.spec.shape, source: p.source, columns, ...(p.spec.ids ? { ids: p.spec.ids } : {}) });
  }
  if (needs.length > 0) {
    if (dataset) restAfterSnippet(needs, planned, dataset, exclude, claimed);
    const shown = needs.filter((n) => n.need !== 'rest');
    const rest = needs.find((n) => n.need === 'rest');
    const first = shown[0]!;
    const more = shown.length > 1 ? ` (and ${shown.length - 1} more input${shown.length > 2 ? 's' : ''}: ${shown.slice(1).map((n) => `"${n.spec.name}"`).join(', ')})` : '';
    const then = rest ? `; then "${rest.spec.name}" takes the remaining ${rest.columns!.length} columns` : '';
    throw new BindingError(`${first.reason}${more}${then}`, inputsSnippet(needs, symbol));
  }
  fixedBatchOf(bindings);
  if (dataset) checkSources(bindings, dataset);
  return bindings;
}

const columnsSource = (columns: string[]): InputSource => ({ kind: 'columns', columns });

/**
 * Once the snippet's constants are pasted (a sample rate, a zero state), the one input still
 * asking for columns takes the data's remaining ones, as it would with a single input: say so
 * instead of asking the user to list every column by hand.
 */
function restAfterSnippet(needs: InputNeed[], planned: Planned[], dataset: Dataset, exclude: ReadonlySet<string>, claimed: ReadonlySet<string>): void {
  const willBeConstant = (n: InputNeed) => n.need === 'value' || (n.need === 'columns' && zeroByDefault(n.spec.name));
  const asking = needs.filter((n) => n.need === 'columns' && !willBeConstant(n));
  if (asking.length !== 1) return;
  const p = planned.find((q) => q.spec === asking[0]!.spec)!;
  // Only an input nothing named (no columns in the config), when every other open input gets a value.
  if (p.cfg?.columns || (p.source && !p.guessed)) return;
  if (planned.some((q) => q !== p && q.batchAxis !== null && (q.source === null || q.guessed) && !needs.some((n) => n.spec === q.spec && willBeConstant(n)))) return;
  const wantsText = (p.cfg?.dtype ?? p.spec.dtype) === 'string';
  const rest = dataset.columns.filter((c) => !exclude.has(c.name) && !claimed.has(c.name) && (wantsText ? c.kind === 'text' : c.kind === 'numeric')).map((c) => c.name);
  if (rest.length === 0 || typeof rowShapeOf({ ...p, source: columnsSource(rest) }, rest.length) === 'string') return;
  asking[0]!.need = 'rest';
  asking[0]!.columns = rest;
}

const cannotTell = (p: Planned, inputs: number) =>
  TOKEN_TYPE_NAME.test(p.spec.name)
    ? `no column feeds input "${p.spec.name}" of a model with ${inputs} inputs; for text of one segment its values are all 0: set model.inputs.${p.spec.name}.value: 0 (with .shape giving the sequence length of the other inputs), or .columns naming the column that holds them`
    : `cannot tell which columns feed input "${p.spec.name}" of a model with ${inputs} inputs; set model.inputs.${p.spec.name}.columns in the config (or .value for a constant)`;

const noBatch = (p: Planned) =>
  `input "${p.spec.name}" ${formatShape(p.spec.shape)} has no batch dimension${p.spec.scalar ? ' (a scalar)' : ''}, so data cannot feed it: set model.inputs.${p.spec.name}.value`;

/** The values a data source gives per row: a column count, an array column's common shape. */
function knownSize(p: Planned, dataset: Dataset | null, planned: readonly Planned[]): number | number[] | null | string {
  const source = p.source!;
  if (source.kind === 'constant') return constantShape(p.cfg!.value!);
  if (source.kind !== 'columns' || !dataset) return null;
  if (source.columns.length === 1) {
    const col = column(dataset, source.columns[0]!);
    const arrays = col ? arrayOf(col) : null;
    if (col && arrays) {
      p.source = { kind: 'array', column: col.name };
      if (arrays.shape) return arrays.shape;
      // Rows of different lengths: the declared (or configured) sizes decide, and rows of any
      // other length are bad rows; with nothing to decide by, the data must be padded.
      const rest = p.cfg?.shape ?? (p.batchAxis === null ? p.spec.shape : p.spec.shape.filter((_, i) => i !== p.batchAxis));
      if (rest.every((d) => typeof d === 'number')) return null;
      const [shortest, longest] = lengthRange(arrays.offsets);
      // Token ids with an attention mask of the same length on every row: padded with 0 to the
      // longest, the mask's 0s marking the padding, as a tokenizer pads a batch. A model that
      // honours its mask answers as it does on each row alone.
      const mask = rest.length === 1 ? maskOf(planned, dataset, arrays.offsets) : null;
      if (mask) {
        p.source = { kind: 'array', column: col.name, padMask: mask };
        return [longest];
      }
      return `column "${col.name}" of ${dataset.path} holds arrays of different lengths (${shortest} to ${longest} values) and the input's dims are dynamic, so no batch can hold them: pad every row to one length in the data, or set model.inputs.${p.spec.name}.shape to keep only the rows of that length (the others are bad rows); token ids are padded by model-gate only beside an input named like a mask whose arrays have the same lengths`;
    }
  }
  return source.columns.length;
}

/**
 * The per-row shape: fixed dims as declared; open dims from `shape` in the config, else solved
 * from what feeds the input (a column count fills one open dim; an array's or a constant's own
 * shape fills them all).
 */
function rowShapeOf(p: Planned, known: number | number[] | null): number[] | string {
  const { spec, cfg, batchAxis } = p;
  let dims: Dim[];
  if (spec.shape.length === 0 && !spec.scalar) {
    // No declared shape (a served model that does not say): one value per column after the batch.
    dims = batchAxis === null ? [] : [null];
  } else dims = batchAxis === null ? spec.shape.slice() : spec.shape.filter((_, i) => i !== batchAxis);
  const where = `input "${spec.name}" ${formatShape(spec.shape)}`;
  if (cfg?.shape) {
    if (cfg.shape.length !== dims.length) {
      return `${where}: model.inputs.${spec.name}.shape has ${cfg.shape.length} dims; it takes ${dims.length} (the dims ${batchAxis === null ? 'of the input' : 'after the batch'})`;
    }
    const clash = dims.findIndex((d, i) => typeof d === 'number' && d !== cfg.shape![i]);
    if (clash >= 0) return `${where}: model.inputs.${spec.name}.shape gives ${cfg.shape[clash]} where the model fixes ${dims[clash]}`;
    dims = cfg.shape.slice();
  }
  const fixed = dims.filter((d): d is number => typeof d === 'number');
  const product = fixed.reduce((a, d) => a * d, 1);
  const openCount = dims.length - fixed.length;
  if (Array.isArray(known)) {
    const total = known.reduce((a, d) => a * d, 1);
    if (openCount === 0) {
      if (known.length > 0 && total !== product) return `${where} takes ${product} values per row; ${describeKnown(p, known)} has ${total}`;
      return dims as number[];
    }
    // An array with exactly the open dims' rank fills them in order; a flat one fills one open dim.
    if (known.length === dims.length && known.every((d, i) => typeof dims[i] !== 'number' || dims[i] === d)) return known.slice();
    if (openCount === 1 && total % product === 0 && total > 0) return dims.map((d) => (typeof d === 'number' ? d : total / product));
    if (p.source?.kind === 'constant' && known.length === 0) {
      return `${where} has dynamic dims; a scalar value needs model.inputs.${spec.name}.shape to say how many values`;
    }
    return `${where}: cannot fit ${describeKnown(p, known)} (${total} values) into it`;
  }
  if (openCount === 0) {
    if (known !== null && product !== known) {
      return `${where} takes ${product} values per row, but ${known} columns feed it`;
    }
    return dims as number[];
  }
  if (known === null) {
    const dynamic = openAxes(spec.shape).filter((a) => a !== batchAxis);
    return `${where} has dynamic dims (${dynamic.map((a) => `axis ${a}`).join(', ')}) and nothing says their size`;
  }
  if (openCount === 1 && known % product === 0 && known > 0) return dims.map((d) => (typeof d === 'number' ? d : known / product));
  return `cannot fit ${known} columns into ${where}${openCount > 1 ? `: it has ${openCount} dynamic dims after the batch, so give model.inputs.${spec.name}.shape` : ''}`;
}

const describeKnown = (p: Planned, known: number[]) =>
  p.source?.kind === 'constant' ? `model.inputs.${p.spec.name}.value (shape ${formatShape(known)})` : `the arrays in column "${(p.source as { column: string }).column}" (shape ${formatShape(known)})`;

/** The nested shape of a constant: [] for a scalar; throws on a ragged array. */
function constantShape(value: InputValue): number[] {
  if (!Array.isArray(value)) return [];
  const inner = value.map(constantShape);
  const first = inner[0] ?? [];
  if (!inner.every((s) => s.length === first.length && s.every((d, i) => d === first[i]))) {
    throw new UsageError('a model.inputs value is a ragged array: every row of a nested array needs the same length');
  }
  return [value.length, ...first];
}

function flatValues(value: InputValue, name: string): number[] | string[] {
  const flat = Array.isArray(value) ? ((value as unknown[]).flat(Infinity) as (number | boolean | string)[]) : [value];
  if (flat.every((v) => typeof v === 'string')) return flat as string[];
  if (flat.some((v) => typeof v === 'string')) throw new UsageError(`model.inputs.${name}.value mixes text and numbers`);
  return flat.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : (v as number)));
}

/** Columns exist and have the kind the input needs; arrays have the length the input takes. */
function checkSources(bindings: InputBinding[], dataset: Dataset): void {
  for (const b of bindings) {
    if (!b.columns) continue;
    for (const c of b.columns) {
      const col = column(dataset, c);
      if (!col) throw new UsageError(`input "${b.name}": column "${c}" is not in ${dataset.path}`);
      if (b.source.kind === 'array') continue;
      if (b.dtype === 'string' ? col.kind !== 'text' && col.kind !== 'numeric' : col.kind !== 'numeric') {
        throw new UsageError(`input "${b.name}": column "${c}" in ${dataset.path} is not numeric${col.kind === 'text' ? ' (it holds text)' : ''}`);
      }
    }
    if (b.source.kind === 'columns' && b.dtype !== 'string' && b.columns.length !== rowWidth(b)) {
      throw new UsageError(`input "${b.name}" takes ${rowWidth(b)} values per row, but ${b.columns.length} columns feed it`);
    }
  }
}

/** The batch size the model fixes (the declared size of a batch axis), or null when it takes any. */
function fixedBatchOf(bindings: InputBinding[]): number | null {
  let fixed: number | null = null;
  for (const b of bindings) {
    if (b.batchAxis === null) continue;
    const d = b.declared[b.batchAxis];
    if (typeof d !== 'number') continue;
    if (fixed !== null && fixed !== d) {
      throw new UsageError(`the inputs fix different batch sizes (${fixed} and ${d} for "${b.name}"); set model.inputs.<name>.batch_axis`);
    }
    fixed = d;
  }
  return fixed;
}

/** An array column's cells, if the column holds arrays (JSON Lines, Parquet lists). */
const arrayOf = (col: Column) => (col.kind === 'array' && col.array ? col.array : null);

/**
 * The input named like a mask (`attention_mask`) fed by an array column whose every row has the
 * length `offsets` gives, or null: the rows can then be padded, the mask saying where.
 */
function maskOf(planned: readonly Planned[], dataset: Dataset, offsets: Int32Array): string | null {
  for (const q of planned) {
    if (!MASK_NAME.test(q.spec.name) || !q.source) continue;
    const name = q.source.kind === 'array' ? q.source.column : q.source.kind === 'columns' && q.source.columns.length === 1 ? q.source.columns[0]! : null;
    const col = name === null ? undefined : column(dataset, name);
    const theirs = col ? arrayOf(col)?.offsets : undefined;
    if (!theirs || theirs.length !== offsets.length) continue;
    let same = true;
    for (let r = 0; r < offsets.length && same; r++) same = theirs[r] === offsets[r];
    if (same) return q.spec.name;
  }
  return null;
}

/** The shortest and longest non-empty row of an array column (empty cells are missing values). */
function lengthRange(offsets: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = 0;
  for (let r = 0; r + 1 < offsets.length; r++) {
    const n = offsets[r + 1]! - offsets[r]!;
    if (n === 0) continue;
    lo = Math.min(lo, n);
    hi = Math.max(hi, n);
  }
  return [lo === Infinity ? 0 : lo, hi];
}

/**
 * Row-major feature values of a data set for each binding, written straight into the input's
 * element type (no intermediate copy: this is most of the memory a large eval set takes).
 * `keep` lists the rows to use (ascending); null uses all.
 */
export function featuresFromDataset(dataset: Dataset, bindings: InputBinding[], keep: Int32Array | null): FeatureRows {
  return { ...featuresFromDatasetRows(dataset, bindings, keep), ...(keep ? { kept: keep } : {}) };
}

function featuresFromDatasetRows(dataset: Dataset, bindings: InputBinding[], keep: Int32Array | null): FeatureRows {
  const rows = keep ? keep.length : dataset.rows;
  const at = (r: number) => (keep ? keep[r]! : r);
  const typed = bindings.map((b): TensorData => {
    if (b.source.kind === 'constant') return constantData(b);
    const width = rowWidth(b);
    if (b.source.kind === 'array') {
      const array = arrayOf(column(dataset, b.source.column)!)!;
      const out = allocate(b.dtype, rows * width) as Exclude<TensorData, string[]>;
      const flat = new Float64Array(rows * width);
      for (let r = 0; r < rows; r++) {
        const from = array.offsets[at(r)]!;
        const to = array.offsets[at(r) + 1]!;
        // A row of another length is a bad row and was dropped (a padded input's shorter rows end
        // in zeros); a missing one is NaN.
        if (to - from === width || (b.source.padMask && to > from && to - from < width)) flat.set(array.values.subarray(from, to), r * width);
        else flat.fill(Number.NaN, r * width, (r + 1) * width);
      }
      writeNumbers(out, flat);
      return out;
    }
    const cols = b.columns!.map((name) => column(dataset, name)!);
    if (b.dtype === 'string') {
      const out: string[] = new Array<string>(rows * width);
      cols.forEach((col, j) => {
        for (let r = 0; r < rows; r++) out[r * width + j] = col.text ? col.text[at(r)]! : String(col.values![at(r)]);
      });
      return out;
    }
    const out = allocate(b.dtype, rows * width) as Exclude<TensorData, string[]>;
    const values = cols.map((c) => c.values!);
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
      for (let j = 0; j < width; j++) {
        const col = values[j]!;
        for (let r = 0; r < rows; r++) {
          const v = col[at(r)]!;
          out[r * width + j] = BigInt(Number.isFinite(v) ? Math.round(v) : 0);
        }
      }
    } else if (isInteger(b.dtype) || b.dtype === 'bool') {
      for (let j = 0; j < width; j++) {
        const col = values[j]!;
        for (let r = 0; r < rows; r++) out[r * width + j] = Math.round(col[at(r)]!);
      }
    } else transpose(values, keep, out as Float32Array | Float64Array, rows, width);
    return out;
  });
  return { bindings, rows, typed, source: dataset.path, fixedBatch: fixedBatchOf(bindings) };
}

/**
 * Columns into row-major floats, a block of rows at a time: column by column over all rows, each
 * pass wrote across the whole output (120 MB for a million rows × 30), a cache miss per value.
 */
function transpose(cols: readonly Float64Array[], keep: Int32Array | null, out: Float32Array | Float64Array, rows: number, width: number): void {
  const BLOCK = 2048;
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(rows, r0 + BLOCK);
    for (let j = 0; j < width; j++) {
      const col = cols[j]!;
      if (keep) for (let r = r0; r < r1; r++) out[r * width + j] = col[keep[r]!]!;
      else for (let r = r0; r < r1; r++) out[r * width + j] = col[r]!;
    }
  }
}

function allocate(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
    case 'string':
      return new Array<string>(n).fill('');
    default:
      throw new UsageError(`cannot build a ${dtype} tensor`);
  }
}

/** Doubles written into a typed array of any numeric element type (integers rounded, NaN -> 0). */
function writeNumbers(out: Exclude<TensorData, string[]>, values: ArrayLike<number>): void {
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      out[i] = BigInt(Number.isFinite(v) ? Math.round(v) : 0);
    }
  } else if (out instanceof Float32Array || out instanceof Float64Array) out.set(values);
  else for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]!);
}

/** A constant's data: one row (broadcast from a scalar), or the whole tensor without a batch axis. */
function constantData(b: InputBinding): TensorData {
  const values = (b.source as Extract<InputSource, { kind: 'constant' }>).values;
  const width = rowWidth(b);
  if (values.length !== 1 && values.length !== width) {
    throw new UsageError(`model.inputs.${b.name}.value has ${values.length} values; the input takes ${width}${b.batchAxis === null ? '' : ' per row'}`);
  }
  if (typeof values[0] === 'string') return Array.from({ length: width }, (_, i) => (values as string[])[values.length === 1 ? 0 : i]!);
  const out = allocate(b.dtype, width) as Exclude<TensorData, string[]>;
  const nums = values as number[];
  writeNumbers(out, values.length === 1 ? new Float64Array(width).fill(nums[0]!) : nums);
  return out;
}

type NumericData = Exclude<TensorData, string[]>;

const sliceData = (src: TensorData, from: number, to: number): TensorData =>
  Array.isArray(src) ? src.slice(from, to) : (src as NumericData).subarray(from, to);

function makeLike(src: TensorData): (n: number) => TensorData {
  if (Array.isArray(src)) return (n) => new Array<string>(n);
  return (n) => new (src.constructor as new (n: number) => NumericData)(n);
}

/** Feeds for rows [start, start + count), wrapping around when the rows run out. */
export function feedsFor(rows: FeatureRows, start: number, count: number): Feeds {
  const feeds: Feeds = {};
  const first = rows.rows === 0 ? 0 : start % rows.rows;
  rows.bindings.forEach((b, i) => {
    const src = rows.typed[i]!;
    if (b.batchAxis === null) {
      feeds[b.name] = { dtype: b.dtype, dims: b.rowShape, data: src };
      return;
    }
    const width = rowWidth(b);
    let data: TensorData;
    if (b.source.kind === 'constant') {
      data = makeLike(src)(count * width);
      for (let k = 0; k < count; k++) copyInto(data, src, k * width);
    } else if (first + count <= rows.rows) {
      // The hot path: a view, no copy.
      data = sliceData(src, first * width, (first + count) * width);
    } else {
      data = makeLike(src)(count * width);
      for (let k = 0; k < count; k++) {
        const r = (first + k) % rows.rows;
        copyInto(data, sliceData(src, r * width, (r + 1) * width), k * width);
      }
    }
    const dims = [...b.rowShape.slice(0, b.batchAxis), count, ...b.rowShape.slice(b.batchAxis)];
    feeds[b.name] = { dtype: b.dtype, dims, data: moveBatchAxis(data as NumericData, count, b.rowShape, b.batchAxis, makeLike(src) as (n: number) => NumericData) };
  });
  return feeds;
}

function copyInto(dst: TensorData, src: TensorData, at: number): void {
  if (Array.isArray(dst)) for (let k = 0; k < src.length; k++) dst[at + k] = (src as string[])[k]!;
  else (dst as Float64Array).set(src as Float64Array, at);
}

/** The values an array column's row must hold: exactly, or up to (rows padded with 0 to that length). */
export type ArrayWidth = number | { upTo: number };

/** Array columns and the values per row the input each feeds takes: other lengths are bad rows. */
export function arrayWidths(bindings: readonly InputBinding[]): Map<string, ArrayWidth> {
  return new Map(
    bindings.flatMap((b) => (b.source.kind === 'array' ? [[b.source.column, b.source.padMask ? { upTo: rowWidth(b) } : rowWidth(b)] as [string, ArrayWidth]] : [])),
  );
}

/** The batch sizes a model takes: every size, or only its fixed one. */
export function batchSkipReason(rows: FeatureRows, size: number): string | null {
  return rows.fixedBatch !== null && size !== rows.fixedBatch ? `the model takes a fixed batch of ${rows.fixedBatch} (its inputs declare it)` : null;
}

/** Float values in the given element type (rounded for integer types). */
export function typedArray(dtype: DType, values: ArrayLike<number> | string[]): TensorData {
  if (dtype === 'string') return Array.from(values as ArrayLike<unknown>, (v) => String(v));
  if (dtype === 'float64') return values instanceof Float64Array ? values : Float64Array.from(values as ArrayLike<number>);
  const out = allocate(dtype, values.length) as NumericData;
  writeNumbers(out, values as ArrayLike<number>);
  return out;
}

export function tensorOf(dtype: DType, values: ArrayLike<number>, dims: number[]): Tensor {
  return { dtype, dims, data: typedArray(dtype, values) };
}

export const isFloat = (d: DType | null) => d !== null && FLOAT_TYPES.has(d);
export const isInteger = (d: DType | null) => d !== null && INTEGER_TYPES.has(d);
export const isNumeric = (d: DType | null) => d !== null && NUMERIC.has(d);

/** How an input is fed, in words for the report: "columns a, b … z (40 columns)", "constant 16000". */
export function describeFeed(b: InputBinding): string {
  const axis = b.batchAxis === null ? ', no batch axis' : b.batchAxis === 0 ? '' : `, batch on axis ${b.batchAxis}`;
  switch (b.source.kind) {
    case 'columns':
      return `${b.source.columns.length === 1 ? 'column' : 'columns'} ${describeColumns(b.source.columns)}${axis}`;
    case 'array':
      return `arrays in column ${b.source.column}${b.source.padMask ? `, padded with 0 to ${rowWidth(b)}${b.source.padMask === b.name ? '' : ` (${b.source.padMask} marks the padding)`}` : ''}${axis}`;
    case 'constant': {
      const v = b.source.values;
      const shown = new Set<number | string>(v).size === 1 ? String(v[0]) : `[${v.slice(0, 4).join(', ')}${v.length > 4 ? ', …' : ''}]`;
      return `constant ${shown}${axis}`;
    }
    case 'generated':
      return `generated${axis}`;
  }
}

/** The input's shape as sent: the batch as N (or the size the model fixes it to), every other dim sized. */
export function fedShape(b: InputBinding): string {
  const dims: (number | string)[] = b.rowShape.slice();
  if (b.batchAxis !== null) {
    const declared = b.declared[b.batchAxis];
    dims.splice(b.batchAxis, 0, typeof declared === 'number' ? declared : 'N');
  }
  return `[${dims.join(', ')}]`;
}
