import { describe, expect, it } from 'vitest';
import { result, type CheckResult, type CheckStatus, type Severity } from '../../src/checks/types.ts';
import { decide, headline } from '../../src/decision.ts';

const check = (id: string, status: CheckStatus, severity: Severity): CheckResult =>
  result({ id, category: 'test', status, severity, message: id });

describe('decide', () => {
  it('is GO when every blocker and warning passed', () => {
    const d = decide([check('a', 'pass', 'blocker'), check('b', 'pass', 'warning'), check('c', 'fail', 'info')]);
    expect(d.decision).toBe('GO');
    expect(headline(d)).toBe('2/3 checks passed, 1 failed — GO');
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
    const d = decide([check('a', 'warn', 'blocker'), check('b', 'pass', 'blocker')]);
    expect(d.decision).toBe('GO');
    expect(headline(d)).toBe('2/2 checks passed, 1 with notes — GO');
  });
});
