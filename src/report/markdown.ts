/** Markdown for the job summary (and the report file): verdict first, then the full checklist. */
import type { Decision } from '../decision.ts';
import { METHOD_LABEL, type FeatureDrift } from '../drift/judge.ts';
import { compact, fixed, numberText } from '../core/format.ts';
import type { Report } from './json.ts';
import { driftChart, latencyChart } from './mermaid.ts';
import { MAX_CLASSES } from './svg/confusion.ts';
import { runLabel } from '../load/judge.ts';
import { ioRows } from './model-io.ts';
import { mdCell, mdCode, mdCodeCell, mdText } from './escape.ts';
import { checkIcon, countsText, metricLimit, reportView, type ViewItem } from './view.ts';
import { slicesMarkdown } from './slices.ts';

export const DECISION_ICON: Record<Decision, string> = { GO: '✅', 'NO-GO': '⛔', DELAY: '⏸️' };

/** Table cells hold one line without pipes, markup or mentions (see escape.ts). */
export const cell = mdCell;

export function renderMarkdown(report: Report): string {
  const lines: string[] = [];
  lines.push(`## ${DECISION_ICON[report.decision] ?? ''} ${mdText(report.decision)} — model-gate`);
  lines.push('');
  const view = reportView(report);
  lines.push(`**${mdText(view.headline)}**`);
  lines.push('');
  lines.push(`${mdText(view.reason)}.`);
  lines.push('');
  lines.push(countsLine(report));
  lines.push('');
  lines.push(`| Version | Model | sha256 |`);
  lines.push(`|---|---|---|`);
  lines.push(`| ${mdCodeCell(report.version.id || '—')} | ${mdCodeCell(report.model.path)} | ${mdCodeCell(`${report.version.sha256.slice(0, 16) || '—'}…`)} |`);
  lines.push('');
  const blockers = problemItems(report, 'blocker');
  const warnings = problemItems(report, 'warning');
  if (blockers.length > 0) lines.push('### ⛔ Blocking', '', ...blockers, '');
  if (warnings.length > 0) lines.push('### ⚠️ Warnings', '', ...warnings, '');
  lines.push(...metricsTable(report));
  lines.push(...slicesMarkdown(report.slices));
  if (report.latency_comparison) lines.push(...latencyChart(report.latency_comparison), '');
  lines.push(...confusionTables(report));
  lines.push(...driftTable(report));
  if (report.drift) {
    const chart = driftChart(report.drift);
    if (chart.length > 0) lines.push(...chart, '');
  }
  lines.push('### Checklist', '', ...CHECKLIST_HEAD);
  append(lines, bounded(checklistRows(report), 'checks'));
  lines.push(...ioTable(report));
  if (report.latency.length > 0) lines.push('### Latency', '', ...LATENCY_HEAD, ...latencyRows(report), '');
  lines.push(...loadTable(report));
  if (report.error_scenarios.length > 0) {
    lines.push('### Error scenarios');
    lines.push('');
    lines.push('| Scenario | Request | What the model did |');
    lines.push('|---|---|---|');
    for (const e of report.error_scenarios) lines.push(`| ${mdCodeCell(e.scenario)} | ${cell(e.request)} | ${cell(e.outcome)}: ${cell(e.detail)} |`);
    lines.push('');
  }
  lines.push(
    `<sub>model-gate ${mdText(report.tool.version)} · ${report.data.source ? cell(report.data.source) : 'no rows evaluated'} · ${Math.round(report.duration_ms)} ms</sub>`,
  );
  return `${lines.join('\n')}\n`;
}

/** The model's inputs and outputs, and how each input was fed. */
export function ioTable(report: Report): string[] {
  const io = ioRows(report);
  if (io.rows.length === 0) return [];
  return [
    '### Model inputs and outputs',
    '',
    '| | Name | Type | Fed as |',
    '|---|---|---|---|',
    ...io.rows.map((r) => `| ${cell(r.kind)} | ${mdCodeCell(r.name)} | ${mdCodeCell(r.type)} | ${cell(r.fed)} |`),
    ...(io.more > 0 ? [`| … | ${io.more} more | | |`] : []),
    '',
  ];
}

