/**
 * `validate` on a config written as an object, the way the model-kind test files write a user's
 * config: the CLI in-process with `--json`, report.json read back. FAST keeps those suites quick.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import type { Report } from '../../src/report/json.ts';
import { cli } from './cli.ts';

/** Fewer timed calls, a smaller oversized batch, no latency comparison. */
export const FAST = {
  checks: { latency: { warmup: 2, iterations: 10 }, errors: { oversized_batch: { size: 64 } } },
  comparison: { latency: { enabled: false } },
};

/** Runs validate on `{ version: 1, ...FAST, ...config }`; a stack trace on stderr fails the test. */
export async function validateConfig(
  config: Record<string, unknown>,
  stackTrace: RegExp = /unexpected error|at .*\.ts:\d+/,
): Promise<{ code: number; report: Report; stdout: string; stderr: string }> {
  const out = mkdtempSync(join(tmpdir(), 'mg-validate-'));
  const file = join(out, 'gate.yml');
  writeFileSync(file, stringify({ version: 1, ...FAST, ...config }));
  const r = await cli(['validate', '--json', '--out', out, '--config', file]);
  expect(r.stderr).not.toMatch(stackTrace);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report };
}

/** The ids of the checks that failed or errored. */
export const failing = (report: Report) => report.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id);
