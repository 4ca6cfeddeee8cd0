import { describe, expect, it } from 'vitest';
import { result, type CheckResult, type CheckStatus, type Severity } from '../../src/core/check-result.ts';
import { decide } from '../../src/decision.ts';
import { checkIcon, countsText, reportView } from '../../src/report/view.ts';

const check = (id: string, status: CheckStatus, severity: Severity, extra: Partial<CheckResult> = {}): CheckResult =>
  result({ id, category: 'test', status, severity, message: `${id} message`, ...extra });

const view = (checks: CheckResult[]) => {
  const d = decide(checks);
  return reportView({ decision: d.decision, reason: d.reason, checks });
};

describe('reportView', () => {
  it('lists blockers first (failed before could-not-run), then warnings, and leaves passes and notes out', () => {
    const v = view([
      check('w1', 'fail', 'warning', { value: 1.946, threshold: '×1.5 warns' }),
      check('b2', 'error', 'blocker'),
      check('p', 'pass', 'blocker'),
      check('n', 'warn', 'info'),
      check('i', 'fail', 'info'),
      check('b1', 'fail', 'blocker', { hint: 'checks:\n  x: 1' }),
      check('s', 'skip', 'warning'),
    ]);
    expect(v.decision).toBe('NO-GO');
    expect(v.blockers.map((i) => [i.id, i.icon])).toEqual([['b1', '⛔'], ['b2', '💥']]);
    expect(v.warnings.map((i) => [i.id, i.icon, i.value, i.limit])).toEqual([['w1', '⚠️', '1.946', '×1.5 warns']]);
    expect(v.counts).toEqual({ blockers: 2, warnings: 1, passed: 2, notes: 2, skipped: 1 });
    expect(v.headline).toBe('2/6 checks passed, 1 blocker failed, 1 blocker could not run, 1 warning, 1 informational check failed, 1 with notes, 1 skipped — NO-GO');
    expect(countsText(v.counts)).toBe('⛔ 2 blocking · ⚠️ 1 warning · ✅ 2 passed (2 with notes) · ⏭️ 1 skipped');
  });

  it('says what to do next for each item', () => {
    const v = view([check('b', 'fail', 'blocker', { threshold: '>= 0.9' }), check('h', 'fail', 'blocker', { hint: 'x: 1' }), check('e', 'error', 'blocker'), check('w', 'fail', 'warning')]);
    expect(v.blockers.map((i) => i.next)).toEqual([
      'Blocks the release: fix what the message names so that it meets >= 0.9, then rerun model-gate.',
      'Blocks the release: apply the fix below, then rerun model-gate.',
      'Blocks the release because it could not run (fail closed): fix the cause in the message, then rerun model-gate.',
    ]);
    expect(v.warnings[0]!.next).toMatch(/a reviewer approves the environment/);
  });

  it('counts a DELAY as warnings, not failures', () => {
    const v = view([check('a', 'pass', 'blocker'), ...Array.from({ length: 6 }, (_, k) => check(`w${k}`, 'fail', 'warning'))]);
    expect(v.decision).toBe('DELAY');
    expect(v.headline).toBe('1/7 checks passed, 6 warnings — DELAY');
    expect(v.headline).not.toMatch(/failed/);
    expect(v.warnings.every((i) => i.icon === '⚠️')).toBe(true);
  });

  it('gives a warning ⚠️ whatever its status, and a note ℹ️', () => {
    expect(checkIcon({ status: 'fail', severity: 'warning' })).toBe('⚠️');
    expect(checkIcon({ status: 'error', severity: 'warning' })).toBe('⚠️');
    expect(checkIcon({ status: 'warn', severity: 'blocker' })).toBe('ℹ️');
    expect(checkIcon({ status: 'fail', severity: 'info' })).toBe('ℹ️');
    expect(checkIcon({ status: 'fail', severity: 'blocker' })).toBe('⛔');
    expect(checkIcon({ status: 'pass', severity: 'blocker' })).toBe('✅');
  });
});
