/**
 * The result shape every check family produces; the decision and all reports read only this.
 * It sits at the bottom of the module layers (docs/architecture.md) because config, the check
 * families, the decision and the reports all share it.
 */

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'error';
export type Severity = 'blocker' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['blocker', 'warning', 'info'];

export type CheckValue = number | string | boolean | null | readonly (number | string)[] | Record<string, unknown>;

export interface CheckResult {
  /** Stable dotted id, e.g. `latency.batch_1.p95`. */
  id: string;
  /** The check family: artifact, smoke, outputs, latency, errors, version, … */
  category: string;
  status: CheckStatus;
  severity: Severity;
  /** What was measured, in the unit the message names. */
  value: CheckValue;
  /** What the value was judged against, human-readable (e.g. "<= 100 ms"); null when informational. */
  threshold: string | null;
  /** One line a release manager can act on. */
  message: string;
  /** What to do about it when the message alone cannot say: e.g. a config snippet to paste. */
  hint?: string;
}

export function result(
  fields: Omit<CheckResult, 'value' | 'threshold'> & Partial<Pick<CheckResult, 'value' | 'threshold'>>,
): CheckResult {
  return { value: null, threshold: null, ...fields };
}

/** A check that could not be carried out: counts as failed in the decision (fail closed). */
export function errored(id: string, category: string, severity: Severity, cause: string): CheckResult {
  return result({ id, category, severity, status: 'error', message: cause });
}

export function skipped(id: string, category: string, severity: Severity, why: string): CheckResult {
  return result({ id, category, severity, status: 'skip', message: why });
}

