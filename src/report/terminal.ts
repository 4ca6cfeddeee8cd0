/** The checklist as a release manager reads it on a terminal. */
import { styleText } from 'node:util';
import type { CheckStatus } from '../core/check-result.ts';
import type { Decision } from '../decision.ts';
import type { DriftReport } from '../drift/run.ts';
import { METHOD_LABEL, type FeatureDrift } from '../drift/judge.ts';
import { compact, fixed, percentFixed } from '../core/format.ts';
import { runLabel } from '../load/judge.ts';
import type { Report } from './json.ts';
import { ioRows } from './model-io.ts';
import { countsText, reportView } from './view.ts';

type Style = Parameters<typeof styleText>[0];
const STATUS_STYLE: Record<CheckStatus, Style> = { pass: 'green', warn: 'yellow', fail: 'red', error: 'red', skip: 'gray' };
const DECISION_STYLE: Record<Decision, Style> = { GO: ['bold', 'green'], 'NO-GO': ['bold', 'red'], DELAY: ['bold', 'yellow'] };

export function renderTerminal(report: Report, color: boolean, width = 120): string {
  const paint = (style: Style, text: string) => (color ? styleText(style, text, { validateStream: false }) : text);
  // A reduce, not a spread: a wide data set has a check per column, too many for call arguments.
  const idWidth = Math.min(40, report.checks.reduce((w, c) => Math.max(w, c.id.length), 5));
  const messageWidth = Math.max(30, width - idWidth - 20);
  const lines = [`model-gate ${report.tool.version} · ${report.model.path}`, ''];
  lines.push(paint('bold', `${'STATUS'.padEnd(7)} ${'CHECK'.padEnd(idWidth)} ${'SEVERITY'.padEnd(8)} RESULT`));
  for (const c of report.checks) {
    const message = c.message.length > messageWidth ? `${c.message.slice(0, messageWidth - 1)}…` : c.message;
    lines.push(`${paint(STATUS_STYLE[c.status], c.status.toUpperCase().padEnd(7))} ${c.id.padEnd(idWidth)} ${c.severity.padEnd(8)} ${message}`);
  }
  const view = reportView(report);
  for (const [title, items] of [['BLOCKING', view.blockers], ['WARNINGS', view.warnings]] as const) {
    if (items.length === 0) continue;
    lines.push('', paint(['bold', title === 'BLOCKING' ? 'red' : 'yellow'], title));
    for (const i of items) {
      const measured = [i.value !== null ? `value ${i.value}` : '', i.limit ? `limit ${i.limit}` : ''].filter(Boolean).join(', ');
      lines.push(`${i.icon} ${i.id} (${i.severity}${i.status === 'error' ? ', could not run' : ''}): ${i.message}${measured ? ` (${measured})` : ''}`, `   → ${i.next}`);
      if (i.hint) lines.push(...i.hint.split('\n').map((l) => `     ${l}`));
    }
  }
  const io = ioRows(report);
  if (io.rows.length > 0) {
    const nameWidth = Math.min(32, Math.max(4, ...io.rows.map((r) => r.name.length)));
    const typeWidth = Math.min(40, Math.max(4, ...io.rows.map((r) => r.type.length)));
    lines.push('', paint('bold', `${'MODEL'.padEnd(7)} ${'NAME'.padEnd(nameWidth)} ${'TYPE'.padEnd(typeWidth)} FED AS`));
    for (const r of io.rows) lines.push(`${r.kind.padEnd(7)} ${r.name.padEnd(nameWidth)} ${r.type.padEnd(typeWidth)} ${r.fed}`.trimEnd());
    if (io.more > 0) lines.push(`… and ${io.more} more (report.json lists them all)`);
  }
  if (report.latency.length > 0) {
    lines.push('', paint('bold', 'LATENCY  batch    p50 ms    p95 ms    p99 ms    max ms     rows/s'));
    for (const l of report.latency) {
      const f = (n: number) => n.toFixed(3).padStart(9);
      lines.push(`         ${String(l.batch_size).padStart(5)} ${f(l.p50_ms)} ${f(l.p95_ms)} ${f(l.p99_ms)} ${f(l.max_ms)} ${Math.round(l.rows_per_s).toString().padStart(10)}`);
    }
  }
  if (report.load) {
    lines.push('', paint('bold', `${`LOAD, batch ${report.load.batch_size}`.padEnd(22)}    req/s   p50 ms   p95 ms   p99 ms   max ms   errors  timeouts  statuses`));
    for (const run of report.load.runs) {
      const f = (n: number) => fixed(n, 2, '–').padStart(8);
      const statuses = Object.entries(run.status_counts).map(([k, v]) => `${k}:${v}`).join(' ');
      lines.push(`${runLabel(run).padEnd(22)} ${Math.round(run.achieved_rps).toString().padStart(8)} ${f(run.p50_ms)} ${f(run.p95_ms)} ${f(run.p99_ms)} ${f(run.max_ms)} ${percentFixed(run.error_rate).padStart(8)} ${String(run.timeouts).padStart(9)}  ${statuses}`);
    }
    lines.push(`health: ${report.load.health} (${report.load.health_reason})`);
  }
  if (report.drift && report.drift.features.length > 0) {
    lines.push('', paint('bold', `DRIFT of ${report.drift.current.path} against ${report.drift.reference.path}`));
    for (const line of driftTable(report.drift.features, paint)) lines.push(line); // a line per column: no spread
  }
  lines.push('', paint(DECISION_STYLE[report.decision], view.headline), countsText(view.counts), report.reason);
  if (report.version.id) lines.push(`version ${report.version.id}`);
  return `${lines.join('\n')}\n`;
}

