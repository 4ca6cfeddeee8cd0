/**
 * Writes the report files; the only place the reports touch the filesystem. Reports appear only
 * whole: each is written under a temporary name and the set is renamed into place once every file
 * is complete, report.json last, so a full disk can never leave a complete-looking report.json
 * saying GO beside a run that failed. A run that fails removes the reports it would replace, so
 * `promote` can never act on an earlier run's verdict.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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

const paths = (outDir: string): WrittenReports => {
  const dir = resolve(outDir);
  return {
    json: join(dir, ReportFiles.Json),
    manifest: join(dir, ReportFiles.Manifest),
    markdown: join(dir, ReportFiles.Markdown),
    html: join(dir, ReportFiles.Html),
  };
};

export async function writeReports(outDir: string, report: Report): Promise<WrittenReports> {
  const dir = resolve(outDir);
  const files = paths(outDir);
  // report.json last: whoever reads it may take the others as present and whole.
  const contents: [string, string][] = [
    [files.manifest, renderManifest(report)],
    [files.markdown, renderMarkdown(report)],
    [files.html, renderHtml(report)],
    [files.json, `${JSON.stringify(report, null, 2)}\n`],
  ];
  const tag = `.partial-${process.pid}-${Date.now().toString(36)}`;
  const staged: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
    for (const [path, text] of contents) {
      staged.push(`${path}${tag}`);
      await writeFile(`${path}${tag}`, text);
    }
    for (const [path] of contents) await rename(`${path}${tag}`, path);
  } catch (error) {
    await Promise.all(staged.map((p) => rm(p, { force: true }).catch(() => undefined)));
    await removeReports(outDir).catch(() => undefined);
    throw new InputFileError(dir, `cannot write the reports there: ${getErrorMessage(error)} (no report was left in place)`);
  }
  return files;
}

/**
 * Removes the report files a run would write: called before a validate run starts, so a run that
 * fails (or is killed) leaves no earlier report behind for `promote` or a reader to trust.
 */
export async function removeReports(outDir: string): Promise<void> {
  const files = paths(outDir);
  // report.json must go (it is what is acted on); the rest is best effort.
  try {
    await rm(files.json, { force: true });
  } catch (error) {
    // No directory there (or a file where one should be): no earlier report either.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw new InputFileError(files.json, `cannot remove the report of an earlier run: ${getErrorMessage(error)}`);
  }
  for (const path of [files.manifest, files.markdown, files.html]) await rm(path, { force: true }).catch(() => undefined);
}

/**
 * A single extra report at a path of the user's choosing (`--junit FILE`): written whole under a
 * temporary name and renamed into place, like the others.
 */
export async function writeReportFile(path: string, text: string): Promise<string> {
  const target = resolve(path);
  const partial = `${target}.partial-${process.pid}-${Date.now().toString(36)}`;
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(partial, text);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    throw new InputFileError(target, `cannot write the report there: ${getErrorMessage(error)}`);
  }
  return target;
}

/** Removes an extra report of an earlier run before a run starts, so a failed run leaves none. */
export async function removeReportFile(path: string): Promise<void> {
  try {
    await rm(resolve(path), { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw new InputFileError(resolve(path), `cannot remove the report of an earlier run: ${getErrorMessage(error)}`);
  }
}
