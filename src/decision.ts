/**
 * Checklist -> one decision. NO-GO when a blocker failed or could not run, DELAY when a warning
 * did, GO otherwise. Fail closed: an errored check counts as failed, and a run in which no check
 * produced a verdict is never GO.
 */
import type { CheckResult } from './checks/types.ts';

export type Decision = 'GO' | 'NO-GO' | 'DELAY';

export interface ChecklistSummary {
  total: number;
  passed: number;
  warned: number;
  failed: number;
  errored: number;
  skipped: number;
}

export interface DecisionOutcome {
  decision: Decision;
  /** One sentence saying why. */
  reason: string;
  summary: ChecklistSummary;
  /** Ids of the items that decided: failed/errored blockers for NO-GO, warnings for DELAY. */
  deciding: string[];
}

const counts = (checks: readonly CheckResult[]): ChecklistSummary => ({
  total: checks.length,
  passed: checks.filter((c) => c.status === 'pass').length,
  warned: checks.filter((c) => c.status === 'warn').length,
  failed: checks.filter((c) => c.status === 'fail').length,
  errored: checks.filter((c) => c.status === 'error').length,
  skipped: checks.filter((c) => c.status === 'skip').length,
});

const isFailure = (c: CheckResult) => c.status === 'fail' || c.status === 'error';

export function decide(checks: readonly CheckResult[]): DecisionOutcome {
  const summary = counts(checks);
  const blockers = checks.filter((c) => isFailure(c) && c.severity === 'blocker');
  if (blockers.length > 0) {
    return {
      decision: 'NO-GO',
      reason: `${blockers.length} blocking check${blockers.length === 1 ? '' : 's'} failed: ${blockers.map((c) => c.id).join(', ')}`,
      summary,
      deciding: blockers.map((c) => c.id),
    };
  }
  const judged = checks.filter((c) => c.status !== 'skip' && c.severity !== 'info');
  if (judged.length === 0) {
    return {
      decision: 'NO-GO',
      reason: 'no check produced a verdict, so nothing says the model is safe to ship',
      summary,
      deciding: [],
    };
  }
  const warnings = checks.filter((c) => isFailure(c) && c.severity === 'warning');
  if (warnings.length > 0) {
    return {
      decision: 'DELAY',
      reason: `${warnings.length} warning${warnings.length === 1 ? '' : 's'} need${warnings.length === 1 ? 's' : ''} a human look: ${warnings.map((c) => c.id).join(', ')}`,
      summary,
      deciding: warnings.map((c) => c.id),
    };
  }
  return { decision: 'GO', reason: 'every blocking and warning check passed', summary, deciding: [] };
}

/** "12/12 checks passed — GO", the line a release manager reads first. */
export function headline(outcome: DecisionOutcome): string {
  const { summary: s } = outcome;
  const judged = s.total - s.skipped;
  // A check that passed with a note ("warn") still passed.
  const parts = [`${s.passed + s.warned}/${judged} checks passed`];
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.errored) parts.push(`${s.errored} could not run`);
  if (s.warned) parts.push(`${s.warned} with notes`);
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  return `${parts.join(', ')} — ${outcome.decision}`;
}
