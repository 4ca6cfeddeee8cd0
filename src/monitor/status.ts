/**
 * The monitor's checklist -> OK / DEGRADED / FAILING, by the gate's own decision (src/decision.ts):
 * a failed or unmeasurable blocker is FAILING, a warning DEGRADED, and a run in which nothing was
 * judged is never OK (it is DEGRADED: the model is not shown to be healthy, but nothing failed).
 */
import type { CheckResult } from '../core/check-result.ts';
import { decide } from '../decision.ts';

export type MonitorStatus = 'OK' | 'DEGRADED' | 'FAILING';

export function monitorStatus(checks: readonly CheckResult[]): { status: MonitorStatus; reason: string; deciding: string[] } {
  const judged = checks.filter((c) => c.status !== 'skip' && c.severity !== 'info');
  if (judged.length === 0) return { status: 'DEGRADED', reason: 'nothing was judged (no window rows, no scores, no metrics): the model is not shown to be healthy', deciding: [] };
  const d = decide(checks);
  const status: MonitorStatus = d.decision === 'GO' ? 'OK' : d.decision === 'DELAY' ? 'DEGRADED' : 'FAILING';
  return { status, reason: d.decision === 'GO' ? 'every check passed' : d.reason, deciding: d.deciding };
}

export const STATUS_ICON: Record<MonitorStatus, string> = { OK: '✅', DEGRADED: '⚠️', FAILING: '❌' };

/** The CLI's exit codes, in the gate's scheme: OK 0, FAILING 1 (as NO-GO), DEGRADED 3 (as DELAY). */
export const MONITOR_EXIT_CODES: Record<MonitorStatus, number> = { OK: 0, FAILING: 1, DEGRADED: 3 };
