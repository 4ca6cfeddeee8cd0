/**
 * Every temporary file of a test run, the tests' own and those of the processes they start, goes
 * under one directory that is removed when the run ends: a run used to leave ~2 GB in /tmp, and
 * CI runs on a machine that keeps it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'model-gate-tests-'));
  // Workers and every child process inherit it; os.tmpdir() reads TMPDIR on each call.
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
