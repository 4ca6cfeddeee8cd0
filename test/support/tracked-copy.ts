/** A copy of the repository's tracked files, as GitHub checks out an action: no node_modules. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');

export function trackedCopy(): string {
  const dest = mkdtempSync(join(tmpdir(), 'mg-action-'));
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    const from = join(REPO, file);
    if (!existsSync(from)) continue; // deleted in the work tree
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(from, join(dest, file));
  }
  return dest;
}

/** The Node 24 binary the action runs under (the `node` devDependency provides it). */
export function node24(): string {
  const local = join(REPO, 'node_modules', 'node', 'bin', 'node');
  const binary = existsSync(local) ? local : process.execPath;
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v24.')) throw new Error(`expected Node 24 for the action, found ${version} at ${binary}`);
  return binary;
}

/** Shared across runs, like a runner's tool cache; fresh in a clean clone. */
export const TOOL_CACHE = join(REPO, 'node_modules', '.cache', 'model-gate-e2e-toolcache');