/** The load test: one row per run, then the endpoint's health. */
export function loadTable(report: Report): string[] {
  const l = report.load;
  if (!l) return [];
  const lines = [`### Load (batch ${mdText(l.batch_size)})`, '', '| Run | Requests | req/s | p50 ms | p95 ms | p99 ms | max ms | Errors | Timeouts | Statuses |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|'];
  for (const run of l.runs) {
    const statuses = Object.entries(run.status_counts).map(([k, v]) => `${k}: ${Number(v).toLocaleString('en')}`).join(', ');
    lines.push(`| ${cell(runLabel(run))} | ${Number(run.requests).toLocaleString('en')} | ${fixed(run.achieved_rps, 0)} | ${fixed(run.p50_ms)} | ${fixed(run.p95_ms)} | ${fixed(run.p99_ms)} | ${fixed(run.max_ms)} | ${fixed(run.error_rate * 100)}% | ${cell(run.timeouts)} | ${cell(statuses)} |`);
  }
  lines.push('', `Health: **${mdText(l.health)}** (${cell(l.health_reason)})`, '');
  return lines;
}

/** What blocks and what warns, blockers first, one bullet each: what failed, against what, and what to do next. */
export function problemItems(report: Report, severity?: ViewItem['severity']): string[] {
  const view = reportView(report);
  const items = severity === 'blocker' ? view.blockers : severity === 'warning' ? view.warnings : [...view.blockers, ...view.warnings];
  return items.map((i) => `- ${i.icon} **${mdCode(i.id)}** (${i.severity}${i.status === 'error' ? ', could not run' : ''}): ${cell(i.message)}${measured(i)}\\\n  → ${cell(i.next)}${i.hint ? hintBlock(i.hint) : ''}`);
}

/** " (value 1.9, limit ×1.5 warns)" when the check recorded them. */
function measured(i: ViewItem): string {
  const parts = [i.value !== null ? `value ${mdCode(i.value)}` : null, i.limit ? `limit ${mdCode(i.limit)}` : null].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** The line under the headline: how many block, warn, passed and were skipped. */
export function countsLine(report: Report): string {
  return mdText(countsText(reportView(report).counts));
}

/** A hint (a config snippet) as a fenced block inside the list item; fences in it cannot close it, markers cannot hide in it. */
function hintBlock(hint: string): string {
  const body = String(hint)
    .replace(/\r\n?/g, '\n')
    .replace(/`{3,}|~{3,}/g, (m) => m.split('').join('\u200b'))
    .replace(/<!--/g, '<\u200b!--');
  return `\n\n  \`\`\`yaml\n${body.split('\n').map((l) => `  ${l}`).join('\n')}\n  \`\`\``;
}

export const CHECKLIST_HEAD = ['| | Check | Severity | Result | Threshold |', '|---|---|---|---|---|'];
export function checklistRows(report: Report): string[] {
  return report.checks.map((c) => `| ${checkIcon(c)} | ${mdCodeCell(c.id)} | ${cell(c.severity)} | ${cell(c.message)} | ${c.threshold ? cell(c.threshold) : ''} |`);
}

export const LATENCY_HEAD = ['| Batch | Calls | p50 ms | p95 ms | p99 ms | max ms | mean ms | rows/s |', '|---:|---:|---:|---:|---:|---:|---:|---:|'];
export function latencyRows(report: Report): string[] {
  return report.latency.map(
    (l) =>
      `| ${cell(l.batch_size)} | ${cell(l.samples)} | ${fixed(l.p50_ms, 3)} | ${fixed(l.p95_ms, 3)} | ${fixed(l.p99_ms, 3)} | ${fixed(l.max_ms, 3)} | ${fixed(l.mean_ms, 3)} | ${fixed(l.rows_per_s, 0)} |`,
  );
}

const signed = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : '−'}${numberText(Math.abs(v))}`);
const VERDICT: Record<string, string> = { improvement: '🟢 better', regression: '🔴 worse', 'no significant change': '⚪ no significant change' };

/** The metrics a reader looks at first: those compared with the baseline or bounded by a check. */
export function keyMetrics(report: Report): Set<string> {
  const keys = new Set(Object.keys(report.comparison?.metrics ?? {}));
  for (const c of report.checks) {
    const m = /^metrics\.([a-z0-9_]+)$/.exec(c.id);
    if (m && m[1] !== 'computed' && m[1] !== 'labels') keys.add(m[1]!);
  }
  return keys;
}

/** Before/after: the metrics with the baseline beside them and each change's significance. */
export function metricsTable(report: Report, only?: ReadonlySet<string>): string[] {
  const m = report.metrics;
  if (!m) return [];
  const lines: string[] = [`### Metrics (${mdText(m.task)}, ${Number(m.rows).toLocaleString('en')} rows)`, ''];
  const compared = report.comparison?.metrics ?? {};
  const names = Object.keys(m.candidate).filter(
    (k) => (typeof m.candidate[k] === 'number' || m.candidate[k] === null) && (!only || only.size === 0 || only.has(k)),
  );
  const level = report.comparison ? `${Math.round(report.comparison.confidence * 1000) / 10}% CI` : '';
  const limit = (name: string) => {
    const l = metricLimit(report, name);
    return l ? `${l.icon} ${cell(l.limit)}` : '—';
  };
  if (m.baseline) {
    lines.push(`| Metric | Baseline | Candidate | Limit | Δ | ${level} | Significance |`);
    lines.push('|---|---:|---:|---|---:|---|---|');
    for (const name of names) {
      const c = compared[name];
      const delta = typeof m.candidate[name] === 'number' && typeof m.baseline[name] === 'number' ? (m.candidate[name] as number) - (m.baseline[name] as number) : null;
      const interval = c?.interval ? `[${signed(c.interval.low)}, ${signed(c.interval.high)}]` : '';
      const sig = c ? `${VERDICT[c.verdict ?? ''] ?? '—'}${c.p_value !== null ? ` (McNemar p=${numberText(c.p_value)})` : ''}` : 'not tested';
      lines.push(`| ${c ? `**${cell(name)}**` : cell(name)} | ${numberText(m.baseline[name])} | ${numberText(m.candidate[name])} | ${limit(name)} | ${signed(delta)} | ${interval} | ${sig} |`);
    }
  } else {
    lines.push('| Metric | Candidate | Limit |');
    lines.push('|---|---:|---|');
    for (const name of names) lines.push(`| ${cell(name)} | ${numberText(m.candidate[name])} | ${limit(name)} |`);
  }
  lines.push('');
  const lc = report.latency_comparison;
  if (lc) {
    lines.push(`Latency against the baseline (batch ${mdText(lc.batch_size)}, ${mdText(lc.samples)} interleaved calls each): p50 ${numberText(lc.candidate.p50_ms)} vs ${numberText(lc.baseline.p50_ms)} ms (×${numberText(lc.p50_ratio)}), p95 ${numberText(lc.candidate.p95_ms)} vs ${numberText(lc.baseline.p95_ms)} ms (×${numberText(lc.p95_ratio)}${lc.p95_ratio_interval ? `, CI ×${numberText(lc.p95_ratio_interval.low)}–×${numberText(lc.p95_ratio_interval.high)}` : ''}).`);
    lines.push('');
  }
  return lines;
}

