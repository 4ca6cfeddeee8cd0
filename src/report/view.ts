/**
 * The one view every report face renders: what blocks, what warns, what to do next, the counts and
 * the headline. The comment, the job summary, report.html and the terminal read only this for
 * those parts, so they cannot disagree. Pure: Report in, plain (unescaped) strings out; each
 * renderer escapes for its own target.
 */
import type { CheckResult, CheckStatus, CheckValue } from '../core/check-result.ts';
import { significant } from '../core/format.ts';
import { headline } from '../decision.ts';
import type { Decision } from '../decision.ts';

export interface ViewItem {
  id: string;
  severity: 'blocker' | 'warning';
  status: CheckStatus;
  /** ⛔ a blocker that failed, 💥 one that could not run, ⚠️ a warning (failed or could not run). */
  icon: string;
  value: string | null;
  /** What the value was judged against. */
  limit: string | null;
  message: string;
  hint: string | null;
  /** The one line that says what clears it. */
  next: string;
}

export interface ViewCounts {
  blockers: number;
  warnings: number;
  passed: number;
  /** Passed with a note, or an informational check that failed: neither gates. */
  notes: number;
  skipped: number;
}

export interface ReportView {
  decision: Decision;
  headline: string;
  reason: string;
  /** Blockers first (failed, then could not run), in checklist order within each. */
  blockers: ViewItem[];
  warnings: ViewItem[];
  counts: ViewCounts;
}

const failed = (c: CheckResult) => c.status === 'fail' || c.status === 'error';

/** The icon of a checklist row: a warning is ⚠️ whatever its status, a note is ℹ️. */
export function checkIcon(c: Pick<CheckResult, 'status' | 'severity'>): string {
  if (c.status === 'skip') return '⏭️';
  if (c.status === 'pass') return '✅';
  if (c.status === 'warn' || c.severity === 'info') return 'ℹ️';
  if (c.severity === 'warning') return '⚠️';
  return c.status === 'error' ? '💥' : '⛔';
}

/** A value as one short line: numbers as measured, lists abbreviated; a record is left to the message. */
export function valueText(v: CheckValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return String(significant(v, 6));
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  // A record of figures (latency percentiles …) is what the message already spells out.
  if (!Array.isArray(v)) return null;
  const text = v.join(', ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function nextStep(c: CheckResult): string {
  if (c.severity === 'blocker') {
    if (c.status === 'error') return 'Blocks the release because it could not run (fail closed): fix the cause in the message, then rerun model-gate.';
    return c.hint
      ? 'Blocks the release: apply the fix below, then rerun model-gate.'
      : `Blocks the release: fix what the message names${c.threshold ? ` so that it meets ${c.threshold}` : ''}, then rerun model-gate.`;
  }
  return 'Delays the release: a reviewer approves the environment to ship anyway, or fix it (see the message) and rerun model-gate.';
}

function item(c: CheckResult & { severity: 'blocker' | 'warning' }): ViewItem {
  return {
    id: c.id,
    severity: c.severity,
    status: c.status,
    icon: checkIcon(c),
    value: valueText(c.value),
    limit: c.threshold ?? null,
    message: c.message,
    hint: c.hint ?? null,
    next: nextStep(c),
  };
}

const gating = (severity: 'blocker' | 'warning') => (c: CheckResult): c is CheckResult & { severity: typeof severity } => failed(c) && c.severity === severity;
const failedFirst = (a: ViewItem, b: ViewItem) => Number(a.status === 'error') - Number(b.status === 'error');

export function reportView(report: { decision: Decision; reason: string; checks: readonly CheckResult[]; summary?: unknown }): ReportView {
  const { checks } = report;
  const blockers = checks.filter(gating('blocker')).map(item).sort(failedFirst);
  const warnings = checks.filter(gating('warning')).map(item).sort(failedFirst);
  return {
    decision: report.decision,
    headline: headline({ decision: report.decision }, checks),
    reason: report.reason,
    blockers,
    warnings,
    counts: {
      blockers: blockers.length,
      warnings: warnings.length,
      passed: checks.filter((c) => c.status === 'pass' || c.status === 'warn').length,
      notes: checks.filter((c) => c.status === 'warn' || (failed(c) && c.severity === 'info')).length,
      skipped: checks.filter((c) => c.status === 'skip').length,
    },
  };
}

/** "⛔ 1 blocking · ⚠️ 2 warnings · ✅ 15 passed (1 with notes) · ⏭️ 2 skipped", the same on every face. */
export function countsText(c: ViewCounts): string {
  return `⛔ ${c.blockers} blocking · ⚠️ ${c.warnings} warning${c.warnings === 1 ? '' : 's'} · ✅ ${c.passed} passed${c.notes ? ` (${c.notes} with notes)` : ''} · ⏭️ ${c.skipped} skipped`;
}

/**
 * A metric's floor or ceiling (the `metrics.<name>` check) and whether it held, so a table never
 * shows "better" beside a metric that failed its limit without saying so.
 */
export function metricLimit(report: { checks: readonly CheckResult[] }, name: string): { limit: string; icon: string; status: CheckStatus } | null {
  const c = report.checks.find((k) => k.id === `metrics.${name}`);
  if (!c || !c.threshold) return null;
  return { limit: c.threshold, icon: checkIcon(c), status: c.status };
}
