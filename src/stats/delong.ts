/**
 * DeLong's test for two correlated ROC AUCs on the same rows (DeLong, DeLong & Clarke-Pearson,
 * 1988), as R's pROC `roc.test(method = "delong", paired = TRUE)` computes it: structural
 * components (placements) V10 of the positives and V01 of the negatives, their covariance
 * S = S10/m + S01/n, and z = (A₁ − A₂) / √(S₁₁ + S₂₂ − 2 S₁₂). O(n log n) for the sort, then O(n).
 *
 * Expressed as per-row influence values ψ (positives: (V10 − A)/√(m(m−1)); negatives:
 * (V01 − A)/√(n(n−1))) so that DeLong's covariance of two AUCs is exactly Σᵢ ψ₁ᵢ ψ₂ᵢ: the
 * same form the comparison uses for every analytic interval, and the one that extends to the
 * macro average of one-vs-rest AUCs (the mean of the classes' ψ).
 */
import { standardNormalCdf } from './normal.ts';

export interface AucInfluence {
  auc: number;
  /** Per row: its DeLong influence, so that Var(AUC) = Σ ψ² and Cov(AUC₁, AUC₂) = Σ ψ₁ψ₂. */
  influence: Float64Array;
}

/**
 * AUC and per-row influence of one score against binary truth. `order`: row indices sorted by
 * score ascending. null when either class is empty, a score is not finite, or a class has one
 * row (its variance is undefined).
 */
export function aucInfluence(score: (i: number) => number, positive: ArrayLike<number>, order: ArrayLike<number>): AucInfluence | null {
  const n = order.length;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(score(i))) return null;
    if (positive[i]) m++;
  }
  const neg = n - m;
  if (m < 2 || neg < 2) return null;
  const place = new Float64Array(n);
  let negBelow = 0;
  let posBelow = 0;
  let area = 0;
  for (let s = 0; s < n; ) {
    const v = score(order[s]!);
    let e = s;
    let tiePos = 0;
    let tieNeg = 0;
    do {
      if (positive[order[e]!]) tiePos++;
      else tieNeg++;
      e++;
    } while (e < n && score(order[e]!) === v);
    const v10 = (negBelow + tieNeg / 2) / neg; // share of negatives this positive outranks
    const v01 = (m - posBelow - tiePos + tiePos / 2) / m; // share of positives that outrank this negative
    for (let k = s; k < e; k++) place[order[k]!] = positive[order[k]!] ? v10 : v01;
    area += tiePos * v10;
    negBelow += tieNeg;
    posBelow += tiePos;
    s = e;
  }
  const auc = area / m;
  const sp = Math.sqrt(m * (m - 1));
  const sn = Math.sqrt(neg * (neg - 1));
  const influence = new Float64Array(n);
  for (let i = 0; i < n; i++) influence[i] = positive[i] ? (place[i]! - auc) / sp : (place[i]! - auc) / sn;
  return { auc, influence };
}

/** Σ aᵢ bᵢ: a covariance from influence values. */
export function influenceCovariance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export interface DelongTest {
  auc1: number;
  auc2: number;
  /** auc1 − auc2 */
  delta: number;
  /** Standard error of the delta. */
  se: number;
  z: number;
  /** Two-sided p-value, as pROC reports. */
  p_value: number;
}

/** pROC's paired DeLong test of two scores on the same rows. */
export function delongPaired(score1: ArrayLike<number>, score2: ArrayLike<number>, positive: ArrayLike<number>): DelongTest | null {
  const n = positive.length;
  const sorted = (s: ArrayLike<number>) => Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a]! - s[b]!);
  const a = aucInfluence((i) => score1[i]!, positive, sorted(score1));
  const b = aucInfluence((i) => score2[i]!, positive, sorted(score2));
  if (!a || !b) return null;
  const variance = influenceCovariance(a.influence, a.influence) + influenceCovariance(b.influence, b.influence) - 2 * influenceCovariance(a.influence, b.influence);
  const se = Math.sqrt(Math.max(0, variance));
  const delta = a.auc - b.auc;
  const z = se > 0 ? delta / se : delta === 0 ? 0 : Math.sign(delta) * Infinity;
  return { auc1: a.auc, auc2: b.auc, delta, se, z, p_value: Math.min(1, 2 * standardNormalCdf(-Math.abs(z))) };
}
