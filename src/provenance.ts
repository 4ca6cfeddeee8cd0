/** Where a run happens: Actions' variables in Actions, else what the local git checkout says. */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { githubContext, runUrl } from './github/context.ts';

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
