/**
 * The one test the stage's shares go through: is the canary's share (errors, or requests slower
 * than a bucket edge) beyond its tolerance, factor × stable's share + plus (or a fixed limit)?
 * The counts of every window of the stage are pooled; the difference canary − tolerance gets an
 * always-valid confidence sequence (normal-mixture SPRT, stats/sequential.ts) whose variance is
 * the binomial one widened by each arm's over-dispersion across windows (quasi-binomial), so the
 * stage may look after every window, and a canary inside its tolerance is not rolled back however
 * much traffic there is: the test is of the tolerance, not of equality.
 */
import { alwaysValid, dispersion as quasiBinomial, type Bound } from '../stats/sequential.ts';

/**
 * Over-dispersion across windows: an 80% upper bound on φ with 10 pseudo-degrees of freedom at
 * φ = 1 (stats/sequential.ts), so that two windows that happen to agree cannot hide it.
 */
export const DISPERSION = { level: 0.8, prior: 10 };
const dispersion = (k: number[], n: number[]) => quasiBinomial(k, n, DISPERSION.level, DISPERSION.prior);

/** Per-window counts of one arm: `k[i]` events of `n[i]` requests. */
export interface Arm {
  k: number[];
  n: number[];
}

export interface ToleranceTest extends Bound {
  /** Pooled shares and counts. */
  canary: { share: number | null; events: number; requests: number; dispersion: number };
  stable: { share: number | null; events: number; requests: number; dispersion: number } | null;
  /** The tolerance at the pooled stable share (the fixed limit without stable). */
  limit: number;
  alpha: number;
  windows: number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** A share's variance without the 0/0 of no events: (k + 1) / (n + 2) (Agresti–Caffo's adjustment). */
const shareVar = (k: number, n: number) => {
  const p = (k + 1) / (n + 2);
  return (p * (1 - p)) / n;
};

/**
 * The always-valid interval of canary − (factor × stable + plus); with `stable` null, of
 * canary − plus (a fixed limit). The mixture's scale τ is half the tolerance (floored at 10⁻⁴):
 * the test is most sensitive to excesses of that size, and still consistent for any other.
 */
export function toleranceTest(canary: Arm, stable: Arm | null, factor: number, plus: number, alpha: number): ToleranceTest {
  const kc = sum(canary.k);
  const nc = sum(canary.n);
  const dc = dispersion(canary.k, canary.n).factor;
  const pc = nc > 0 ? kc / nc : null;
  let ks = 0;
  let ns = 0;
  let ds = 1;
  let ps: number | null = null;
  if (stable) {
    ks = sum(stable.k);
    ns = sum(stable.n);
    ds = dispersion(stable.k, stable.n).factor;
    ps = ns > 0 ? ks / ns : null;
  }
  const limit = stable ? factor * (ps ?? 0) + plus : plus;
  const estimate = pc === null ? Number.NaN : pc - limit;
  const variance = (nc > 0 ? dc * shareVar(kc, nc) : Number.NaN) + (stable ? (ns > 0 ? factor * factor * ds * shareVar(ks, ns) : Number.NaN) : 0);
  const tau = Math.max(1e-4, limit / 2);
  return {
    ...alwaysValid(estimate, variance, tau * tau, alpha),
    canary: { share: pc, events: kc, requests: nc, dispersion: dc },
    stable: stable ? { share: ps, events: ks, requests: ns, dispersion: ds } : null,
    limit,
    alpha,
    windows: canary.n.filter((n) => n > 0).length,
  };
}
