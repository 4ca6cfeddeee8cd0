/**
 * What a batch weighs: the bytes one row puts in a request and in the model's answer. Batches over
 * a data set and the oversized-batch scenario are sized by these, not by a row count, so a row of
 * an image model (megabytes) and a row of a tabular model (bytes) both make batches that fit memory.
 */
import { rowWidth, type FeatureRows } from '../data/features.ts';
import type { DType, Outputs } from '../runners/types.ts';

const BYTES: Record<DType, number> = {
  float64: 8,
  int64: 8,
  uint64: 8,
  float32: 4,
  int32: 4,
  uint32: 4,
  float16: 2,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  string: 0,
};

/** Bytes one row of data puts in the request (constants without a batch axis are sent once). */
export function bytesPerRow(rows: FeatureRows): number {
  let bytes = 0;
  rows.bindings.forEach((b, i) => {
    if (b.batchAxis === null) return;
    const width = rowWidth(b);
    const data = rows.typed[i]!;
    // Text: the first row's strings stand for every row's.
    bytes += Array.isArray(data) ? data.slice(0, width).reduce((n, s) => n + Buffer.byteLength(s) + 2, 0) : width * BYTES[b.dtype];
  });
  return Math.max(1, bytes);
}

/** Bytes of a model's answer, per row of the request that produced it. */
export function answerBytesPerRow(outputs: Outputs, rows: number): number {
  let bytes = 0;
  for (const t of Object.values(outputs)) {
    bytes += Array.isArray(t.data) ? t.data.reduce((n, s) => n + Buffer.byteLength(s) + 2, 0) : t.data.byteLength;
  }
  return bytes / Math.max(1, rows);
}
