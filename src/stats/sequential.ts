/**
 * Always-valid inference for a canary stage: the mixture sequential probability ratio test (mSPRT)
 * with a normal mixing distribution, for an estimate that is (asymptotically) normal with known
 * variance, and the confidence sequence it inverts to. Johari, Pekelis & Walsh (2017), "Always
 * valid inference"; Lindon, Sanden & Shirikian (2022), "Rapid regression detection in software
 * deployments through sequential testing" use the same construction. The test may be looked at
 * after every window and stopped at any look: the chance it ever rejects a true null is ≤ α.
 *
 * With θ̂ ~ N(θ, V) and the mixture θ ~ N(θ₀, τ²) under the alternative, the likelihood ratio is
 *   Λ = sqrt(V / (V + τ²)) · exp(τ² (θ̂ − θ₀)² / (2 V (V + τ²)))
 * and {θ₀ : Λ < 1/α} is the confidence sequence θ̂ ± h with
 *   h = sqrt(V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V))).
 * A one-sided rule (reject θ ≤ 0 when the lower end exceeds 0) is a subset of the two-sided one, so
 * its error is ≤ α as well. Scripts/reference/promotion_sequential.py computes the same from the paper.
 */
import { chi2Sf } from './chi2.ts';

/** ln Λ of the normal-mixture SPRT for the estimate `estimate` (θ̂ − θ₀) with variance `variance`. */
export function msprtLogLR(estimate: number, variance: number, tau2: number): number {
  if (!(variance > 0) || !(tau2 > 0) || !Number.isFinite(estimate)) return Number.NaN;
  return 0.5 * Math.log(variance / (variance + tau2)) + (tau2 * estimate * estimate) / (2 * variance * (variance + tau2));
}

/** Half-width of the always-valid (1 − α) confidence sequence around the estimate. */
export function csHalfWidth(variance: number, tau2: number, alpha: number): number {
  if (!(variance > 0) || !(tau2 > 0) || !(alpha > 0 && alpha < 1)) return Number.NaN;
  return Math.sqrt(((variance * (variance + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((variance + tau2) / variance)));
}

export interface Bound {
  estimate: number;
  lower: number;
  upper: number;
  /** ln Λ against θ₀ = 0: the evidence against "no difference from the tolerance". */
  log_lr: number;
}

/** The always-valid interval of θ from its estimate and variance (NaN ends when undefined). */
export function alwaysValid(estimate: number, variance: number, tau2: number, alpha: number): Bound {
  const h = csHalfWidth(variance, tau2, alpha);
  return { estimate, lower: estimate - h, upper: estimate + h, log_lr: msprtLogLR(estimate, variance, tau2) };
}

/** The q-quantile of χ² with `dof` degrees of freedom, by bisection on the survival function. */
export function chi2Quantile(q: number, dof: number): number {
  if (!(q > 0 && q < 1) || !(dof > 0)) return Number.NaN;
  let lo = 0;
  let hi = Math.max(1, dof);
  while (1 - chi2Sf(hi, dof) < q && hi < 1e9) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (1 - chi2Sf(mid, dof) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const quantiles = new Map<string, number>();
/** chi2Quantile remembered: a stage asks for the same few (level, dof) at every window and edge. */
function chi2QuantileCached(q: number, dof: number): number {
  const key = `${q}:${dof}`;
  let v = quantiles.get(key);
  if (v === undefined) {
    v = chi2Quantile(q, dof);
    if (quantiles.size < 10_000) quantiles.set(key, v);
  }
  return v;
}

export interface Dispersion {
  /** Pearson's χ² of the windows' counts around the pooled share. */
  pearson: number;
  dof: number;
  /** The quasi-binomial dispersion φ̂ = χ²/dof, floored at 1 (null with fewer than two windows). */
  estimate: number | null;
  /**
   * What the variance is multiplied by: an upper confidence bound on φ (χ²/χ²_dof(1 − level)),
   * floored at 1, so that a few windows that happen to agree cannot hide over-dispersion.
   */
  factor: number;
}

/**
 * Over-dispersion of a binomial share across windows (the quasi-binomial model): events `k[i]` of
 * `n[i]` in window i; Pearson's χ² of the windows around the pooled share, on dof = windows − 1.
 * The factor is an upper confidence bound at `level` on φ from χ² plus `prior` pseudo-degrees of
 * freedom at φ = 1: (χ² + prior) / χ²_{dof + prior}(1 − level), floored at 1. The prior keeps the
 * first windows usable (with dof = 1 alone the bound is 16 χ²) while many windows speak for
 * themselves; with prior 0 and fewer than two windows there is nothing to estimate (factor 1).
 */
export function dispersion(k: readonly number[], n: readonly number[], level = 0.8, prior = 0): Dispersion {
  let K = 0;
  let N = 0;
  let windows = 0;
  for (let i = 0; i < n.length; i++) {
    if (!(n[i]! > 0)) continue;
    K += k[i]!;
    N += n[i]!;
    windows++;
  }
  const dof = Math.max(0, windows - 1);
  let x2 = 0;
  if (dof >= 1) {
    // A share of 0 or 1 has no binomial variance to be over: half an event keeps χ² finite.
    const p = Math.min(Math.max(K, 0.5), N - 0.5) / N;
    for (let i = 0; i < n.length; i++) {
      if (!(n[i]! > 0)) continue;
      const e = n[i]! * p;
      x2 += (k[i]! - e) ** 2 / (e * (1 - p));
    }
  }
  if (dof + prior <= 0) return { pearson: Number.NaN, dof, estimate: null, factor: 1 };
  const upper = (x2 + prior) / chi2QuantileCached(1 - level, dof + prior);
  return { pearson: dof >= 1 ? x2 : Number.NaN, dof, estimate: dof >= 1 ? Math.max(1, x2 / dof) : null, factor: Math.max(1, Number.isFinite(upper) ? upper : 1) };
}
