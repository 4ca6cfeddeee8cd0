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
  Comment: 'comment',
  CommentId: 'comment-id',
  CommentAuthor: 'comment-author',
  ArtifactName: 'artifact-name',
  Report: 'report',
  Endpoint: 'endpoint',
  Protocol: 'protocol',
  ModelName: 'model-name',
  Headers: 'headers',
  Command: 'command',
  BaselineEndpoint: 'baseline-endpoint',
  BaselineProtocol: 'baseline-protocol',
  BaselineModelName: 'baseline-model-name',
  BaselineHeaders: 'baseline-headers',
  BaselineCommand: 'baseline-command',
  Stage: 'stage',
  Version: 'version',
  Environment: 'environment',
  TrafficCommand: 'traffic-command',
  RollbackCommand: 'rollback-command',
  PromoteCommand: 'promote-command',
  AllowDelay: 'allow-delay',
  Drill: 'drill',
  RequireDrill: 'require-drill',
  Window: 'window',
  Labels: 'labels',
  MonitorId: 'monitor-id',
} as const;

export const Outputs = {
  Decision: 'decision',
  Version: 'version',
  Report: 'report',
  Manifest: 'manifest',
  ReportArtifact: 'report-artifact',
  CommentUrl: 'comment-url',
  Outcome: 'outcome',
  Stage: 'stage',
  Status: 'status',
  IssueUrl: 'issue-url',
  Environment: 'environment',
} as const;

export const DEFAULT_CONFIG_PATHS = ['.github/model-gate.yml', '.github/model-gate.yaml'];
export const DEFAULT_OUT_DIR = 'model-gate-report';
export const DEFAULT_ARTIFACT_NAME = 'model-gate-report';

/** `always`: create, then update each run; `on-change`: only when the verdict changed; `never`. */
export const COMMENT_POLICIES = ['always', 'on-change', 'never'] as const;
export type CommentPolicy = (typeof COMMENT_POLICIES)[number];

export const ReportFiles = {
  Json: 'report.json',
  Manifest: 'deployment_manifest.yaml',
  Markdown: 'summary.md',
  Html: 'report.html',
} as const;
