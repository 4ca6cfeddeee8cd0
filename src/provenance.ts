/**
 * Where a run happens (Actions' variables in Actions, else what the local git checkout says) and
 * what a validate run records of it: the model's version (its hash, or for a served model without
 * its file the hash of what the server reports), the baseline's, the config's hash and the commit.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { result, type CheckResult } from './core/check-result.ts';
import { githubContext, runUrl } from './github/context.ts';
import { noModelFile, type ModelFiles } from './runners/model-files.ts';
import type { ModelRunner } from './runners/types.ts';
import { versionId, type VersionInfo } from './version.ts';

export interface Provenance {
  gitCommit: string | null;
  gitRef: string | null;
  runUrl: string | null;
}

export function provenanceFromActionsEnv(env: NodeJS.ProcessEnv): Provenance {
  return { gitCommit: env.GITHUB_SHA ?? null, gitRef: env.GITHUB_REF ?? null, runUrl: runUrl(githubContext(env, null)) };
}

function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || null;
  } catch {
    return null;
  }
}

export function detectProvenance(env: NodeJS.ProcessEnv): Provenance {
  if (env.GITHUB_ACTIONS === 'true') return provenanceFromActionsEnv(env);
  return { gitCommit: git('rev-parse', 'HEAD'), gitRef: git('symbolic-ref', '-q', 'HEAD'), runUrl: null };
}

/**
 * When a file's content came to be: its last commit's time when git tracks it (stable across
 * checkouts, unlike the mtime a checkout gives it), else its modification time.
 */
export function contentTimestamp(path: string): Date {
  const committed = git('log', '-1', '--format=%cI', '--', path);
  return committed ? new Date(committed) : statSync(path).mtime;
}

/** A model served over HTTP or by a command, with its runner when it opened. */
export interface ServedModel {
  kind: string;
  target: string;
  runner: ModelRunner | null;
}

export interface VersionFacts {
  /** When the run started: the candidate's version timestamp. */
  at: Date;
  /** The candidate's files (no file for a served model given without model.path). */
  artifact: ModelFiles;
  /** The candidate when served, else null. */
  served: ServedModel | null;
  /** The baseline's file, when one is named. */
  baselineFile: ModelFiles | null;
  /** The baseline when served, else null. */
  servedBaseline: ServedModel | null;
  configSha256: string | null;
  provenance: Provenance;
  /** When a file's content came to be (the baseline's version timestamp). */
  contentTimestamp: (path: string) => Date;
}

/**
 * The run's version info, and the candidate's files with the hash that versions it: a served
 * model without its file is versioned, like a served baseline, by what its server reports.
 */
export function versionOf(facts: VersionFacts): { artifact: ModelFiles; version: VersionInfo } {
  const { at, served, servedBaseline } = facts;
  const baseline = facts.baselineFile
    ? { ...facts.baselineFile, at: facts.contentTimestamp(facts.baselineFile.path) }
    : servedBaseline?.runner
      ? { ...noModelFile(servedBaseline.target), sha256: servedHash(servedBaseline.kind, servedBaseline.target, servedBaseline.runner), at }
      : null;
  const artifact = served?.runner && !facts.artifact.sha256 ? { ...facts.artifact, sha256: servedHash(served.kind, served.target, served.runner) } : facts.artifact;
  const { provenance } = facts;
  const version: VersionInfo = {
    id: artifact.sha256 ? versionId(at, artifact.sha256) : '',
    sha256: artifact.sha256,
    size_bytes: artifact.size_bytes,
    created_at: at.toISOString().slice(0, 19) + 'Z',
    git_commit: provenance.gitCommit,
    git_ref: provenance.gitRef,
    run_url: provenance.runUrl,
    config_sha256: facts.configSha256,
    baseline: baseline
      ? { id: versionId(baseline.at, baseline.sha256), sha256: baseline.sha256, size_bytes: baseline.size_bytes, path: baseline.path }
      : null,
  };
  return { artifact, version };
}

/** version.id: the version, or why there is none; a served model without its file says what versions it. */
export function versionCheck(version: VersionInfo, served: { kind: string } | null, fileGiven: boolean): CheckResult {
  return result({
    id: 'version.id',
    category: 'version',
    severity: 'info',
    status: version.id ? 'pass' : 'skip',
    value: version.id,
    message: version.id
      ? `version ${version.id}${served && !fileGiven ? ` (from what the ${served.kind === 'http' ? 'server' : 'command'} reports about the model: give model.path too to version the file)` : ''}`
      : `no version: the model ${served ? 'could not be reached' : 'could not be read'}`,
  });
}

function servedHash(kind: string, target: string, runner: ModelRunner): string {
  return createHash('sha256').update(JSON.stringify({ served: kind, target, metadata: runner.metadata ?? null })).digest('hex');
}
