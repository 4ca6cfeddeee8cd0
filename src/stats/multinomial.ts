/**
 * Seeded binomial and multinomial draws, for a bootstrap that resamples the cell counts of a
 * table instead of its rows: resampling n rows with replacement and tallying them into cells is
 * exactly a Multinomial(n, counts / n) draw of the cells, which costs O(cells) instead of O(n).
 *
 * Binomial: inversion when n·min(p, 1−p) < 10, otherwise Hörmann's BTRS transformed rejection
 * (1993, as in TensorFlow's and NumPy's newer generators) — exact, O(1) expected per draw.
 */

/** log(k!) − [Stirling's approximation of it], tabulated below 10. */
const TAIL = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.010411265261972,
  0.00925546218271273, 0.00833056343336287,
];
function stirlingTail(k: number): number {
  if (k <= 9) return TAIL[k]!;
  const kp1sq = (k + 1) * (k + 1);
  return (1 / 12 - (1 / 360 - 1 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

/** One Binomial(n, p) draw from uniform doubles in [0, 1). n is a non-negative integer. */
export function binomial(n: number, p: number, random: () => number): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1 - p, random);
  if (n * p < 10) return inversion(n, p, random);
  return btrs(n, p, random);
}

function inversion(n: number, p: number, random: () => number): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  // Restart on the (rare) rounding loss that walks past n.
  for (;;) {
    let r = Math.exp(n * Math.log1p(-p));
    let u = random();
    let x = 0;
    while (u > r && x < n) {
      u -= r;
      x++;
      r *= a / x - s;
    }
    if (u <= r || x === n) return x;
  }
}

function btrs(n: number, p: number, random: () => number): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const r = p / q;
  const alpha = (2.83 + 5.1 / b) * spq;
  const m = Math.floor((n + 1) * p);
  for (;;) {
    const u = random() - 0.5;
    let v = random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const bound =
      (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) +
      (n + 1) * Math.log((n - m + 1) / (n - k + 1)) +
      (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) +
      stirlingTail(k) +
      stirlingTail(n - k) -
      stirlingTail(m) -
      stirlingTail(n - m);
    if (v <= bound) return k;
  }
}

/**
 * A Multinomial(n, counts / Σcounts) draw into `out` (same length as counts): the rows of a
 * table resampled with replacement, tallied per cell. Conditional binomials, cell by cell.
 */
export function multinomialResample(counts: ArrayLike<number>, n: number, random: () => number, out: Float64Array): Float64Array {
  let mass = 0;
  for (let c = 0; c < counts.length; c++) mass += counts[c]!;
  let left = n;
  for (let c = 0; c < counts.length; c++) {
    const share = counts[c]!;
    if (left === 0 || share === 0 || mass <= 0) {
      out[c] = 0;
      continue;
    }
    const x = c === counts.length - 1 || share >= mass ? left : binomial(left, share / mass, random);
    out[c] = x;
    left -= x;
    mass -= share;
  }
  return out;
}
