/**
 * Two samples counted on the same equal-width bins, for a picture of reference against current.
 * The range runs from the lower of the two 0.5 % quantiles to the higher of the two 99.5 %
 * quantiles, so one extreme value cannot squash every other bin into one; values beyond it are
 * counted in the outermost bins (and said so by `clipped`). Pure; the inputs are sorted and finite.
 */
import { quantileSorted } from './quantile.ts';

export interface SharedHistogram {
  /** bins + 1 ascending edges. */
  edges: number[];
  reference: number[];
  current: number[];
  /** Values outside [edges[0], edges[bins]], counted in the outermost bins: reference, current. */
  clipped: [number, number];
}

export const HISTOGRAM_BINS = 20;

export function sharedHistogram(a: ArrayLike<number>, b: ArrayLike<number>, bins = HISTOGRAM_BINS): SharedHistogram | null {
  if (a.length === 0 || b.length === 0) return null;
  let lo = Math.min(quantileSorted(a, 0.005), quantileSorted(b, 0.005));
  let hi = Math.max(quantileSorted(a, 0.995), quantileSorted(b, 0.995));
  if (!(hi > lo)) {
    lo = Math.min(a[0]!, b[0]!);
    hi = Math.max(a[a.length - 1]!, b[b.length - 1]!);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  const n = hi > lo ? bins : 1;
  const width = hi > lo ? (hi - lo) / n : 1;
  const edges = Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + i * width));
  const count = (xs: ArrayLike<number>): [number[], number] => {
    const out = new Array<number>(n).fill(0);
    let clipped = 0;
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      if (v < lo || v > hi) clipped++;
      const k = Math.floor((v - lo) / width);
      out[Math.min(n - 1, Math.max(0, Number.isFinite(k) ? k : 0))]!++;
    }
    return [out, clipped];
  };
  const [reference, cr] = count(a);
  const [current, cc] = count(b);
  return { edges: edges.map((e) => Number(e.toPrecision(6))), reference, current, clipped: [cr, cc] };
}
