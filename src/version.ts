/** Version IDs: `v_<UTC timestamp to the second>_<first 8 hex of the model's sha256>`. */

export function versionId(at: Date, sha256: string): string {
  const stamp = at.toISOString().slice(0, 19); // 2026-11-05T16:38:36
  return `v_${stamp}_${sha256.slice(0, 8)}`;
}

export interface VersionInfo {
  id: string;
  sha256: string;
  size_bytes: number;
  created_at: string;
  git_commit: string | null;
  git_ref: string | null;
  run_url: string | null;
  config_sha256: string | null;
  /** The model in production, identified by content (its own version ID lives in its manifest). */
  baseline: { sha256: string; short_sha: string; size_bytes: number; path: string } | null;
}

/** Where the run happens: GitHub Actions' variables when present, else what git says locally. */
export interface Provenance {
  gitCommit: string | null;
  gitRef: string | null;
  runUrl: string | null;
}

export function provenanceFromActionsEnv(env: NodeJS.ProcessEnv): Provenance {
  const server = env.GITHUB_SERVER_URL;
  const repo = env.GITHUB_REPOSITORY;
  const runId = env.GITHUB_RUN_ID;
  const attempt = env.GITHUB_RUN_ATTEMPT;
  const runUrl =
    server && repo && runId ? `${server}/${repo}/actions/runs/${runId}${attempt ? `/attempts/${attempt}` : ''}` : null;
  return { gitCommit: env.GITHUB_SHA ?? null, gitRef: env.GITHUB_REF ?? null, runUrl };
}
