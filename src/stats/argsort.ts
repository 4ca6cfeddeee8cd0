/**
 * Stable ascending argsort of doubles by LSD radix on their bit patterns (as sort.ts sorts
 * values): four 16-bit passes moving (key, row index) pairs, linear in n. On a million scores it
 * is ~20× faster than sorting indices with a comparator, which the AUC and its DeLong variance
 * need once per class and model. Ties keep row order; NaN sorts last (after +Infinity), -0
 * right before +0 (adjacent, so equal-score groups stay contiguous).
 */

/** Row indices 0..n−1 ordered by `key(i)` ascending, ties by index. */
export function argsortFloat64(n: number, key: (i: number) => number): Int32Array {
  const hiKey = new Uint32Array(n);
  const loKey = new Uint32Array(n);
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const H = little ? 1 : 0;
  const L = little ? 0 : 1;
  for (let i = 0; i < n; i++) {
    let v = key(i);
    if (Number.isNaN(v)) v = Number.NaN; // one canonical (positive) NaN: sorts last
    bits[0] = v;
    const hi = words[H]!;
    const lo = words[L]!;
    // Order-preserving keys: negative values have all bits flipped, others only the sign bit.
    if (hi & 0x80000000) {
      hiKey[i] = ~hi >>> 0;
      loKey[i] = ~lo >>> 0;
    } else {
      hiKey[i] = (hi | 0x80000000) >>> 0;
      loKey[i] = lo;
    }
  }
  let idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let next = new Int32Array(n);
  const counts = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const words16 = pass < 2 ? loKey : hiKey;
    const shift = (pass & 1) * 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(words16[idx[i]!]! >>> shift) & 0xffff]!++;
    if (n > 0 && counts[(words16[idx[0]!]! >>> shift) & 0xffff] === n) continue; // one digit everywhere
    let total = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d]!;
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const row = idx[i]!;
      next[counts[(words16[row]! >>> shift) & 0xffff]!++] = row;
    }
    [idx, next] = [next, idx];
  }
  return idx;
}
