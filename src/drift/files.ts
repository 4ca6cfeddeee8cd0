/**
 * `model-gate drift --out DIR`: the drift report alone as files, report.json (what --json prints),
 * summary.md and report.html (the drift section of the validate page, with its pictures).
 */
import { join, resolve } from 'node:path';
import { ReportFiles } from '../constants.ts';
import type { Report } from '../report/json.ts';
import { CHECKLIST_HEAD, DECISION_ICON, bounded, checklistRows, driftTable, problemItems } from '../report/markdown.ts';
import { mdText } from '../report/escape.ts';
import { removeReportFile, writeReportFile } from '../report/files.ts';
import { renderDriftHtml } from '../report/html.ts';
import type { DriftReport } from './run.ts';

export interface WrittenDriftReports {
  json: string;
  markdown: string;
  html: string;
}

/** The Markdown summary, made of the validate summary's own drift and checklist parts. */
export function renderDriftMarkdown(report: DriftReport): string {
  // The validate report's renderers read only `drift` and `checks` here; the drift block is the same shape.
  const asReport = { drift: { ...report, predictions: null }, checks: report.checks } as unknown as Report;
  // Bounded like the validate summary: GitHub refuses a job summary over 1 MiB.
  const problems = bounded(problemItems(asReport), 'problems');
  const lines = [
    `## ${DECISION_ICON[report.decision]} ${mdText(report.decision)} — model-gate drift`,
    '',
    `**${mdText(report.headline)}**`,
    '',
    `${mdText(report.reason)}.`,
    '',
    ...(problems.length > 0 ? ['### What needs attention', '', ...problems, ''] : []),
    ...driftTable(asReport),
    '### Checklist',
    '',
    ...CHECKLIST_HEAD,
    ...bounded(checklistRows(asReport), 'checks'),
    '',
    `<sub>model-gate ${mdText(report.tool.version)} · ${Math.round(report.duration_ms)} ms</sub>`,
  ];
  return `${lines.join('\n')}\n`;
}

export async function writeDriftReports(outDir: string, report: DriftReport): Promise<WrittenDriftReports> {
  const dir = resolve(outDir);
  const files = { json: join(dir, ReportFiles.Json), markdown: join(dir, ReportFiles.Markdown), html: join(dir, ReportFiles.Html) };
  // An earlier validate run's manifest would describe another run: it goes.
  await removeReportFile(join(dir, ReportFiles.Manifest));
  await removeReportFile(files.json);
  await writeReportFile(files.markdown, renderDriftMarkdown(report));
  await writeReportFile(files.html, renderDriftHtml(report));
  // report.json last: whoever reads it may take summary.md as present and whole.
  await writeReportFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  return files;
}