/** The classes a confusion table shows: all, or the MAX_CLASSES with the most rows (in class order). */
function shownClasses(m: number[][]): number[] {
  const support = m.map((row) => row.reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0));
  return support.map((_, i) => i).sort((a, b) => support[b]! - support[a]!).slice(0, MAX_CLASSES).sort((a, b) => a - b);
}

function confusionTable(classes: string[], m: number[][], keep: number[]): string[] {
  const head = `| true ╲ predicted | ${keep.map((p) => mdCodeCell(classes[p]!)).join(' | ')} |`;
  const rows = keep.map((t) => {
    const row = m[t] ?? [];
    const total = row.reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0);
    const cells = keep.map((p) => {
      const v = row[p] ?? 0;
      const share = total > 0 ? ` (${Math.round((v / total) * 1000) / 10}%)` : '';
      return t === p ? `**${numberText(v)}**${share}` : v === 0 ? '0' : `${numberText(v)}${share}`;
    });
    return `| ${mdCodeCell(classes[t]!)} | ${cells.join(' | ')} |`;
  });
  return [head, `|---|${keep.map(() => '---:').join('|')}|`, ...rows];
}

/** Confusion matrices as tables (the job summary has no SVG): candidate, then the baseline folded. */
export function confusionTables(report: Report): string[] {
  const m = report.metrics;
  const cm = m?.candidate.confusion_matrix;
  if (!m || m.task === 'regression' || !Array.isArray(cm) || !Array.isArray(m.candidate.classes)) return [];
  const classes = (m.candidate.classes as unknown[]).map(String);
  const matrix = cm as number[][];
  if (matrix.length !== classes.length || classes.length === 0) return [];
  const keep = shownClasses(matrix);
  const more = classes.length - keep.length;
  const lines = [
    `#### Confusion matrix (rows: true class; columns: predicted; count and share of the row)${more > 0 ? `: the ${keep.length} largest classes, ${more} more in report.json` : ''}`,
    '',
    ...confusionTable(classes, matrix, keep),
    '',
  ];
  const base = m.baseline?.confusion_matrix;
  if (Array.isArray(base) && base.length === classes.length && JSON.stringify(m.baseline?.classes) === JSON.stringify(m.candidate.classes)) {
    lines.push('<details>', '<summary>The baseline\'s confusion matrix</summary>', '', ...confusionTable(classes, base as number[][], keep), '', '</details>', '');
  }
  return lines;
}

