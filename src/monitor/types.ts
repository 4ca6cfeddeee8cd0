/**
 * What a monitor run returns: the report the shells write, render and alert on. Apart from the
 * command (monitor-command.ts) so the renderers (markdown.ts, alert.ts, files.ts) need not import it.
 */
import type { CheckResult } from '../core/check-result.ts';
import type { DriftSection } from '../drift/run.ts';
import type { OperationalRow } from './operational.ts';
import type { PerformanceSection } from './performance.ts';
import type { MonitorStatus } from './status.ts';

export interface DeployedVersion {
  id: string;
  /** Where the id came from ('unknown': the records were read and name no full deployment). */
  source: 'given' | 'deployments' | 'unknown';
  /** The version fully deployed before it (alert rules compare latency with it). */
  previous: string | null;
}

export interface MonitorReport {
  tool: { name: 'model-gate'; version: string };
  kind: 'monitor';
  at: string;
  id: string;
  environment: string;
  version: DeployedVersion;
  status: MonitorStatus;
  reason: string;
  deciding: string[];
  window: { source: string; rows: number };
  reference: { source: string; rows: number };
  labels: { source: string; matched: number } | null;
  performance: PerformanceSection | null;
  drift: DriftSection | null;
  operational: OperationalRow[];
  checks: CheckResult[];
  duration_ms: number;
}
