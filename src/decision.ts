/**
 * Checklist -> one decision. NO-GO when a blocker failed or could not run, DELAY when a warning
 * did, GO otherwise. Fail closed: an errored check counts as failed, and a run in which no check
 * produced a verdict is never GO.
 */
import type { CheckResult } from './core/check-result.ts';

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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * "18/20 checks passed, 1 blocker failed, 1 warning — NO-GO", the line a release manager reads
 * first. Counted by severity, as the decision is: a failed warning is a warning, not a failure; a
 * failed informational check is a note.
 */
export function headline(outcome: Pick<DecisionOutcome, 'decision'>, checks: readonly CheckResult[]): string {
  const n = (status: CheckResult['status'][], severity?: CheckResult['severity']) =>
    checks.filter((c) => status.includes(c.status) && (severity === undefined || c.severity === severity)).length;
  const skipped = n(['skip']);
  const judged = checks.length - skipped;
  const parts = [`${n(['pass', 'warn'])}/${judged} checks passed`];
  const blockersFailed = n(['fail'], 'blocker');
  const blockersErrored = n(['error'], 'blocker');
  const warnings = n(['fail', 'error'], 'warning');
  const warningsErrored = n(['error'], 'warning');
  const info = n(['fail', 'error'], 'info');
  const notes = n(['warn']);
  if (blockersFailed) parts.push(`${plural(blockersFailed, 'blocker')} failed`);
  if (blockersErrored) parts.push(`${plural(blockersErrored, 'blocker')} could not run`);
  if (warnings) parts.push(`${plural(warnings, 'warning')}${warningsErrored ? ` (${warningsErrored} could not run)` : ''}`);
  if (info) parts.push(`${plural(info, 'informational check')} failed`);
  if (notes) parts.push(`${notes} with notes`);
  if (skipped) parts.push(`${skipped} skipped`);
  return `${parts.join(', ')} — ${outcome.decision}`;
}
