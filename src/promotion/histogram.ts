/**
 * Reading a cumulative latency histogram honestly: a quantile is only known to lie within its
 * bucket, so the judge works with bucket edges and the share of requests above an edge; the
 * interpolated value (Prometheus' histogram_quantile) is shown for orientation, never judged.
 */
import type { Histogram } from './types.ts';

/** A quantile as Prometheus' histogram_quantile computes it (linear within a bucket). */
export function histogramQuantile(h: Histogram, q: number): number | null {
  const total = h.cumulative.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < h.le.length; i++) {
    if (h.cumulative[i]! >= rank) {
      if (!Number.isFinite(h.le[i]!)) return h.le[i - 1] ?? null; // in the +Inf bucket: the highest finite bound
      const lower = i > 0 ? h.le[i - 1]! : 0;
      const below = i > 0 ? h.cumulative[i - 1]! : 0;
      const inBucket = h.cumulative[i]! - below;
      return inBucket > 0 ? lower + (h.le[i]! - lower) * ((rank - below) / inBucket) : h.le[i]!;
    }
  }
  return null;
}

/** The bucket (lower edge, upper edge] holding the q-quantile; null without observations. */
export function quantileBucket(h: Histogram, q: number): { lower: number; upper: number } | null {
  const total = h.cumulative.at(-1) ?? 0;
  if (total <= 0) return null;
  const i = h.cumulative.findIndex((c) => c >= q * total);
  if (i < 0) return null;
  return { lower: i > 0 ? h.le[i - 1]! : 0, upper: h.le[i]! };
}

/** Histograms of the same edges added up (null ones skipped); null when there are none. */
export function poolHistograms(hs: (Histogram | null)[]): Histogram | null {
  const present = hs.filter((h): h is Histogram => h !== null);
  if (present.length === 0) return null;
  const le = present[0]!.le;
  const cumulative = le.map((_, i) => present.reduce((s, h) => s + h.cumulative[i]!, 0));
  return { le, cumulative };
}

/** Observations above the edge `le` (which must be one of the histogram's edges): total − cumulative(le). */
export function above(h: Histogram | null, le: number): number {
  if (!h) return 0;
  const i = h.le.indexOf(le);
  const total = h.cumulative.at(-1) ?? 0;
  return i < 0 ? 0 : Math.max(0, total - h.cumulative[i]!);
}

export const total = (h: Histogram | null): number => h?.cumulative.at(-1) ?? 0;
