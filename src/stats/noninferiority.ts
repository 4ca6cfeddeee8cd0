/**
 * One metric's change judged against a tolerated margin: the non-inferiority test ("is the
 * candidate worse than the baseline by more than the margin?") and its mirror, superiority by a
 * margin ("has it improved by at least this much?"). Pure and unit-free: the caller passes the
 * change in the metric's own units (or relative units, with a relative margin).
 *
 * Everything is one-sided at level α: the interval passed in is the two-sided (1 − 2α)
 * interval, whose ends are the one-sided (1 − α) bounds. A regression beyond the margin is
 * shown when the whole interval lies beyond it; non-inferiority is shown when the whole
 * interval lies above −margin; otherwise the data cannot tell (inconclusive).
 *
 * Power: with the standard error of the change, the minimum detectable effect at level α and
 * power 1 − β is MDE = (z₁₋α + z₁₋β)·SE: the smallest true regression the eval set would show
 * beyond 0 with that power, and equally the smallest margin within which an unchanged model
 * would be shown non-inferior with that power. When MDE > margin the eval set is too small to
 * show non-inferiority; SE shrinks as 1/√n, so it needs about n·(MDE/margin)² rows.
 */
import type { Interval } from './bootstrap.ts';
import { normalQuantile } from './normal.ts';

export type Direction = 'higher' | 'lower';

export interface ChangeEstimate {
  /** candidate − baseline, in the metric's units (or relative units). */
  estimate: number;
  /** Two-sided (1 − 2α) interval of the estimate, same units. */
  interval: Interval;
  /** Standard error of the estimate, for the power statement; null when unknown. */
  se: number | null;
  /** Which way is better for this metric. */
  direction: Direction;
  /** Rows the estimate was measured on. */
  rows: number;
}

export interface NonInferiorityJudgement {
  /** inferior: worse than the margin is shown; non-inferior: within the margin is shown. */
  verdict: 'inferior' | 'non-inferior' | 'inconclusive';
  /** The change and its interval oriented so that positive is better. */
  improvement: number;
  improvement_interval: Interval;
  /** The tolerated regression (≥ 0), in the estimate's units. */
  margin: number;
  /** One-sided level of the verdict. */
  alpha: number;
  /** Minimum detectable effect at α and `power`; null without a standard error. */
  mde: number | null;
  power: number;
  /** MDE > margin: the eval set is too small to show non-inferiority at this power. */
  underpowered: boolean;
  /** Rows needed for MDE ≤ margin (null when not underpowered or unknown). */
  rows_needed: number | null;
}

/** The change as improvement (positive is better). */
export function asImprovement(i: Interval, direction: Direction): Interval {
  return direction === 'higher' ? { low: i.low, high: i.high } : { low: -i.high, high: -i.low };
}

/** (z₁₋α + z_power)·SE. */
export function minimumDetectableEffect(se: number, alpha: number, power = 0.8): number {
  return (normalQuantile(1 - alpha) + normalQuantile(power)) * se;
}

/** Rows for MDE ≤ margin, from an MDE measured on `rows` rows (SE ∝ 1/√n). */
export function rowsNeeded(rows: number, mde: number, margin: number): number | null {
  if (!(margin > 0) || !Number.isFinite(mde)) return null;
  return Math.ceil(rows * (mde / margin) ** 2);
}

/**
 * The non-inferiority judgement of one metric's change against a margin (the largest regression
 * tolerated, ≥ 0). The interval must be the two-sided (1 − 2·alpha) one.
 */
export function judgeNonInferiority(change: ChangeEstimate, margin: number, alpha: number, power = 0.8): NonInferiorityJudgement {
  const imp = asImprovement(change.interval, change.direction);
  const verdict = imp.high < -margin ? 'inferior' : imp.low > -margin ? 'non-inferior' : 'inconclusive';
  const mde = change.se !== null && Number.isFinite(change.se) ? minimumDetectableEffect(change.se, alpha, power) : null;
  const underpowered = mde !== null && mde > margin;
  return {
    verdict,
    improvement: change.direction === 'higher' ? change.estimate : -change.estimate,
    improvement_interval: imp,
    margin,
    alpha,
    mde,
    power,
    underpowered,
    rows_needed: underpowered ? rowsNeeded(change.rows, mde, margin) : null,
  };
}

/** Superiority by a margin: shown when the whole (1 − 2α) interval improves by at least `needed`. */
export function judgeSuperiority(change: ChangeEstimate, needed: number): { shown: boolean; improvement_interval: Interval } {
  const imp = asImprovement(change.interval, change.direction);
  return { shown: imp.low >= needed, improvement_interval: imp };
}
