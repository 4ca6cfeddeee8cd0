/** Where a run happens: Actions' variables in Actions, else what the local git checkout says. */
import { execFileSync } from 'node:child_process';
import { provenanceFromActionsEnv, type Provenance } from './version.ts';

export function detectProvenance(env: NodeJS.ProcessEnv): Provenance {
  if (env.GITHUB_ACTIONS === 'true') return provenanceFromActionsEnv(env);
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || null;
    } catch {
      return null;
    }
  };
  return { gitCommit: git('rev-parse', 'HEAD'), gitRef: git('symbolic-ref', '-q', 'HEAD'), runUrl: null };
}
