import type { Outcome } from '../core/probe-outcome.ts';
import type { LoadTarget } from './load/generate.ts';

/**
 * How any model is called: in-process ONNX, an HTTP endpoint, a command over JSON Lines.
 * Checks only ever see these types, so every check works unchanged on every runner.
 */

export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** A dense tensor in row-major order. */
export interface Tensor {
  dtype: DType;
  dims: readonly number[];
  data: TensorData;
}

export type Feeds = Record<string, Tensor>;
export type Outputs = Record<string, Tensor>;

/** A declared dimension: a number when fixed, a name when symbolic ("N"), null when unknown. */
export type Dim = number | string | null;

export interface TensorSpec {
  name: string;
  /** null for non-tensor values (sequences, maps). */
  dtype: DType | null;
  /** Declared shape; [] when the model does not declare one (or declares a scalar: see `scalar`). */
  shape: Dim[];
  /** The model declares a rank-0 tensor (a scalar such as a sample rate), not an unknown shape. */
  scalar?: boolean;
  /** An integer input that indexes a table of this many rows (an embedding): valid ids are below it. */
  ids?: number;
  /**
   * Set when the model declares a non-tensor output (a ZipMap's seq(map)) and the runner reports,
   * under its name, the tensor it is made from: the output's declared type and that tensor's name.
   */
  source?: { op: 'ZipMap'; tensor: string; type: string };
  /** Class labels of the columns (or label values), when the model itself names them. */
  classes?: (number | string)[];
  /**
   * Made by a Softmax over the last axis of a [rows, classes] tensor: each row is a probability
   * distribution, whatever the output is called (a PyTorch export's "output", "softmax_0.tmp_0").
   */
  softmax?: true;
  /**
   * Made by an elementwise Sigmoid: each value is a probability of its own (a multi-label model's
   * tags), so a row of several need not sum to 1.
   */
  sigmoid?: true;
}

/** A declared output the runner cannot return, with why and what to do. */
export interface UnreadableOutput {
  name: string;
  type: string;
  problem: string;
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Declared outputs left out of `outputs` because they cannot be read. */
  unreadable?: UnreadableOutput[];
}

/**
 * Every runner bounds its own waits: a network or process runner rejects a request that exceeds
 * its timeout with RunnerTimeoutError (it knows how to cancel it). The ONNX runner runs in-process.
 */
export interface ModelRunner {
  readonly kind: string;
  /** What is being run: a file path, a URL, a command line. */
  readonly target: string;
  readonly signature: ModelSignature;
  infer(feeds: Feeds): Promise<Outputs>;
  /**
   * The call with its own duration, measured where the model runs (the ONNX runner's child
   * process), so the transport to it is not counted as the model's latency.
   */
  timed?(feeds: Feeds): Promise<{ outputs: Outputs; ms: number }>;
  close(): Promise<void>;
  /**
   * The caller promises that these arrays stay unchanged while the runner is open, so a runner in
   * another process may take feeds that view them by reference instead of a copy per call.
   */
  pin?(arrays: readonly unknown[]): Promise<void>;
  /** HTTP-level error scenarios (malformed JSON, …); only runners that speak HTTP have them. */
  probe?(scenario: ProbeScenario, good: Feeds, sizeMb: number): Promise<{ request: string; outcome: Outcome; detail: string }>;
  /** Prepared requests for the load generator; runners without it are driven through infer(). */
  loadTarget?(feeds: Feeds[], connections: number, now: () => number): LoadTarget;
  /** What the wire format can say: untyped JSON rows carry no element type and (one input) no name. */
  readonly expresses?: { dtype: boolean; names: boolean; why: string };
  /** Data columns feeding the (single) input, for protocols that send names (MLflow's dataframe_split). */
  bindColumns?(columns: readonly string[] | null): void;
  /** What the runner says the model is (server metadata): hashed into the version when no file is given. */
  readonly metadata?: unknown;
  /**
   * Starts the model's process afresh after a call crashed or timed out, so the next call is not
   * judged by the last one's wreckage. A no-op for a runner with nothing to restart.
   */
  recover?(): Promise<void>;
  /** Memory of the process the model runs in (not the gate's), when the runner can see it. */
  memory?(): Promise<ModelMemory | null>;
}

/** Resident memory of a model's process (or process group), in MiB. */
export interface ModelMemory {
  /** Resident now. */
  rssMb: number;
  /** The most it has held, over every process the runner started. */
  peakMb: number;
}

export type ProbeScenario = 'malformed_json' | 'wrong_content_type' | 'oversized_request';
export const PROBE_SCENARIOS: ReadonlySet<string> = new Set<ProbeScenario>(['malformed_json', 'wrong_content_type', 'oversized_request']);

/** A request that did not finish in time: the model hung, which is neither an answer nor a rejection. */
export class RunnerTimeoutError extends Error {
  override readonly name = 'RunnerTimeoutError';
}

/**
 * The model cleanly refused the request: an onnxruntime validation error, an HTTP 4xx, a command's
 * `{"id", "error"}` line. `input` is the input the refusal names, when it names one. Anything else
 * that fails a call (a crash, a 5xx, a timeout, running out of memory) is not a refusal.
 */
export class RunnerRejectedError extends Error {
  override readonly name: string = 'RunnerRejectedError';
  readonly input: string | null;
  constructor(message: string, input: string | null = null) {
    super(message);
    this.input = input;
  }
}

/** The process running the model died during a request (an abort inside the runtime, a signal). */
export class RunnerCrashError extends Error {
  override readonly name = 'RunnerCrashError';
}

export const FLOAT_TYPES: ReadonlySet<DType> = new Set(['float32', 'float64', 'float16']);
export const INTEGER_TYPES: ReadonlySet<DType> = new Set([
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
]);

/** Tensor data readable as plain numbers (every type but strings and 64-bit integers). */
export type NumberArray = Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;

/** Element count of a tensor's shape. */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Numeric view of any numeric tensor's data (BigInt64 -> number), for checks that compare values. */
export function toNumbers(tensor: Tensor): Float64Array | null {
  const { data } = tensor;
  if (Array.isArray(data)) return null;
  if (data instanceof Float64Array) return data;
  const out = new Float64Array(data.length);
  copyNumbers(data, out, 0);
  return out;
}

/**
 * Copies numeric tensor data into `out` at `offset` as doubles. 64-bit integers are read as two
 * 32-bit words (little-endian, as on every platform onnxruntime ships for): exact below 2^53 and
 * much faster than converting each BigInt.
 */
export function copyNumbers(data: Exclude<TensorData, string[]>, out: Float64Array, offset: number): void {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
    const signed = data instanceof BigInt64Array;
    for (let i = 0; i < data.length; i++) {
      const lo = words[2 * i]! >>> 0;
      const hi = words[2 * i + 1]!;
      out[offset + i] = (signed ? hi : hi >>> 0) * 4294967296 + lo;
    }
    return;
  }
  out.set(data, offset); // native element conversion
}
