/** Writes the report files; the only place the reports touch the filesystem. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ReportFiles } from '../constants.ts';
import { InputFileError, getErrorMessage } from '../errors.ts';
import type { Report } from './json.ts';
import { renderManifest } from './manifest.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';

export interface WrittenReports {
  json: string;
  manifest: string;
  markdown: string;
  html: string;
}

export async function writeReports(outDir: string, report: Report): Promise<WrittenReports> {
  const dir = resolve(outDir);
  const files: WrittenReports = {
    json: join(dir, ReportFiles.Json),
    manifest: join(dir, ReportFiles.Manifest),
    markdown: join(dir, ReportFiles.Markdown),
    html: join(dir, ReportFiles.Html),
  };
  try {
    await mkdir(dir, { recursive: true });
    await Promise.all([
      writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`),
      writeFile(files.manifest, renderManifest(report)),
      writeFile(files.markdown, renderMarkdown(report)),
      writeFile(files.html, renderHtml(report)),
    ]);
  } catch (error) {
    throw new InputFileError(dir, `cannot write the reports there: ${getErrorMessage(error)}`);
  }
  return files;
}
