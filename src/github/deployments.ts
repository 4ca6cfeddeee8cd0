/**
 * The record of a promotion: one GitHub deployment per stage of a version in its environment,
 * with statuses in_progress → success / failure (and inactive after a rollback), each pointing at
 * the run. A re-run looks here first: a stage already recorded as successful is not done again.
 */
import { DRILL_STAGE, type DeploymentRecords, type StagePayload } from '../promotion/records.ts';
import type { Octokit } from './octokit.ts';

export const DEPLOY_TASK = 'deploy:model-gate';

const short = (s: string) => (s.length > 140 ? `${s.slice(0, 139)}…` : s);

export function githubDeployments(octokit: Octokit, repo: { owner: string; repo: string }): DeploymentRecords {
  return {
    async start(environment, ref, payload, logUrl) {
      const res = await octokit.rest.repos.createDeployment({
        ...repo,
        ref,
        task: DEPLOY_TASK,
        environment,
        auto_merge: false,
        required_contexts: [],
        payload: payload as unknown as Record<string, unknown>,
        description: short(payload.stage === DRILL_STAGE ? `rollback drill of model ${payload.version} at ${payload.weight}%` : `model ${payload.version} at ${payload.stage}`),
        production_environment: payload.weight === 100,
        transient_environment: false,
      });
      const id = (res.data as { id?: number }).id;
      if (typeof id !== 'number') throw new Error(`GitHub did not create the deployment: ${JSON.stringify(res.data).slice(0, 200)}`);
      await this.status(id, 'in_progress', payload.stage === DRILL_STAGE ? 'rollback drill under way' : `baking ${payload.stage}`, logUrl);
      return id;
    },
    async status(id, state, description, logUrl) {
      await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: id, state, description: short(description), ...(logUrl ? { log_url: logUrl } : {}), auto_inactive: false });
    },
    async list(environment, limit = 30) {
      const res = await octokit.rest.repos.listDeployments({ ...repo, environment, task: DEPLOY_TASK, per_page: Math.min(limit, 100) });
      return Promise.all(
        res.data.map(async (d) => {
          const statuses = await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 });
          const latest = statuses.data[0];
          return {
            id: d.id,
            environment: d.environment,
            payload: (typeof d.payload === 'string' ? JSON.parse(d.payload || '{}') : d.payload) as StagePayload,
            state: latest?.state ?? null,
            description: latest?.description ?? null,
            created_at: d.created_at,
            log_url: latest?.log_url ?? null,
          };
        }),
      );
    },
  };
}
