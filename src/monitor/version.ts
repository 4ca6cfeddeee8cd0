/**
 * Which version is deployed: the one given, else the newest successful full (100%) stage the
 * promotion recorded as a GitHub deployment of the environment (src/github/deployments.ts); the
 * version before it is the "previous" one latency is compared with in the alert rules.
 */
import { DRILL_STAGE, type DeploymentRecords } from '../github/deployments.ts';

export interface DeployedVersion {
  id: string;
  /** Where the id came from. */
  source: 'given' | 'deployments' | 'unknown';
  /** The version fully deployed before it (alert rules compare latency with it). */
  previous: string | null;
}

export async function deployedVersion(given: string | undefined, environment: string, records: DeploymentRecords | null): Promise<DeployedVersion> {
  const full = records ? (await records.list(environment, 100)).filter((d) => d.state === 'success' && d.payload?.weight === 100 && d.payload.stage !== DRILL_STAGE && typeof d.payload.version === 'string') : [];
  const versions = [...new Set(full.map((d) => d.payload.version))];
  if (given) return { id: given, source: 'given', previous: versions.find((v) => v !== given) ?? null };
  if (versions.length > 0) return { id: versions[0]!, source: 'deployments', previous: versions[1] ?? null };
  return { id: 'unknown', source: 'unknown', previous: null };
}
