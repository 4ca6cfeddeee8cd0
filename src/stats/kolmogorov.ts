/**
 * The exact distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, as
 * scipy.stats.kstwo computes it: Simard & L'Ecuyer's choice of algorithm by n and n·x²
 * (Ruben–Gambino closed forms, the Durbin matrix after Marsaglia–Tsang–Wang, Pomeranz's
 * recursion, the Pelz–Good expansion, and twice the one-sided Smirnov tail). The two-sample KS
 * test uses it for large samples at N = n1·n2/(n1+n2); the Kolmogorov limit would be off by
 * several percent in the tail at the sizes drift checks see.
 *
 * References: Simard, R. & L'Ecuyer, P. (2011), "Computing the two-sided Kolmogorov-Smirnov
 * distribution", J. Stat. Softw. 39(11); Marsaglia, Tsang & Wang (2003) J. Stat. Softw. 8(18);
 * Pomeranz (1974) CACM 17(12); Pelz & Good (1976) JRSS B 38(2); Birnbaum & Tingey (1951).
 */
import gammaln from '@stdlib/math-base-special-gammaln';

const SCALE = 2 ** 128;
const UNSCALE = 2 ** -128;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const MIN_LOG = -708;

const clip = (p: number) => Math.min(1, Math.max(0, p));

/** log(n! / nⁿ) by Stirling's series, with n·log n taken out before it can cancel. */
function logFactorialOverPower(n: number): number {
  // B_2j / (2j(2j−1)) for j = 8 … 1, highest power first.
  const coeffs = [
    -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417, -0.0005952380952380953,
    0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
  ];
  const rn = 1 / n;
  const y = rn / n;
  let poly = 0;
  for (const c of coeffs) poly = poly * y + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/**
 * P(D⁺_n ≥ x), the one-sided tail, by Birnbaum & Tingey's finite sum
 *   x · Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v),
 * every term positive and taken in logs so that no n overflows or loses digits.
 */
export function smirnov(n: number, x: number): number {
  // An infinite n would make the sum endless.
  if (!(Number.isSafeInteger(n) && n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const last = Math.floor(n * (1 - x));
  const logNFactorial = gammaln(n + 1);
  let sum = 0;
  for (let v = 0; v <= last; v++) {
    const at = x + v / n;
    const rest = 1 - at;
    if (rest <= 0) continue; // 0^(n−v) with v < n
    const log = logNFactorial - gammaln(v + 1) - gammaln(n - v + 1) + (v - 1) * Math.log(at) + (n - v) * Math.log(rest);
    if (log > -745) sum += Math.exp(log);
  }
  return clip(sum * x);
}

/** P(D_n ≤ d) by the Durbin matrix: the k-th diagonal entry of (n!/nⁿ)·Hⁿ, scaled as it grows. */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac; // 1/(j−1)!
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac; // (1 − h^j)/j!
  }
  v[m - 1] = (1 + Math.max(2 * h - 1, 0) ** m - 2 * h ** m) * fac;
  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;

  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let exponent = 0;
  let hExponent = 0;
  for (let left = n; left > 0; left = Math.floor(left / 2)) {
    if (left % 2 === 1) {
      power = multiply(power, H, m);
      exponent += hExponent;
    }
    H = multiply(H, H, m);
    hExponent *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]!) > SCALE) {
      for (let i = 0; i < H.length; i++) H[i]! /= SCALE;
      hExponent += 128;
    }
  }
  let p = power[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < UNSCALE) {
      p *= SCALE;
      exponent -= 128;
    }
  }
  return exponent === 0 ? p : p * 2 ** exponent;
}

function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l]!;
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j]! += ail * b[l * m + j]!;
    }
  }
  return out;
}

/** The interval of non-zero entries of row i in Pomeranz's recursion. */
function pomeranzRange(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** P(D_n ≤ x) by Pomeranz's recursion: rows are convolutions with near-Poisson weights. */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const size = 2 * (ll + 1);
  const gPow = new Float64Array(size);
  const twoGPow = new Float64Array(size);
  const restPow = new Float64Array(size);
  gPow[0] = twoGPow[0] = restPow[0] = 1;
  for (let p = 1; p < size; p++) {
    gPow[p] = (gPow[p - 1]! * (g / n)) / p;
    twoGPow[p] = (twoGPow[p - 1]! * ((2 * g) / n)) / p;
    restPow[p] = (restPow[p - 1]! * ((1 - 2 * g) / n)) / p;
  }
  let v0 = new Float64Array(size);
  let v1 = new Float64Array(size);
  v1[0] = 1;
  let v0s = 0;
  let v1s = 0;
  let exponent = 0;
  let j1 = pomeranzRange(0, n, ll, ceilf, roundf)[0];
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0s, v1s] = [v1s, v0s];
    v1.fill(0);
    const range = pomeranzRange(i, n, ll, ceilf, roundf);
    j1 = range[0];
    const j2 = range[1];
    const weights = i === 1 || i === 2 * n + 1 ? gPow : i % 2 === 1 ? twoGPow : restPow;
    const len = j2 - k1 + 1;
    if (len <= 0) continue;
    const from = k1 - v0s;
    const a = v0.subarray(from, Math.min(from + len, size));
    const b = weights.subarray(0, Math.min(len, size));
    const start = j1 - k1;
    const count = j2 - j1 + 1;
    // Entries start … start+count−1 of the full convolution of a and b.
    for (let c = 0; c < count; c++) {
      const at = start + c;
      let s = 0;
      for (let q = Math.max(0, at - b.length + 1); q <= Math.min(at, a.length - 1); q++) s += a[q]! * b[at - q]!;
      v1[c] = s;
    }
    let max = 0;
    for (let c = 0; c < count; c++) max = Math.max(max, v1[c]!);
    if (max > 0 && max < UNSCALE) {
      for (let c = 0; c < size; c++) v1[c]! *= SCALE;
      exponent -= 128;
    }
    v1s = v0s + j1 - k1;
  }
  let answer = v1[n - v1s]!;
  for (let p = 1; p <= n; p++) {
    if (Math.abs(answer) > SCALE) {
      answer *= UNSCALE;
      exponent += 128;
    }
    answer *= p;
  }
  return exponent === 0 ? answer : answer * 2 ** exponent;
}

/** P(D_n ≤ x) by the Pelz–Good asymptotic expansion in 1/√n, for large n. */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  // Horner in q^8k over odd m = 2k − 1.
  for (let k = maxk; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qp = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + coeffs[i]!;
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT_2PI) / divisors[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k >= 1; k--) {
    const k2 = k * k;
    const qk = q ** k2;
    k2extra += k2 * qk;
    const kpi = Math.PI * k;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K[2]! += (k2extra * PI2 * SQRT_2PI) / (-36 * z3);
  K[3]! += (k3extra * PI2 * SQRT_2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2);
  return sum;
}

/** P(D_n > x): the survival function of the two-sided statistic, as scipy.stats.kstwo.sf(x, n). */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isSafeInteger(n) || n <= 0 || Number.isNaN(x)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: n!/nⁿ · (2t − 1)ⁿ for 1/2n ≤ x ≤ 1/n.
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnov(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - durbinCdf(n, x));
    if (nx2 <= 4) return clip(1 - pomeranzCdf(n, x));
    return clip(2 * smirnov(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnov(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - clip(cdf));
}
