/** deployment_manifest.yaml: what the promotion stages and the people approving them rely on. */
import { stringify } from 'yaml';
import type { Report } from './json.ts';

export function renderManifest(report: Report): string {
  const manifest = {
    manifest_version: 1,
    version: report.version.id,
    sha256: report.version.sha256,
    size_bytes: report.version.size_bytes,
    model_path: report.model.path,
    // What sha256 covers: the graph file, then its external data files, concatenated in this order.
    model_files: report.model.files ?? [],
    decision: report.decision,
    reason: report.reason,
    checklist: {
      headline: report.headline,
      ...report.summary,
      failing_checks: report.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id),
    },
    created_at: report.version.created_at,
    git: { commit: report.version.git_commit, ref: report.version.git_ref },
    run_url: report.version.run_url,
    config_sha256: report.version.config_sha256,
    baseline: report.version.baseline,
    promotion: {
      stages: report.promotion.stages.map((weight, i) => ({ stage: i + 1, weight })),
      bake_minutes: report.promotion.bake_minutes,
    },
  };
  return `# Written by model-gate ${report.tool.version}. Do not edit: re-run the gate instead.\n${stringify(manifest, { lineWidth: 0 })}`;
}
