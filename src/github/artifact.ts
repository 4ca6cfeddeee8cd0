/** The report files as one workflow artifact (@actions/artifact, the upload-artifact action's library). */
import { DefaultArtifactClient } from '@actions/artifact';

export interface UploadedArtifact {
  name: string;
  id: number;
  size: number;
}

/** Why an upload cannot happen here, or null when it can. */
export function artifactUnavailable(env: NodeJS.ProcessEnv): string | null {
  if (env.GITHUB_ACTIONS !== 'true') return 'not running in GitHub Actions';
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) return 'the runner gave this step no artifact service (ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL unset)';
  return null;
}

export async function uploadReportArtifact(name: string, files: string[], rootDirectory: string, retentionDays?: number): Promise<UploadedArtifact> {
  const client = new DefaultArtifactClient();
  const r = await client.uploadArtifact(name, files, rootDirectory, retentionDays ? { retentionDays } : {});
  if (r.id === undefined) throw new Error('the artifact service did not return an artifact id');
  return { name, id: r.id, size: r.size ?? 0 };
}
