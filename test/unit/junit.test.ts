/** The JUnit XML report: valid against the Ant/Jenkins JUnit XSD, every check a testcase, any text carried intact. */
import { reportOf } from '../support/report.ts';
import { skipWithout } from '../support/tools.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/check-result.ts';
import type { Report } from '../../src/report/json.ts';
import { attr, renderJunit, text } from '../../src/report/junit.ts';
import { junitSchemaErrors, xpath } from '../support/xmllint.ts';

const check = (id: string, status: CheckResult['status'], over: Partial<CheckResult> = {}): CheckResult => ({
  id,
  category: id.split('.')[0]!,
  status,
  severity: 'blocker',
  value: null,
  threshold: null,
  message: `${id}: ${status}`,
  ...over,
});

function report(checks: CheckResult[], over: Partial<Report> = {}): Report {
  return reportOf(checks, {
    decision: 'NO-GO',
    reason: '1 blocking check failed: latency.batch_1',
    headline: '3/6 checks passed — NO-GO',
    summary: { total: checks.length, passed: 0, warned: 0, failed: 0, errored: 0, skipped: 0 },
    config: { path: '.github/model-gate.yml', sha256: null, fail_on: 'no-go' },
    started_at: '2026-11-22T08:09:10.123Z',
    duration_ms: 1234,
    ...over,
  });
}

/** Text no XML 1.0 document may hold raw: markup, a CDATA end, quotes, controls, lone surrogates, newlines. */
const HOSTILE = 'a < b && c > d ]]> "q" \'s\' \u0000nul \u001b[31mred\u0007 \ud800lone tab\there\nline2\r\nline3 \ufffe 🚀 ü';

function written(xml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mg-junit-')), 'junit.xml');
  writeFileSync(file, xml);
  return file;
}

const checklist = [
  check('smoke.load', 'pass'),
  check('latency.batch_1', 'fail', { value: 312.5, threshold: 'p95 <= 100 ms', hint: 'raise the limit or speed the model up' }),
  check('drift.dataset', 'fail', { severity: 'warning' }),
  check('metrics.accuracy', 'error', { message: 'the label column "species" is missing' }),
  check('comparison.accuracy', 'skip', { message: 'no baseline configured, so no comparison' }),
  check('drift.baseline.score', 'warn', { severity: 'info', message: 'score drifted against the baseline' }),
];

describe.skipIf(skipWithout('xmllint'))('renderJunit', () => {
  it('validates against the JUnit XSD with every status present', () => {
    const file = written(renderJunit(report(checklist), { hostname: 'ci-runner-7' }));
    expect(junitSchemaErrors(file)).toBe('');
  });

  it('makes one testcase per check: failures and errors typed by severity, skips skipped, warn passes with its note', () => {
    const file = written(renderJunit(report(checklist)));
    const suite = '/testsuites/testsuite';
    expect(xpath(file, `${suite}/@name`)).toBe('model-gate validate: NO-GO');
    expect([`${suite}/@tests`, `${suite}/@failures`, `${suite}/@errors`, `${suite}/@skipped`].map((x) => xpath(file, x))).toEqual(['6', '2', '1', '1']);
    expect(xpath(file, `${suite}/@time`)).toBe('1.234');
    expect(xpath(file, `${suite}/@timestamp`)).toBe('2026-11-22T08:09:10');
    expect(xpath(file, `${suite}/@hostname`)).toBe('localhost');
    expect(xpath(file, `count(${suite}/testcase)`)).toBe('6');
    expect(xpath(file, `${suite}/testcase[@name="latency.batch_1"]/@classname`)).toBe('model-gate.latency');
    expect(xpath(file, `${suite}/testcase[@name="latency.batch_1"]/failure/@type`)).toBe('blocker');
    const failure = xpath(file, `${suite}/testcase[@name="latency.batch_1"]/failure`);
    expect(failure).toContain('threshold: p95 <= 100 ms');
    expect(failure).toContain('value: 312.5');
    expect(failure).toContain('hint: raise the limit or speed the model up');
    expect(xpath(file, `${suite}/testcase[@name="drift.dataset"]/failure/@type`)).toBe('warning');
    expect(xpath(file, `${suite}/testcase[@name="metrics.accuracy"]/error/@message`)).toBe('the label column "species" is missing');
    expect(xpath(file, `${suite}/testcase[@name="comparison.accuracy"]/skipped/@message`)).toBe('no baseline configured, so no comparison');
    expect(xpath(file, `count(${suite}/testcase[@name="drift.baseline.score"]/*)`)).toBe('0');
    expect(xpath(file, `${suite}/properties/property[@name="note.drift.baseline.score"]/@value`)).toBe('score drifted against the baseline');
    expect(xpath(file, `${suite}/properties/property[@name="severity.drift.dataset"]/@value`)).toBe('warning');
    expect(xpath(file, `${suite}/properties/property[@name="decision"]/@value`)).toBe('NO-GO');
    expect(xpath(file, `${suite}/system-out`)).toContain('NO-GO: 1 blocking check failed: latency.batch_1');
  });

  it('carries hostile text intact in attributes and elements, with only what XML cannot hold replaced', () => {
    const hostile = [check('errors.nan_input', 'fail', { message: HOSTILE, hint: HOSTILE }), check(`x.${HOSTILE}`, 'skip', { message: HOSTILE })];
    const xml = renderJunit(report(hostile, { reason: HOSTILE, model: { ...report([]).model, path: HOSTILE } }), { hostname: HOSTILE });
    expect(xml).not.toContain(']]>');
    const file = written(xml);
    expect(junitSchemaErrors(file)).toBe('');
    // What a parser reads back: the same text, the characters XML 1.0 cannot carry as U+FFFD.
    // eslint-disable-next-line no-control-regex -- the control characters are the point
    const readable = HOSTILE.replace(/[\u0000\u001b\u0007\ufffe]|\ud800/g, '\ufffd');
    const suite = '/testsuites/testsuite';
    expect(xpath(file, `${suite}/testcase[@name="errors.nan_input"]/failure/@message`)).toBe(readable);
    expect(xpath(file, `${suite}/properties/property[@name="reason"]/@value`)).toBe(readable);
    expect(xpath(file, `${suite}/properties/property[@name="model"]/@value`)).toBe(readable);
    expect(xpath(file, `${suite}/testcase[@name="errors.nan_input"]/failure`)).toContain(`hint: ${readable.replace(/\r\n/g, '\n')}`);
  });

  it('has no testcase and still validates when there is no check, and survives an unreadable start time', () => {
    const file = written(renderJunit(report([], { started_at: 'not a date' })));
    expect(junitSchemaErrors(file)).toBe('');
    expect(xpath(file, '/testsuites/testsuite/@tests')).toBe('0');
  });

  it('escapes per target', () => {
    expect(text('x]]>y<&')).toBe('x]]&gt;y&lt;&amp;');
    expect(attr('a"b\nc\td\re')).toBe('a&quot;b&#10;c&#9;d&#13;e');
    expect(text('\u0000\u0008\u000b\u000c\u001f\t\n\r')).toBe('\ufffd'.repeat(5) + '\t\n\r');
    expect(text('\udc00a\ud83d\ude80')).toBe('\ufffda🚀');
  });
});
