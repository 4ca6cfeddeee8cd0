/**
 * Ascending sort of doubles by LSD radix on their bit patterns: four stable 16-bit passes (fewer
 * when a digit is the same everywhere), linear in n. On a million values it is several times
 * faster than TypedArray.prototype.sort, and drift sorts every numeric feature of both samples.
 */
import { endianness } from 'node:os';

const SMALL = 2048;

/** Sorts in place and returns `values`. NaN must have been removed; -0 sorts before +0. */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < SMALL || endianness() !== 'LE') return values.sort();
  // Little-endian: word 2i is the low half of value i, word 2i+1 the high half (sign, exponent).
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  // Order-preserving keys: negative values have all bits flipped, others only the sign bit.
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!;
    if (hi & 0x80000000) {
      words[2 * i + 1] = ~hi >>> 0;
      words[2 * i] = ~words[2 * i]! >>> 0;
    } else words[2 * i + 1] = (hi | 0x80000000) >>> 0;
  }
  let src: Uint32Array = words;
  let dst: Uint32Array = new Uint32Array(2 * n);
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[2 * i + word]! >>> shift) & 0xffff]!++;
    if (counts[(src[word]! >>> shift) & 0xffff] === n) continue; // one digit everywhere
    let total = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i]!;
      const hi = src[2 * i + 1]!;
      const at = counts[((word === 0 ? lo : hi) >>> shift) & 0xffff]!++;
      dst[2 * at] = lo;
      dst[2 * at + 1] = hi;
    }
    [src, dst] = [dst, src];
  }
  if (src !== words) words.set(src);
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!;
    if (hi & 0x80000000) words[2 * i + 1] = (hi & 0x7fffffff) >>> 0;
    else {
      words[2 * i + 1] = ~hi >>> 0;
      words[2 * i] = ~words[2 * i]! >>> 0;
    }
  }
  return values;
}
