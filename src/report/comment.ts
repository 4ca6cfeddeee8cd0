/**
 * The sticky pull-request comment: short and scannable, verdict first, the full checklist folded,
 * and never over GitHub's body limit (sections are cut from the end, rows before whole sections).
 */
import { createHash } from 'node:crypto';
import type { Report } from './json.ts';
import {
  CHECKLIST_HEAD,
  DECISION_ICON,
  LATENCY_HEAD,
  checklistRows,
  countsLine,
  driftShare,
  keyMetrics,
  latencyRows,
  loadTable,
  metricsTable,
  problemItems,
} from './markdown.ts';
import { driftChart, latencyChart } from './mermaid.ts';
import { mdCode, mdText, mdUrl } from './escape.ts';
import { reportView } from './view.ts';

/** GitHub rejects a comment body over 65,536 characters; JS length (UTF-16 units) never undercounts. */
export const COMMENT_LIMIT = 65_536;

export interface CommentLinks {
  /** The run's page, whose job summary holds the full report. */
  summary: string | null;
  artifact: string | null;
}

/** The hidden line that finds the comment again: one per PR and comment id. */
export function commentMarker(id: string): string {
  // Percent-encoded so that no id can end the HTML comment (`--`, `>`) or collide by prefix.
  return `<!-- model-gate comment: ${encodeURIComponent(id).replace(/-/g, '%2D')} -->`;
}

/**
 * What `comment: on-change` compares: the decision, the model, and which checks fail or warn,
 * not the latency figures that move on every run.
 */
export function verdictFingerprint(report: Report): string {
  const failing = report.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => `${c.id}:${c.status}:${c.severity}`);
  const text = JSON.stringify([report.decision, report.model.sha256, report.config.sha256, failing.sort()]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The fingerprint is the body's second line (after the marker), never text further down. */
const FINGERPRINT = /^<!-- model-gate comment: [^\n]* -->\r?\n<!-- model-gate verdict: ([0-9a-f]{16}) -->\r?(?:\n|$)/;
export const fingerprintOf = (body: string): string | null => FINGERPRINT.exec(body)?.[1] ?? null;

/** A run of lines; `rows` may be cut from the end, the rest is kept whole or dropped whole. */
interface Section {
  head: string[];
  rows?: string[];
  tail?: string[];
  /** The line that replaces the rows that were cut. */
  more?: (cut: number) => string;
}

const size = (lines: readonly string[]) => lines.reduce((n, l) => n + l.length + 1, 0);

/** What a section needs at the least: its head, the pointer to the rows cut, its tail. */
const least = (s: Section) => (s.rows && s.more ? size(s.head) + size(s.tail ?? []) + size([s.more(s.rows.length)]) : 0);

/**
 * Whole sections in order while they fit; a section with rows keeps as many rows as fit, leaving
 * room for the later sections with rows to show at least their heads and a pointer.
 */
function fit(sections: Section[], budget: number): { lines: string[]; cut: boolean } {
  const out: string[] = [];
  let left = budget;
  let cut = false;
  sections.forEach((s, i) => {
    const rows = s.rows ?? [];
    const tail = s.tail ?? [];
    const whole = size(s.head) + size(rows) + size(tail);
    const reserved = sections.slice(i + 1).reduce((n, later) => n + least(later), 0);
    if (whole <= left - reserved || (whole <= left && !s.more)) {
      out.push(...s.head, ...rows, ...tail);
      left -= whole;
      return;
    }
    cut = true;
    if (rows.length === 0 || !s.more) return;
    let room = left - reserved - least(s);
    if (room < 0) return;
    const kept: string[] = [];
    for (const r of rows) {
      if (r.length + 1 > room) break;
      kept.push(r);
      room -= r.length + 1;
    }
    const lines = [...s.head, ...kept, s.more(rows.length - kept.length), ...tail];
    out.push(...lines);
    left -= size(lines);
  });
  return { lines: out, cut };
}

function links(l: CommentLinks): string {
  const parts = [
    l.summary ? `[Full report in the run's summary](${mdUrl(l.summary)})` : 'Full report in the run\'s job summary',
    l.artifact ? `[report artifact](${mdUrl(l.artifact)}) (HTML, JSON, manifest)` : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

export function renderComment(report: Report, options: { id: string; links: CommentLinks; limit?: number }): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const top = [
    commentMarker(options.id),
    `<!-- model-gate verdict: ${verdictFingerprint(report)} -->`,
    `## ${DECISION_ICON[report.decision] ?? ''} ${mdText(report.decision)} — model-gate`,
    '',
    `**${mdText(reportView(report).headline)}** ${mdText(report.reason)}.`,
    '',
    countsLine(report),
    '',
    `Version ${mdCode(report.version.id || '—')} · model ${mdCode(report.model.path)}${report.version.sha256 ? ` · sha256 ${mdCode(`${report.version.sha256.slice(0, 12)}…`)}` : ''}`,
    '',
  ];
  const bottom = ['', `<sub>${links(options.links)} · model-gate ${mdText(report.tool.version)}</sub>`];
  const notice = `> [!NOTE]\n> This comment was cut to fit GitHub's ${limit.toLocaleString('en')}-character limit. ${links(options.links)}.`;

  const more = (what: string) => (n: number) => `- … and ${n.toLocaleString('en')} more ${what}: see the job summary.`;
  const blockers = problemItems(report, 'blocker');
  const warnings = problemItems(report, 'warning');
  const sections: Section[] = [];
  if (blockers.length > 0) sections.push({ head: ['### ⛔ Blocking', ''], rows: blockers, tail: [''], more: more('failures') });
  if (warnings.length > 0) sections.push({ head: ['### ⚠️ Warnings', ''], rows: warnings, tail: [''], more: more('warnings') });
  const metrics = metricsTable(report, keyMetrics(report));
  if (metrics.length > 0) sections.push({ head: metrics });
  if (report.latency.length > 0) {
    sections.push({ head: ['### Latency', '', ...LATENCY_HEAD], rows: latencyRows(report), tail: [''], more: () => '' });
  }
  if (report.latency_comparison) sections.push({ head: [...latencyChart(report.latency_comparison), ''] });
  const load = loadTable(report);
  if (load.length > 0) sections.push({ head: load });
  if (report.drift) {
    const chart = driftChart(report.drift);
    sections.push({ head: ['### Drift', '', driftShare(report.drift), '', ...(chart.length > 0 ? [...chart, ''] : [])] });
  }
  const rows = checklistRows(report);
  sections.push({
    head: ['<details>', `<summary>Checklist: ${Number(report.checks.length)} checks</summary>`, '', ...CHECKLIST_HEAD],
    rows,
    tail: ['', '</details>'],
    more: (n) => `| | … ${n.toLocaleString('en')} more | | see the job summary | |`,
  });

  const budget = limit - size(top) - size(bottom) - size([notice, '']);
  const { lines, cut } = fit(sections, budget);
  const body = [...top, ...lines, ...(cut ? ['', notice] : []), ...bottom].join('\n');
  // The fixed parts alone exceed a tiny limit only in tests of this function; never send more than allowed.
  return body.length <= limit ? body : body.slice(0, limit);
}
