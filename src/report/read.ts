/**
 * Reads a saved report.json (a file, or a directory holding one) and checks it against the
 * published report schema: the comment workflow and `model-gate report` act only on a real report.
 * Kept apart from the GitHub adapters so that the CLI bundle does not carry them.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import reportSchema from '../../schema/report.schema.json' with { type: 'json' };
import { ReportFiles } from '../constants.ts';
import { InputFileError, getErrorMessage } from '../errors.ts';
import type { Report } from './json.ts';

export async function readReport(path: string): Promise<Report> {
  let file = path;
  let text: string;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, ReportFiles.Json);
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputFileError(file, `cannot read the report: ${getErrorMessage(error)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(file, `not JSON: ${getErrorMessage(error)}`);
  }
  const validate = new Ajv({ allErrors: false, strict: false }).compile(reportSchema);
  if (!validate(data)) {
    const e = validate.errors?.[0];
    throw new InputFileError(file, `not a model-gate report: ${e?.instancePath || '(top level)'} ${e?.message ?? ''}`.trim());
  }
  return data as unknown as Report;
}
