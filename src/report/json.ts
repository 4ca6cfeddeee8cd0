/** The JSON report: the machine-readable record of a run (schema/report.schema.json, versioned). */
import type { ArtifactFacts } from '../checks/artifact.ts';
import type { PredictionDrift } from '../checks/drift.ts';
import { reportSections, type Measurements, type ReportSections } from '../checks/family.ts';
import { FAMILIES } from '../checks/index.ts';
import { driftSection, type DataDrift, type DriftSection } from '../drift/run.ts';
import type { CheckResult } from '../core/check-result.ts';
import type { GateConfig } from '../config/types.ts';
import { headline, type ChecklistSummary, type Decision, type DecisionOutcome } from '../decision.ts';
import type { ModelFile } from '../runners/model-files.ts';
import type { OnnxFormat } from '../runners/onnx-format.ts';
import type { TensorSpec, UnreadableOutput } from '../runners/types.ts';
import type { VersionInfo } from '../version.ts';
import pkg from '../../package.json' with { type: 'json' };

export const REPORT_SCHEMA_VERSION = 1;

/** The run's record: this head, every family's sections (checks/family.ts `ReportSections`), the data's drift. */
export interface Report extends ReportSections {
  schema_version: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'model-gate'; version: string };
  decision: Decision;
  reason: string;
  headline: string;
  summary: ChecklistSummary;
  version: VersionInfo;
  model: {
    path: string;
    /** onnx: in-process; http: an endpoint (`path` is its URL); command: a user command (`path` is the command). */
    runner: 'onnx' | 'http' | 'command';
    /** Of every file in `files`. */
    size_bytes: number;
    /** sha256 over `files` concatenated in order: the graph file, then its external data files. */
    sha256: string;
    /** The files hashed, graph first, then each external data file in order of first reference (absent in older reports). */
    files?: ModelFile[];
    /** A shell command that recomputes `sha256` from the working directory; null without a file (absent in older reports). */
    sha256_command?: string | null;
    format: OnnxFormat | null;
    signature: ReportSignature | null;
  };
  data: { eval: string | null; label: string | null; reference: string | null; rows_evaluated: number; source: string | null };
  config: { path: string | null; sha256: string | null; fail_on: GateConfig['fail_on'] };
  checks: CheckResult[];
  /** Feature, label and prediction drift against the reference data; null without reference data. */
  drift: (DriftSection & { predictions: PredictionDrift | null }) | null;
  /** The roll-out plan (the manifest carries it too). */
  promotion: { stages: number[]; bake_minutes: number };
  started_at: string;
  duration_ms: number;
  /** Where the run happened on GitHub; only the action writes it (the fork comment workflow reads it). */
  github?: ReportGitHub;
}

export interface ReportGitHub {
  repository: string | null;
  event: string | null;
  pull_request: { number: number; head_sha: string } | null;
  run_id: string | null;
  run_attempt: string | null;
  workflow: string | null;
  comment_id: string;
}

export interface ReportParts {
  outcome: DecisionOutcome;
  checks: CheckResult[];
  config: GateConfig;
  configPath: string | null;
  version: VersionInfo;
  artifact: ArtifactFacts;
  runnerKind: Report['model']['runner'];
  signature: ReportSignature | null;
  measured: Measurements;
  drift: DataDrift | null;
  data: Report['data'];
  startedAt: Date;
  durationMs: number;
}

/** The model's inputs and outputs as the report lists them; inputs say how they were fed. */
export interface ReportSignature {
  inputs: (TensorSpec & { fed?: string; fed_shape?: string })[];
  outputs: TensorSpec[];
  /** Declared outputs the runner cannot return, with why and what to do. */
  unreadable?: UnreadableOutput[];
}

export const TOOL_VERSION: string = pkg.version;

export function buildReport(p: ReportParts): Report {
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    tool: { name: 'model-gate', version: TOOL_VERSION },
    decision: p.outcome.decision,
    reason: p.outcome.reason,
    headline: headline(p.outcome, p.checks),
    summary: p.outcome.summary,
    version: p.version,
    model: {
      path: p.artifact.path,
      runner: p.runnerKind,
      size_bytes: p.artifact.size_bytes,
      sha256: p.artifact.sha256,
      files: p.artifact.files,
      sha256_command: sha256Command(p.artifact.files, p.artifact.sha256),
      format: p.artifact.format,
      signature: p.signature,
    },
    data: p.data,
    config: { path: p.configPath, sha256: p.version.config_sha256, fail_on: p.config.fail_on },
    checks: p.checks,
    ...reportSections(FAMILIES, p.measured, p.config),
    drift: p.drift ? { ...driftSection(p.drift, p.config), predictions: p.measured.prediction_drift ?? null } : null,
    promotion: { stages: p.config.promotion.stages, bake_minutes: p.config.promotion.bake_minutes },
    started_at: p.startedAt.toISOString(),
    duration_ms: Math.round(p.durationMs),
  };
}

/** How a user recomputes the model's sha256 with standard tools: `cat graph weights… | sha256sum`. */
export function sha256Command(files: ModelFile[], sha256: string): string | null {
  if (!sha256 || files.length === 0) return null;
  const quoted = files.map((f) => `'${f.path.replace(/'/g, `'\\''`)}'`);
  return files.length === 1 ? `sha256sum ${quoted[0]}` : `cat ${quoted.join(' ')} | sha256sum`;
}
