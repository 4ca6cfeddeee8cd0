import { describe, expect, it } from 'vitest';
import { result, type CheckResult, type CheckStatus, type Severity } from '../../src/core/check-result.ts';
import { decide, headline } from '../../src/decision.ts';

const check = (id: string, status: CheckStatus, severity: Severity): CheckResult =>
  result({ id, category: 'test', status, severity, message: id });

describe('decide', () => {
  it('is GO when every blocker and warning passed', () => {
    const checks = [check('a', 'pass', 'blocker'), check('b', 'pass', 'warning'), check('c', 'fail', 'info')];
    const d = decide(checks);
    expect(d.decision).toBe('GO');
    expect(headline(d, checks)).toBe('2/3 checks passed, 1 informational check failed — GO');
  });

  it('is NO-GO when a blocker fails, naming it', () => {
    const d = decide([check('a', 'fail', 'blocker'), check('b', 'fail', 'warning')]);
    expect(d.decision).toBe('NO-GO');
    expect(d.deciding).toEqual(['a']);
  });

  it('fails closed: a blocker that could not run is NO-GO', () => {
    expect(decide([check('a', 'pass', 'blocker'), check('b', 'error', 'blocker')]).decision).toBe('NO-GO');
  });

  it('is DELAY when only a warning fails or errors', () => {
    expect(decide([check('a', 'pass', 'blocker'), check('b', 'fail', 'warning')]).decision).toBe('DELAY');
    expect(decide([check('a', 'pass', 'blocker'), check('b', 'error', 'warning')]).decision).toBe('DELAY');
  });

  it('is never GO when no check produced a verdict', () => {
    expect(decide([]).decision).toBe('NO-GO');
    expect(decide([check('a', 'skip', 'blocker'), check('b', 'pass', 'info')]).decision).toBe('NO-GO');
  });

  it('counts a pass with a note as passed', () => {
    const checks = [check('a', 'warn', 'blocker'), check('b', 'pass', 'blocker')];
    const d = decide(checks);
    expect(d.decision).toBe('GO');
    expect(headline(d, checks)).toBe('2/2 checks passed, 1 with notes — GO');
  });

  it('counts failed warnings as warnings, never as failures', () => {
    const checks = [check('a', 'pass', 'blocker'), check('b', 'fail', 'warning'), check('c', 'error', 'warning'), check('d', 'skip', 'blocker')];
    const d = decide(checks);
    expect(d.decision).toBe('DELAY');
    expect(headline(d, checks)).toBe('1/3 checks passed, 2 warnings (1 could not run), 1 skipped — DELAY');
  });

  it('names blockers that failed and could not run', () => {
    const checks = [check('a', 'fail', 'blocker'), check('b', 'error', 'blocker'), check('c', 'fail', 'warning')];
    expect(headline(decide(checks), checks)).toBe('0/3 checks passed, 1 blocker failed, 1 blocker could not run, 1 warning — NO-GO');
  });
});
