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
  /** The model in production; its ID is timestamped by its last commit (else its mtime). */
  baseline: { id: string; sha256: string; size_bytes: number; path: string } | null;
}
