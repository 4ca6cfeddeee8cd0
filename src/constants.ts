/** Names shared by action.yml, the settings reader and the outputs: one place, no drift. */
export const Inputs = {
  Mode: 'mode',
  Config: 'config',
  Model: 'model',
  Baseline: 'baseline',
  Data: 'data',
  Label: 'label',
  Reference: 'reference',
  FailOn: 'fail-on',
  Out: 'out',
  GithubToken: 'github-token',
} as const;

export const Outputs = {
  Decision: 'decision',
  Version: 'version',
  Report: 'report',
  Manifest: 'manifest',
} as const;

export const MODES = ['validate'] as const;
export type Mode = (typeof MODES)[number];

export const DEFAULT_CONFIG_PATHS = ['.github/model-gate.yml', '.github/model-gate.yaml'];
export const DEFAULT_OUT_DIR = 'model-gate-report';

export const ReportFiles = {
  Json: 'report.json',
  Manifest: 'deployment_manifest.yaml',
  Markdown: 'summary.md',
} as const;
