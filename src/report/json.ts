/** The JSON report: the machine-readable record of a run (schema/report.schema.json, versioned). */
import type { ArtifactFacts } from '../checks/artifact.ts';
import type { Measurements } from '../checks/index.ts';
import type { ScenarioOutcome } from '../checks/error-scenarios.ts';
import type { LatencyStats } from '../checks/latency.ts';
import type { CheckResult } from '../checks/types.ts';
import type { GateConfig } from '../config/types.ts';
import { headline, type ChecklistSummary, type Decision, type DecisionOutcome } from '../decision.ts';
import type { OnnxFormat } from '../runners/onnx-format.ts';
import type { ModelSignature } from '../runners/types.ts';
import type { VersionInfo } from '../version.ts';
import pkg from '../../package.json' with { type: 'json' };

export const REPORT_SCHEMA_VERSION = 1;

export interface Report {
  schema_version: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'model-gate'; version: string };
  decision: Decision;
  reason: string;
  headline: string;
  summary: ChecklistSummary;
  version: VersionInfo;
  model: {
    path: string;
    runner: 'onnx';
    size_bytes: number;
    sha256: string;
    format: OnnxFormat | null;
    signature: ModelSignature | null;
  };
  data: { eval: string | null; label: string | null; reference: string | null; rows_evaluated: number; source: string | null };
  config: { path: string | null; sha256: string | null; fail_on: GateConfig['fail_on'] };
  checks: CheckResult[];
  latency: LatencyStats[];
  error_scenarios: ScenarioOutcome[];
  promotion: GateConfig['promotion'];
  started_at: string;
  duration_ms: number;
}

export interface ReportParts {
  outcome: DecisionOutcome;
  checks: CheckResult[];
  config: GateConfig;
  configPath: string | null;
  version: VersionInfo;
  artifact: ArtifactFacts;
  signature: ModelSignature | null;
  measured: Measurements;
  data: Report['data'];
  startedAt: Date;
  durationMs: number;
}

export const TOOL_VERSION: string = pkg.version;

export function buildReport(p: ReportParts): Report {
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    tool: { name: 'model-gate', version: TOOL_VERSION },
    decision: p.outcome.decision,
    reason: p.outcome.reason,
    headline: headline(p.outcome),
    summary: p.outcome.summary,
    version: p.version,
    model: {
      path: p.artifact.path,
      runner: 'onnx',
      size_bytes: p.artifact.size_bytes,
      sha256: p.artifact.sha256,
      format: p.artifact.format,
      signature: p.signature,
    },
    data: p.data,
    config: { path: p.configPath, sha256: p.version.config_sha256, fail_on: p.config.fail_on },
    checks: p.checks,
    latency: p.measured.latency ?? [],
    error_scenarios: p.measured.error_scenarios ?? [],
    promotion: p.config.promotion,
    started_at: p.startedAt.toISOString(),
    duration_ms: Math.round(p.durationMs),
  };
}
