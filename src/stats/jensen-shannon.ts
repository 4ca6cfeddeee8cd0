/**
 * Jensen–Shannon distance between two discrete distributions (counts or shares), natural log,
 * as scipy.spatial.distance.jensenshannon: sqrt((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q)/2.
 * Between 0 and sqrt(ln 2). NaN (undefined) when a count is negative or not finite, or a side is
 * empty: a NaN share would otherwise be skipped and the distance read 0.
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  if (!(sp > 0 && sq > 0 && Number.isFinite(sp) && Number.isFinite(sq))) return Number.NaN;
  for (let i = 0; i < p.length; i++) if (!(p[i]! >= 0 && q[i]! >= 0)) return Number.NaN;
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    if (pi > 0) left += pi * Math.log(pi / m);
    if (qi > 0) right += qi * Math.log(qi / m);
  }
  return Math.sqrt(Math.max(0, left + right) / 2);
}
