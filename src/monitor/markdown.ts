/**
 * The monitor's words: the job summary of one run, the terminal lines of the CLI, and the alert
 * issue's body: a dated row per run and a Mermaid chart of the estimate over time. The issue keeps
 * its own history: the rows ride in a hidden block of the body (base64 JSON), so each run adds
 * its row to what the issue already holds, with no store of its own. Pure.
 */
import { percentFixed, round } from '../core/format.ts';
import { mdCell, mdText, mdUrl } from '../report/escape.ts';
import { mermaidLabel } from '../report/mermaid.ts';
import type { MonitorReport } from './types.ts';
import { STATUS_ICON, type MonitorStatus } from './status.ts';

/** One run as the issue remembers it. */
export interface HistoryRow {
  at: string;
  status: MonitorStatus;
  version: string;
  /** The primary estimate (accuracy) and its interval; null when not estimated. */
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  reference: number | null;
  realised: number | null;
  drifted: string;
  run: string | null;
}

const r4 = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v, 4));
const show = (v: number | null) => (v === null ? '–' : String(v));

export function historyRow(report: MonitorReport, runUrl: string | null): HistoryRow {
  const est = report.performance?.estimated.find((e) => e.metric === 'accuracy') ?? report.performance?.estimated[0] ?? null;
  return {
    at: report.at,
    status: report.status,
    version: report.version.id,
    estimate: r4(est?.value),
    lower: r4(est?.lower),
    upper: r4(est?.upper),
    reference: r4(est ? report.performance?.reference[est.metric] : null),
    realised: r4(est ? report.performance?.realised?.metrics[est.metric] : null),
    drifted: report.drift ? `${report.drift.drifted_features}/${report.drift.judged_features}` : '–',
    run: runUrl,
  };
}

function checklist(report: MonitorReport): string[] {
  const failing = report.checks.filter((c) => c.status === 'fail' || c.status === 'error');
  const shown = failing.slice(0, 30);
  if (shown.length === 0) return ['Every check passed.'];
  return [
    '| Check | Severity | Result |',
    '| --- | --- | --- |',
    ...shown.map((c) => `| ${mdCell(c.id)} | ${c.severity} | ${mdCell(c.message)} |`),
    ...(failing.length > shown.length ? [``, `… and ${failing.length - shown.length} more (see the report).`] : []),
  ];
}

function performanceTable(report: MonitorReport): string[] {
  const p = report.performance;
  if (!p) return [];
  const realised = p.realised;
  return [
    `### Performance (CBPE on ${p.window_rows.toLocaleString('en')} rows${realised ? `, realised on ${realised.rows.toLocaleString('en')} labelled` : ''}${p.classes ? `; ${p.classes.length} classes, precision / recall / F1 macro-averaged` : ''})`,
    '',
    `| Metric | Estimated | Interval (±3 SE) | Reference |${realised ? ' Realised |' : ''}`,
    `| --- | --- | --- | --- |${realised ? ' --- |' : ''}`,
    ...p.estimated.map((e) => `| ${e.metric} | ${show(r4(e.value))} | ${e.lower === null ? '–' : `${r4(e.lower)} – ${r4(e.upper)}`} | ${show(r4(p.reference[e.metric]))} |${realised ? ` ${show(r4(realised.metrics[e.metric]))} |` : ''}`),
    '',
  ];
}

/** The job summary of one run. */
export function renderMonitorSummary(report: MonitorReport): string {
  return [
    `## ${STATUS_ICON[report.status]} model-gate monitor: ${report.status}`,
    '',
    `**${mdText(report.id)}**, version ${mdText(report.version.id)} (${report.version.source}) in ${mdText(report.environment)}: ${mdText(report.reason)}.`,
    '',
    `Window: ${report.window.rows.toLocaleString('en')} rows from ${mdText(report.window.source)}; reference: ${report.reference.rows.toLocaleString('en')} rows${report.labels ? `; labels joined to ${report.labels.matched.toLocaleString('en')} rows` : ''}${report.drift ? `; drift in ${report.drift.drifted_features} of ${report.drift.judged_features} columns` : ''}.`,
    '',
    ...performanceTable(report),
    ...(report.operational.length > 0 ? ['### Operational', '', '| Metric | Errors | Requests | Rate |', '| --- | --- | --- | --- |', ...report.operational.map((o) => `| ${mdCell(o.name)} | ${show(o.errors)} | ${show(o.requests)} | ${o.rate === null ? '–' : percentFixed(o.rate)} |`), ''] : []),
    '### Checks',
    '',
    ...checklist(report),
    '',
  ].join('\n');
}