const VERDICT_STYLE: Record<FeatureDrift['status'], Style> = { drifted: 'red', stable: 'green', inconclusive: 'gray', error: 'red' };

/** One line per feature: what decided, against what, and the PSI beside it. */
export function driftTable(features: readonly FeatureDrift[], paint: (style: Style, text: string) => string): string[] {
  const nameWidth = Math.min(30, features.reduce((w, f) => Math.max(w, f.name.length), 7));
  const head = `${'FEATURE'.padEnd(nameWidth)} ${'KIND'.padEnd(11)} ${'DECIDED BY'.padEnd(18)} ${'VALUE'.padStart(9)} ${'LIMIT'.padStart(6)} ${'PSI'.padStart(7)} ${'VALUES REF / CUR'.padStart(21)} ${'MISSING'.padStart(11)}  VERDICT`;
  const lines = [paint('bold', head)];
  const n = (x: number | undefined) => (x === undefined ? '–' : x.toLocaleString('en'));
  for (const f of features) {
    const name = f.name.length > nameWidth ? `${f.name.slice(0, nameWidth - 1)}…` : f.name;
    if (f.status === 'error') {
      lines.push(`${name.padEnd(nameWidth)} ${paint('red', 'ERROR')} ${f.message}`);
      continue;
    }
    const missing = f.missing ? `${n(f.missing.reference)}/${n(f.missing.current)}` : '–';
    lines.push(
      `${name.padEnd(nameWidth)} ${(f.kind ?? '').padEnd(11)} ${(f.method ? METHOD_LABEL[f.method] : '').padEnd(18)} ${(f.value === null ? '–' : compact(f.value)).padStart(9)} ${(f.threshold === null ? '' : compact(f.threshold)).padStart(6)} ${(f.psi === undefined ? '–' : compact(f.psi)).padStart(7)} ${`${n(f.n_reference)} / ${n(f.n_current)}`.padStart(21)} ${missing.padStart(11)}  ${paint(VERDICT_STYLE[f.status], f.status.toUpperCase())}`,
    );
  }
  return lines;
}

export function renderDriftTerminal(report: DriftReport, color: boolean): string {
  const paint = (style: Style, text: string) => (color ? styleText(style, text, { validateStream: false }) : text);
  const lines = [
    `model-gate ${report.tool.version} · drift of ${report.current.path} (${report.current.rows.toLocaleString('en')} rows) against ${report.reference.path} (${report.reference.rows.toLocaleString('en')} rows)`,
    '',
    ...driftTable(report.features, paint),
    '',
  ];
  const gating = report.checks.filter((c) => (c.status === 'fail' || c.status === 'error') && c.severity !== 'info');
  for (const c of gating) lines.push(`${paint(STATUS_STYLE[c.status], c.status.toUpperCase().padEnd(6))} ${c.severity.padEnd(8)} ${c.message}`);
  const dataset = report.checks.find((c) => c.id === 'drift.dataset');
  if (dataset && !gating.includes(dataset)) lines.push(dataset.message);
  lines.push('', paint(DECISION_STYLE[report.decision], report.headline), report.reason);
  return `${lines.join('\n')}\n`;
}
