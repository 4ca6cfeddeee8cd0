/** The monitor run's files: <out>/monitor/report.json and summary.md (what the workflow uploads). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderMonitorSummary } from './markdown.ts';
import type { MonitorReport } from './types.ts';

export async function writeMonitorReports(outDir: string, report: MonitorReport): Promise<{ json: string; markdown: string }> {
  const dir = resolve(outDir, 'monitor');
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const markdown = join(dir, 'summary.md');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(markdown, renderMonitorSummary(report));
  return { json, markdown };
}