/** The CLI's lines. */
export function renderMonitorTerminal(report: MonitorReport): string {
  const lines = [`${report.status}: ${report.id}, version ${report.version.id} — ${report.reason}`];
  for (const e of report.performance?.estimated ?? []) lines.push(`  estimated ${e.metric}: ${show(r4(e.value))}${e.lower === null ? '' : ` [${r4(e.lower)}, ${r4(e.upper)}]`} (reference ${show(r4(report.performance!.reference[e.metric]))})`);
  if (report.drift) lines.push(`  drift: ${report.drift.drifted_features} of ${report.drift.judged_features} columns`);
  for (const c of report.checks.filter((x) => x.status === 'fail' || x.status === 'error').slice(0, 20)) lines.push(`  ✗ ${c.id} (${c.severity}): ${c.message}`);
  return `${lines.join('\n')}\n`;
}

const HISTORY_OPEN = '<!-- model-gate-monitor-history ';
const HISTORY_CLOSE = ' -->';

/** The rows an issue body holds (none when it holds none, or they cannot be read). */
export function readHistory(body: string): HistoryRow[] {
  const start = body.indexOf(HISTORY_OPEN);
  if (start < 0) return [];
  const end = body.indexOf(HISTORY_CLOSE, start + HISTORY_OPEN.length);
  if (end < 0) return [];
  try {
    const rows = JSON.parse(Buffer.from(body.slice(start + HISTORY_OPEN.length, end), 'base64').toString('utf8')) as unknown;
    return Array.isArray(rows) ? (rows as HistoryRow[]).filter((r) => r && typeof r.at === 'string' && typeof r.status === 'string') : [];
  } catch {
    return [];
  }
}

function chart(rows: HistoryRow[]): string[] {
  const points = rows.filter((r) => r.estimate !== null);
  if (points.length < 2) return [];
  const num = (v: number | null) => (v === null ? '0' : String(v));
  const lows = points.map((r) => r.lower ?? r.estimate!);
  const yMin = Math.max(0, Math.floor((Math.min(...lows, ...points.map((r) => r.reference ?? 1)) - 0.05) * 20) / 20);
  return [
    '```mermaid',
    'xychart-beta',
    `  title ${mermaidLabel('Estimated accuracy (CBPE) per run, the lower end of its interval, and the reference', 90)}`,
    `  x-axis [${points.map((r) => mermaidLabel(r.at.slice(5, 16).replace('T', ' '), 16)).join(', ')}]`,
    `  y-axis "accuracy" ${yMin} --> 1`,
    `  line [${points.map((r) => num(r.estimate)).join(', ')}]`,
    `  line [${points.map((r) => num(r.lower ?? r.estimate)).join(', ')}]`,
    `  line [${points.map((r) => num(r.reference ?? r.estimate)).join(', ')}]`,
    '```',
  ];
}

/** The alert issue's body: marker first, then the latest run, the chart, the table, the hidden rows. */
export function renderIssueBody(marker: string, report: MonitorReport, rows: HistoryRow[], open: boolean): string {
  const table = [...rows].reverse().map((r) => `| ${r.at.slice(0, 16).replace('T', ' ')} | ${STATUS_ICON[r.status]} ${r.status} | ${mdCell(r.version)} | ${show(r.estimate)}${r.lower === null ? '' : ` [${r.lower}, ${r.upper}]`} | ${show(r.reference)} | ${show(r.realised)} | ${r.drifted} | ${r.run ? `[run](${mdUrl(r.run)})` : '–'} |`);
  return [
    marker,
    `## ${open ? `${STATUS_ICON[report.status]} ${mdText(report.id)} is ${report.status}` : `✅ ${mdText(report.id)} is healthy again`}`,
    '',
    open
      ? `The scheduled monitor found version ${mdText(report.version.id)} ${report.status === 'FAILING' ? 'failing' : 'degraded'}: ${mdText(report.reason)}. This issue is updated at every run and closed when the model is healthy again.`
      : `Closed by the monitor: the run of ${report.at.slice(0, 16).replace('T', ' ')} UTC found every check passing.`,
    '',
    ...chart(rows),
    '',
    '| Run (UTC) | Status | Version | Estimated accuracy [interval] | Reference | Realised | Drifted columns | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...table,
    '',
    '<details><summary>Latest run</summary>',
    '',
    renderMonitorSummary(report),
    '</details>',
    '',
    `${HISTORY_OPEN}${Buffer.from(JSON.stringify(rows)).toString('base64')}${HISTORY_CLOSE}`,
  ].join('\n');
}
