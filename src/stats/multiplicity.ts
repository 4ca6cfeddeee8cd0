/**
 * Multiple-testing control over the p-values of one run, as statsmodels `multipletests`:
 * Holm's step-down (family-wise error rate) and Benjamini–Hochberg's step-up (false-discovery rate).
 * Adjusted p-values are returned in the input's order; reject where adjusted ≤ α.
 * A NaN p-value is treated as 1 (an untestable hypothesis never counts as a discovery).
 */

export type Multiplicity = 'holm' | 'bh' | 'none';

function ordered(p: readonly number[]): { values: Float64Array; order: Uint32Array } {
  const values = Float64Array.from(p, (x) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 1));
  const order = Uint32Array.from(values.keys()).sort((a, b) => values[a]! - values[b]! || a - b);
  return { values, order };
}

/** Holm: adj₍ᵢ₎ = max_{j≤i} min(1, (m − j + 1)·p₍ⱼ₎). */
export function holm(p: readonly number[]): number[] {
  const { values, order } = ordered(p);
  const m = values.length;
  const out = new Array<number>(m);
  let running = 0;
  for (let k = 0; k < m; k++) {
    const i = order[k]!;
    running = Math.max(running, Math.min(1, (m - k) * values[i]!));
    out[i] = running;
  }
  return out;
}

/** Benjamini–Hochberg: adj₍ᵢ₎ = min_{j≥i} min(1, m·p₍ⱼ₎ / j). */
export function benjaminiHochberg(p: readonly number[]): number[] {
  const { values, order } = ordered(p);
  const m = values.length;
  const out = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = order[k]!;
    running = Math.min(running, Math.min(1, (m * values[i]!) / (k + 1)));
    out[i] = running;
  }
  return out;
}

export function adjust(p: readonly number[], method: Multiplicity): number[] {
  if (method === 'holm') return holm(p);
  if (method === 'bh') return benjaminiHochberg(p);
  return p.map((x) => (Number.isFinite(x) ? x : 1));
}
