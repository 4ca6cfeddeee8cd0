/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp(method='auto'):
 * the exact p-value by lattice-path counting when both samples have at most 10,000 values,
 * otherwise the exact one-sample distribution at N = round(n1·n2/(n1+n2)).
 *
 * Exact method: Hodges (1958), "The significance probability of the Smirnov two-sample test",
 * Ark. Mat. 3; for unequal sizes the recursion of Viehmann (2021), arXiv:2102.08037, which
 * computes the p-value itself rather than 1 − p, so small p-values keep their digits.
 */
import { compareEcdfs } from './ecdf.ts';
import { kolmogorovSf } from './kolmogorov.ts';

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** scipy's `auto` switches to the asymptotic distribution above this many values per sample. */
export const KS_EXACT_MAX_N = 10_000;

/** Round half to even, as numpy's round. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The test on two sorted samples without NaN; both must be non-empty. */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  if (a.length === 0 || b.length === 0) throw new Error('the KS test needs values on both sides');
  return ksTest(a.length, b.length, compareEcdfs(a, b).ks);
}

/**
 * The p-value of statistic d for sample sizes n1 and n2. NaN (undefined) unless d is in [0, 1]
 * and both sizes are positive integers: a NaN or infinite d would otherwise give p = 0 or never
 * finish the lattice sum.
 */
export function ksTest(n1: number, n2: number, d: number): KsResult {
  const size = (n: number) => Number.isSafeInteger(n) && n > 0;
  if (!(d >= 0 && d <= 1) || !size(n1) || !size(n2)) return { statistic: d, pValue: Number.NaN, method: 'asymptotic' };
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const exact = exactPValue(n1, n2, d);
    if (exact) return { ...exact, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: kolmogorovSf(roundHalfEven(en), d), method: 'asymptotic' };
}

/** The exact p-value, with D snapped to the lattice h/lcm(n1, n2); null when it is not a probability. */
function exactPValue(n1: number, n2: number, d: number): { statistic: number; pValue: number } | null {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pValue: 1 };
  const p = n1 === n2 ? outsideSquare(n1, h) : outsideBand(n1, n2, g, h);
  return p >= 0 && p <= 1 ? { statistic, pValue: p } : null;
}

/**
 * Equal sizes: P(D ≥ h/n) = 2·Σ_k (−1)^(k+1) C(2n, n − kh)/C(2n, n), each ratio a product of h
 * factors, nested Horner-fashion so that the alternating sum does not cancel.
 */
function outsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * Unequal sizes: the share of lattice paths from (0, 0) to (m, n) that touch |x/m − y/n| ≥ h/lcm,
 * column by column over a sliding window of y. Each entry holds the share of paths to (i, j)
 * that have left the band, so the recursion is a weighted mean: (A(i−1, j)·i + A(i, j−1)·j)/(i+j);
 * cells outside the band are 1.
 */
function outsideBand(n1: number, n2: number, g: number, h: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const mg = m / g;
  const ng = n / g;
  let lo = 0;
  let hi = Math.min(Math.ceil(h / mg), n + 1);
  let width = hi - lo;
  const cells = new Float64Array(Math.min(2 * hi + 2, n + 1)).fill(1);
  cells.fill(0, lo, hi);
  for (let i = 1; i <= m; i++) {
    const lastLo = lo;
    const lastWidth = width;
    lo = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    hi = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (hi <= lo) return 1;
    let below = lo === 0 ? 0 : 1;
    for (let c = 0; c < hi - lo; c++) {
      const j = c + lo;
      below = (cells[c + lo - lastLo]! * i + below * j) / (i + j);
      cells[c] = below;
    }
    width = hi - lo;
    if (lastWidth > width) cells.fill(1, width, lastWidth);
  }
  return cells[hi - lo - 1]!;
}
