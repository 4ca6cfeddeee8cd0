/**
 * Population stability index over bins cut at the reference's quantiles (numpy's linear
 * quantiles; deciles by default), duplicate edges merged, the outermost bins open to ±∞ so that
 * shifts beyond the reference's range count. Bins are right-closed, (e_i, e_{i+1}]. Proportions
 * are floored at `floor` so an empty bin gives a large but finite term.
 *   PSI = Σ (c − r) · ln(c / r)
 */
import { quantileSorted } from './quantile.ts';

export interface PsiOptions {
  bins: number;
  floor: number;
}

export const PSI_DEFAULTS: PsiOptions = { bins: 10, floor: 1e-4 };

/**
 * Interior bin edges from the sorted reference: the quantiles at 1/bins … (bins−1)/bins,
 * de-duplicated. Only finite edges: the outer bins are already open to ±∞, and a NaN edge would
 * break the binary search's order.
 */
export function quantileEdges(sortedReference: ArrayLike<number>, bins: number): number[] {
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = quantileSorted(sortedReference, i / bins);
    if (!Number.isFinite(e)) continue;
    if (edges.length === 0 || e > edges.at(-1)!) edges.push(e);
  }
  return edges;
}

/** Share of finite values per bin (edges.length + 1 bins); NaN values are left out. */
export function binShares(values: ArrayLike<number>, edges: readonly number[]): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    // first edge >= v (binary search): v falls in (edges[b-1], edges[b]]
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]! += 1;
    total++;
  }
  if (total > 0) for (let b = 0; b < counts.length; b++) counts[b]! /= total;
  return counts;
}

export function psiOfShares(reference: ArrayLike<number>, current: ArrayLike<number>, floor: number): number {
  let psi = 0;
  for (let b = 0; b < reference.length; b++) {
    const r = Math.max(reference[b]!, floor);
    const c = Math.max(current[b]!, floor);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/**
 * PSI of `current` against `reference` (numeric values). NaN (undefined) when either side holds
 * a NaN: leaving those rows out would compare what is left as if nothing were missing. Infinite
 * values fall in the open outer bins.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, options: PsiOptions = PSI_DEFAULTS): number {
  if (hasNaN(reference) || hasNaN(current)) return Number.NaN;
  const sorted = new Float64Array(reference).sort(); // a copy; no NaN here (above)
  const edges = quantileEdges(sorted, options.bins);
  return psiOfShares(binShares(sorted, edges), binShares(current, edges), options.floor);
}

function hasNaN(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) return true;
  return false;
}
