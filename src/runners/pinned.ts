/**
 * Feature arrays handed to the ONNX runner's child process by reference: an array the caller
 * promises not to change (ModelRunner.pin) is written once to a temporary file, and a feed that
 * is a view of it travels as (file, offset, length); the child reads those bytes back. Sent over
 * the IPC pipe instead, a million rows × 30 float32 features cost each model about a second in
 * 64 KiB pipe writes, against a tenth for the file. One file serves every runner that pins the
 * same array (candidate and baseline); it goes when the last of them closes, or at exit.
 */
import { mkdtempSync, readSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DType, Tensor } from './types.ts';

/** Arrays below this are sent whole: a file buys nothing for a few batches. */
export const PIN_MIN_BYTES = 4 * 2 ** 20;
/** Nor above this: the temporary file would be too large a demand on the disk. */
export const PIN_MAX_BYTES = 2 ** 30;

/** A feed as the child receives it when its data is in a pinned file. */
export interface PinnedTensor {
  dtype: DType;
  dims: readonly number[];
  pinned: { path: string; offset: number; length: number };
}

export interface Pin {
  path: string;
  /** Runners holding it; at 0 the file is gone. */
  users: number;
}

// Weak: a pinned array (a drift reference set's rows) is not kept alive for its file's sake.
const pins = new WeakMap<ArrayBufferLike, Pin>();
let folder: string | null = null;
let files = 0;
/** Files written and not yet removed. */
let live = 0;

/** The files left at exit (a gate that throws before closing its runners) are removed. */
function removeAll(): void {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = null;
}

type Numeric = Exclude<Tensor['data'], string[]>;

/** The typed arrays worth pinning among `arrays`: numeric, large, and few enough bytes in all. */
export function pinnable(arrays: readonly unknown[]): Numeric[] {
  const out: Numeric[] = [];
  let total = 0;
  for (const a of arrays) {
    if (!ArrayBuffer.isView(a) || a instanceof DataView || a.buffer.byteLength < PIN_MIN_BYTES) continue;
    if (out.some((b) => b.buffer === a.buffer)) continue;
    total += a.buffer.byteLength;
    out.push(a as Numeric);
  }
  return total <= PIN_MAX_BYTES ? out : [];
}

/**
 * Writes each array's whole buffer to a file (once per buffer while anyone holds it) and counts
 * the user. An array that cannot be written (no space, a read-only temporary folder) is left out:
 * its feeds are sent whole, as before.
 */
export function pinBuffers(arrays: readonly Numeric[]): { pins: Pin[]; buffers: ArrayBufferLike[] } {
  const out: { pins: Pin[]; buffers: ArrayBufferLike[] } = { pins: [], buffers: [] };
  for (const a of arrays) {
    const buffer = a.buffer;
    let pin = pins.get(buffer);
    if (!pin || pin.users === 0) {
      const path = written(buffer);
      if (path === null) continue;
      pin = { path, users: 0 };
      pins.set(buffer, pin);
    }
    pin.users++;
    out.pins.push(pin);
    out.buffers.push(buffer);
  }
  return out;
}

function written(buffer: ArrayBufferLike): string | null {
  let path: string | null = null;
  try {
    if (!folder) {
      folder = mkdtempSync(join(tmpdir(), 'model-gate-rows-'));
      if (!process.listeners('exit').includes(removeAll)) process.on('exit', removeAll);
    }
    path = join(folder, `rows-${files++}.bin`);
    writeFileSync(path, new Uint8Array(buffer));
    live++;
    return path;
  } catch {
    if (path) rmSync(path, { force: true });
    return null;
  }
}

/** One user fewer of each; a file nobody uses is removed, and the folder with the last one. */
export function unpin(held: readonly Pin[]): void {
  for (const pin of held) {
    if (--pin.users > 0) continue;
    rmSync(pin.path, { force: true });
    if (--live === 0) removeAll();
  }
}

/** The feed by reference when its data is a view of a buffer this runner pinned, else unchanged. */
export function byReference(tensor: Tensor, held: WeakSet<ArrayBufferLike>): Tensor | PinnedTensor {
  const data = tensor.data;
  if (Array.isArray(data) || !held.has(data.buffer)) return tensor;
  const pin = pins.get(data.buffer);
  if (!pin || pin.users === 0) return tensor;
  return { dtype: tensor.dtype, dims: tensor.dims, pinned: { path: pin.path, offset: data.byteOffset, length: data.byteLength } };
}

const ARRAYS: Record<string, new (buffer: ArrayBuffer) => Numeric> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};

/** In the child: the feed's data read back from its file. */
export function readPinned(feed: PinnedTensor): Tensor {
  const { path, offset, length } = feed.pinned;
  const Type = ARRAYS[feed.dtype];
  if (!Type) throw new Error(`cannot read a ${feed.dtype} input from a file`);
  const bytes = new Uint8Array(length);
  const fd = openSync(path, 'r');
  try {
    for (let at = 0; at < length; ) {
      const got = readSync(fd, bytes, at, length - at, offset + at);
      if (got === 0) throw new Error(`the rows file ${path} ended early`);
      at += got;
    }
  } finally {
    closeSync(fd);
  }
  return { dtype: feed.dtype, dims: feed.dims, data: new Type(bytes.buffer) };
}

export const isPinned = (feed: object): feed is PinnedTensor => 'pinned' in feed;
