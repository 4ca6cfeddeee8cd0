/**
 * Where the baseline model comes from: a file, an http(s) URL, or `git:<ref>:<path>` (the file
 * at a git ref; `git:base:<path>` is the pull request's base branch). Remote baselines are
 * written to a temporary file so that every runner reads a path.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { InputFileError, getErrorMessage } from '../errors.ts';

const run = promisify(execFile);
const DOWNLOAD_TIMEOUT_MS = 120_000;

export interface BaselineSource {
  /** A local file holding the baseline. */
  path: string;
  /** What the user wrote, for reports. */
  spec: string;
  kind: 'file' | 'url' | 'git';
}

/**
 * A revision as git reads it (`origin/main`, `v1.2`, `HEAD~1`, a commit id): it may come from a
 * config in a pull request, so anything git could take for an option or a second argument (a
 * leading `-`, spaces, control characters) is refused rather than passed on.
 */
const SAFE_REF = /^[A-Za-z0-9_][A-Za-z0-9_./~^@{}+-]*$/;
/** A branch name as fetched into refs/remotes/origin/: no `+` (a forced refspec), no `..`. */
const SAFE_BRANCH = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

function checkRef(spec: string, ref: string): void {
  if (ref.startsWith('-')) throw new InputFileError(spec, `the git ref "${ref}" starts with "-", which git would read as an option; name a branch, tag or commit, e.g. git:origin/main:model.onnx`);
  if (!SAFE_REF.test(ref) || ref.includes('..')) {
    throw new InputFileError(spec, `"${ref}" is not a git ref model-gate accepts (letters, digits and _ . / ~ ^ @ { } + -, no ".."); name a branch, tag or commit, e.g. git:origin/main:model.onnx`);
  }
}

function checkPath(spec: string, path: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) throw new InputFileError(spec, 'the path after the git ref contains control characters');
}

export function parseGitSpec(spec: string, env: NodeJS.ProcessEnv): { ref: string; path: string } | null {
  const m = /^git:([^:]+):(.+)$/.exec(spec);
  if (!m) return null;
  let ref = m[1]!;
  if (ref === 'base') {
    const base = env.GITHUB_BASE_REF;
    if (!base) throw new InputFileError(spec, 'git:base: needs a pull request (GITHUB_BASE_REF is not set); name the ref, e.g. git:origin/main:model.onnx');
    checkRef(spec, base);
    ref = `origin/${base}`;
  }
  checkRef(spec, ref);
  checkPath(spec, m[2]!);
  return { ref, path: m[2]! };
}

export async function resolveBaseline(spec: string, env: NodeJS.ProcessEnv = process.env): Promise<BaselineSource> {
  const git = parseGitSpec(spec, env);
  if (git) return { path: await fromGit(spec, git.ref, git.path), spec, kind: 'git' };
  if (/^https?:\/\//i.test(spec)) return { path: await fromUrl(spec), spec, kind: 'url' };
  return { path: spec, spec, kind: 'file' };
}

async function show(ref: string, path: string): Promise<Buffer> {
  // `--end-of-options`: whatever the revision holds, git reads it as a revision, never an option.
  const { stdout } = await run('git', ['show', '--end-of-options', `${ref}:${path}`], { encoding: 'buffer', maxBuffer: 4 * 1024 ** 3 });
  return stdout;
}

async function fromGit(spec: string, ref: string, path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await show(ref, path);
  } catch (first) {
    // A shallow checkout (actions/checkout's default) lacks the base branch: fetch just it.
    const remote = /^origin\/(.+)$/.exec(ref);
    try {
      if (!remote || !SAFE_BRANCH.test(remote[1]!) || remote[1]!.includes('..')) throw first;
      await run('git', ['fetch', '--no-tags', '--depth=1', '--end-of-options', 'origin', `${remote[1]}:refs/remotes/origin/${remote[1]}`]);
      bytes = await show(ref, path);
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? getErrorMessage(error)).trim().split('\n')[0];
      throw new InputFileError(spec, `cannot read ${path} at ${ref}: ${stderr}`);
    }
  }
  return keep(bytes, path);
}

async function fromUrl(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    throw new InputFileError(url, `download failed: ${getErrorMessage(error)}`);
  }
  if (!response.ok) throw new InputFileError(url, `download failed: HTTP ${response.status} ${response.statusText}`);
  const name = basename(new URL(url).pathname) || 'baseline.onnx';
  return keep(Buffer.from(await response.arrayBuffer()), name);
}

const fetched: string[] = [];

/** A fetched copy lives as long as the run: a CLI run on a workstation must not leave models in /tmp. */
function removeAtExit(dir: string): void {
  if (fetched.length === 0) process.once('exit', () => { for (const d of fetched) rmSync(d, { recursive: true, force: true }); });
  fetched.push(dir);
}

async function keep(bytes: Buffer, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'model-gate-baseline-'));
  removeAtExit(dir);
  const file = join(dir, basename(name));
  await writeFile(file, bytes);
  return file;
}
