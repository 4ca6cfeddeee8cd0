/**
 * The checklist as a JUnit XML report, for CI systems that show test results natively (GitLab's
 * merge-request test widget, Jenkins' `junit` step, Azure's PublishTestResults). Pure: built from
 * the Report alone. Valid against the Ant/Jenkins JUnit schema (test/fixtures/junit/JUnit.xsd):
 * `<testsuites>` holding one `<testsuite>` whose name carries the decision.
 *
 * One testcase per check, its classname `model-gate.<category>`:
 * - fail  -> `<failure type="<severity>">`, error -> `<error type="<severity>">`: CI widgets list
 *   these, so a NO-GO's blockers and a DELAY's warnings are what a reviewer sees first.
 * - skip  -> `<skipped>` with the reason.
 * - pass and warn -> a passing testcase: the decision counts "warn" as passed with a note, so
 *   showing it as a failure would contradict the verdict (and turn a Jenkins build UNSTABLE on a
 *   GO). Its note goes into the suite's properties (`note.<id>`) and system-out.
 * The schema allows no properties on a testcase, so every check's severity is a suite property
 * (`severity.<id>`) as well as the failure's `type`.
 */
import type { CheckResult } from '../core/check-result.ts';
import type { Report } from './json.ts';

export interface JunitOptions {
  /** The machine the run happened on (the schema requires one; `localhost` when unknown). */
  hostname?: string;
}

export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const checks = report.checks;
  const count = (status: CheckResult['status']) => checks.filter((c) => c.status === status).length;
  const seconds = (report.duration_ms / 1000).toFixed(3);
  const properties: [string, string][] = [
    ['decision', report.decision],
    ['reason', report.reason],
    ['headline', report.headline],
    ['version', report.version.id],
    ['model', report.model.path],
    ['model.sha256', report.model.sha256],
    ['runner', report.model.runner],
    ['config', report.config.path ?? ''],
    ['fail_on', report.config.fail_on],
    ['tool', `${report.tool.name} ${report.tool.version}`],
    ...checks.map((c): [string, string] => [`severity.${c.id}`, c.severity]),
    ...checks.filter((c) => c.status === 'warn').map((c): [string, string] => [`note.${c.id}`, c.message]),
  ];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites>',
    `  <testsuite ${attrs({
      name: `model-gate validate: ${report.decision}`,
      package: 'model-gate',
      id: '0',
      timestamp: timestamp(report.started_at),
      hostname: options.hostname?.trim() || 'localhost',
      tests: String(checks.length),
      failures: String(count('fail')),
      errors: String(count('error')),
      skipped: String(count('skip')),
      time: seconds,
    })}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property ${attrs({ name, value })}/>`),
    '    </properties>',
    ...checks.map(testcase),
    `    <system-out>${text(systemOut(report))}</system-out>`,
    '    <system-err></system-err>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  return out.join('\n');
}

function testcase(c: CheckResult): string {
  const head = `    <testcase ${attrs({ name: c.id, classname: `model-gate.${c.category}`, time: '0' })}`;
  switch (c.status) {
    case 'fail':
      return `${head}>\n      <failure ${attrs({ type: c.severity, message: c.message })}>${text(details(c))}</failure>\n    </testcase>`;
    case 'error':
      return `${head}>\n      <error ${attrs({ type: c.severity, message: c.message })}>${text(details(c))}</error>\n    </testcase>`;
    case 'skip':
      return `${head}>\n      <skipped ${attrs({ message: c.message })}/>\n    </testcase>`;
    default:
      return `${head}/>`;
  }
}

/** What a reviewer reads when they open a failed check: the message, then the figures behind it. */
function details(c: CheckResult): string {
  const lines = [`${c.status} (${c.severity}): ${c.message}`];
  if (c.value !== null) lines.push(`value: ${typeof c.value === 'object' ? JSON.stringify(c.value) : String(c.value)}`);
  if (c.threshold !== null) lines.push(`threshold: ${c.threshold}`);
  if (c.hint) lines.push(`hint: ${c.hint}`);
  return lines.join('\n');
}

function systemOut(report: Report): string {
  const notes = report.checks.filter((c) => c.status === 'warn').map((c) => `note ${c.id}: ${c.message}`);
  return [`${report.decision}: ${report.reason}`, report.headline, ...notes].join('\n');
}

/** The schema's timestamp has no zone and no fraction: UTC to the second. */
function timestamp(iso: string): string {
  const date = new Date(iso);
  const t = Number.isFinite(date.getTime()) ? date : new Date(0);
  return t.toISOString().slice(0, 19);
}

/**
 * Characters XML 1.0 cannot carry at all (C0 controls but tab/newline/return, U+FFFE/U+FFFF, lone
 * surrogates) become U+FFFD: not even a character reference may name them.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this replaces
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Element text: markup escaped (so `]]>` cannot occur either), invalid characters replaced. */
export function text(s: string): string {
  return s.replace(NOT_XML, '\ufffd').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** An attribute value: as text, plus quotes, and whitespace as references so parsers keep newlines. */
export function attr(s: string): string {
  return text(s).replace(/["\t\n\r]/g, (c) => ({ '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' })[c]!);
}

const attrs = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${k}="${attr(v)}"`)
    .join(' ');
