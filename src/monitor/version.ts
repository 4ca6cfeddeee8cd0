/**
 * Which version is deployed, for the action and the CLI alike: the one given, else the newest
 * successful full (100%) stage the promotion recorded as a GitHub deployment of the environment
 * (src/github/deployments.ts); the version before it is the "previous" one latency is compared
 * with in the alert rules. Neither given nor readable is a usage error naming both ways.
 */
import { UsageError } from '../errors.ts';
import type { GitHubContext } from '../github/context.ts';
import { githubDeployments } from '../github/deployments.ts';
import { DRILL_STAGE, type DeploymentRecords } from '../promotion/records.ts';
import type { DeployedVersion } from './types.ts';
import { createOctokit, type ApiLog } from '../github/octokit.ts';

/** The promotion's records through the API, when a token and a repository are known; else null. */
export function deploymentRecordsFor(token: string | undefined, ctx: Pick<GitHubContext, 'apiUrl' | 'repository'>, log: ApiLog): DeploymentRecords | null {
  if (!token || !ctx.repository) return null;
  return githubDeployments(createOctokit(token, ctx.apiUrl, log), ctx.repository);
}

/** Why the version cannot be known, and the two ways to tell it. */
export function versionNeeded(command: string): UsageError {
  return new UsageError(
    `${command} needs the deployed version: give it (--version ID, action input "version", or monitor.version in the config), ` +
      'or let it read the deployment records the promotion wrote (GITHUB_REPOSITORY=owner/name and a token that may read deployments in GITHUB_TOKEN; the action: input "github-token")',
  );
}

export async function deployedVersion(given: string | undefined, environment: string, records: DeploymentRecords | null, command = 'model-gate monitor'): Promise<DeployedVersion> {
  if (!given && !records) throw versionNeeded(command);
  const full = records ? (await records.list(environment, 100)).filter((d) => d.state === 'success' && d.payload?.weight === 100 && d.payload.stage !== DRILL_STAGE && typeof d.payload.version === 'string') : [];
  const versions = [...new Set(full.map((d) => d.payload.version))];
  if (given) return { id: given, source: 'given', previous: versions.find((v) => v !== given) ?? null };
  if (versions.length > 0) return { id: versions[0]!, source: 'deployments', previous: versions[1] ?? null };
  return { id: 'unknown', source: 'unknown', previous: null };
}
