/**
 * Mann–Whitney U, two-sided, as `scipy.stats.mannwhitneyu(x, y)` with its defaults: the exact
 * distribution when a sample has at most 8 values and there are no ties, otherwise the normal
 * approximation with continuity correction and tie-corrected variance. The statistic is U of x.
 * A NaN has no rank: as scipy's default nan_policy='propagate', the result is then NaN.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface MannWhitney {
  statistic: number;
  p_value: number;
  method: 'exact' | 'asymptotic';
}

export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitney {
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  if (hasNaN(x) || hasNaN(y)) return { statistic: Number.NaN, p_value: Number.NaN, method: 'asymptotic' };
  const all = new Float64Array(n);
  all.set(Array.from(x));
  all.set(Array.from(y), n1);
  // Equal infinities differ by NaN, which sort() reads as a tie: right for ranks.
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => all[a]! - all[b]!);
  const ranks = new Float64Array(n);
  let tieTerm = 0;
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && all[order[e]!] === all[order[s]!]) e++;
    const midrank = (s + 1 + e) / 2;
    for (let k = s; k < e; k++) ranks[order[k]!] = midrank;
    const t = e - s;
    tieTerm += t * t * t - t;
    s = e;
  }
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  if ((n1 <= 8 || n2 <= 8) && tieTerm === 0) {
    return { statistic: u1, p_value: Math.min(1, 2 * exactSf(u, n1, n2)), method: 'exact' };
  }
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = (u - mu - 0.5) / sigma;
  const p = sigma === 0 ? 1 : Math.min(1, Math.max(0, 2 * normalCdf(-z, 0, 1)));
  return { statistic: u1, p_value: p, method: 'asymptotic' };
}

function hasNaN(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) return true;
  return false;
}

/** P(U ≥ u) under the null, from the counts of U over all arrangements (a Gaussian binomial). */
function exactSf(u: number, n1: number, n2: number): number {
  const m = Math.min(n1, n2);
  const k = Math.max(n1, n2);
  // counts[j][v]: arrangements of j values of the small sample among them giving U = v,
  // built with the recurrence of the q-binomial coefficient.
  const max = m * k;
  let counts = new Float64Array(max + 1);
  counts[0] = 1;
  // Coefficients of Π_{i=1..m} (1 − q^{k+i}) / (1 − q^i).
  for (let i = 1; i <= m; i++) {
    const next = new Float64Array(max + 1);
    // multiply by (1 − q^{k+i})
    for (let v = 0; v <= max; v++) next[v] = counts[v]! - (v >= k + i ? counts[v - k - i]! : 0);
    // divide by (1 − q^i): running sum with stride i
    for (let v = i; v <= max; v++) next[v]! += next[v - i]!;
    counts = next;
  }
  let total = 0;
  let tail = 0;
  for (let v = 0; v <= max; v++) {
    total += counts[v]!;
    if (v >= u) tail += counts[v]!;
  }
  return tail / total;
}

export type Alternative = 'two-sided' | 'greater' | 'less';

/**
 * Mann–Whitney U on grouped data, e.g. the buckets of two latency histograms: `x[g]` and `y[g]`
 * observations tied at the g-th of increasing values. As scipy.stats.mannwhitneyu(x, y,
 * alternative, method='asymptotic') on the expanded samples (midranks, tie-corrected variance,
 * continuity correction), without expanding them. `greater`: x tends to be larger than y.
 * Counts must be finite and non-negative; otherwise the p-value is NaN (undefined).
 */
export function mannWhitneyGrouped(x: ArrayLike<number>, y: ArrayLike<number>, alternative: Alternative = 'two-sided'): { statistic: number; p_value: number } {
  let n1 = 0;
  let n2 = 0;
  for (let g = 0; g < x.length; g++) {
    n1 += x[g]!;
    n2 += y[g]!;
  }
  const n = n1 + n2;
  if (!Number.isFinite(n) || !nonNegative(x) || !nonNegative(y)) return { statistic: Number.NaN, p_value: Number.NaN };
  let below = 0;
  let r1 = 0;
  let tieTerm = 0;
  for (let g = 0; g < x.length; g++) {
    const t = x[g]! + y[g]!;
    if (t === 0) continue;
    r1 += x[g]! * (below + (t + 1) / 2);
    tieTerm += t * t * t - t;
    below += t;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2);
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  // Everything tied: no evidence either way, p = 1 as scipy gives (empty samples stay undefined).
  if (sigma === 0 && n1 > 0 && n2 > 0) return { statistic: u1, p_value: 1 };
  if (!(sigma > 0)) return { statistic: u1, p_value: Number.NaN };
  const z = (u - mu - 0.5) / sigma;
  const p = normalCdf(-z, 0, 1) * (alternative === 'two-sided' ? 2 : 1);
  return { statistic: u1, p_value: Math.min(1, Math.max(0, p)) };
}

function nonNegative(counts: ArrayLike<number>): boolean {
  for (let g = 0; g < counts.length; g++) if (!(counts[g]! >= 0)) return false;
  return true;
}