const DRIFT_ICON: Record<FeatureDrift['status'], string> = { drifted: '🔴 drifted', stable: '🟢 stable', inconclusive: '⚪ inconclusive', error: '💥 error' };

function driftRows(title: string, features: readonly FeatureDrift[]): string[] {
  if (features.length === 0) return [];
  const lines = [`| ${title} | Kind | Decided by | Value | Limit | p (raw / adjusted) | PSI | Values (ref / cur) | Missing | Verdict |`, '|---|---|---|---:|---:|---:|---:|---:|---:|---|'];
  const n = (x: number | undefined) => (x === undefined ? '—' : Number(x).toLocaleString('en'));
  for (const f of features) {
    if (f.status === 'error') {
      lines.push(`| ${mdCodeCell(f.name)} | ${cell(f.kind ?? '—')} | | | | | | | | ${DRIFT_ICON.error}: ${cell(f.message)} |`);
      continue;
    }
    const psi = f.psi === undefined ? '—' : `${compact(f.psi)}${f.psi_level === 'blocker' ? ' ⛔' : f.psi_level === 'warning' ? ' ⚠️' : ''}`;
    const p = typeof f.p_value === 'number' ? `${compact(f.p_value)} / ${typeof f.p_adjusted === 'number' ? compact(f.p_adjusted) : '—'}` : '—';
    lines.push(
      `| ${mdCodeCell(f.name)} | ${cell(f.kind)} | ${cell(f.method ? METHOD_LABEL[f.method] : '—')} | ${f.value === null ? '—' : compact(f.value)} | ${f.threshold === null ? '—' : compact(f.threshold)} | ${p} | ${psi} | ${n(f.n_reference)} / ${n(f.n_current)} | ${f.missing ? `${n(f.missing.reference)} / ${n(f.missing.current)}` : '—'} | ${DRIFT_ICON[f.status] ?? cell(f.status)} |`,
    );
  }
  lines.push('');
  return lines;
}

export function driftShare(d: NonNullable<Report['drift']>): string {
  if (d.drifted_share === null) return 'Drift not judged: no feature could be compared.';
  return `${mdText(d.drifted_features)} of ${mdText(d.judged_features)} features drifted (${compact(d.drifted_share * 100)}%)${d.dataset_drift ? ' — **dataset drift**' : ''}`;
}

/**
 * Rows a table shows at most: GitHub refuses a job summary over 1 MiB, and a wide data set has a
 * drift row and a checklist row per column. report.json keeps every row.
 */
export const MAX_TABLE_ROWS = 500;

/** A table's lines cut to MAX_TABLE_ROWS rows (after `head` header lines), saying how many were left out. */
export function bounded(lines: string[], what: string, head = 0): string[] {
  if (lines.length - head <= MAX_TABLE_ROWS) return lines;
  const cut = lines.slice(0, head + MAX_TABLE_ROWS);
  cut.push('', `_… and ${(lines.length - head - MAX_TABLE_ROWS).toLocaleString('en')} more ${what}: report.json lists them all._`, '');
  return cut;
}

/** Appends without spreading: a spread of a very long array overflows the call stack. */
function append(lines: string[], more: readonly string[]): void {
  for (const line of more) lines.push(line);
}

/** Drift: one row per feature, then the label and the predictions. */
export function driftTable(report: Report): string[] {
  const d = report.drift;
  if (!d) return [];
  const lines = [`### Drift: ${mdCode(d.current.path)} against ${mdCode(d.reference.path)}`, '', driftShare(d), ''];
  // Most drifted first, so a bounded table keeps the rows that matter.
  const order = { error: 0, drifted: 1, inconclusive: 2, stable: 3 } as const;
  const features = d.features.length > MAX_TABLE_ROWS ? [...d.features].sort((a, b) => order[a.status] - order[b.status]) : d.features;
  append(lines, bounded(driftRows('Feature', features), 'features', 2));
  if (d.label) lines.push(...driftRows('Label', [d.label]));
  if (d.predictions) {
    lines.push(...driftRows('Prediction (reference → current)', d.predictions.reference_vs_current));
    lines.push(...driftRows('Prediction (baseline → candidate)', d.predictions.baseline_vs_candidate));
  }
  return lines;
}
