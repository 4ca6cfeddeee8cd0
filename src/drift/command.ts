/**
 * `model-gate drift`: two data sets in, a drift report and a decision out. No model involved.
 * Returns data; the CLI prints it.
 */
import type { CheckResult } from '../checks/types.ts';
import type { Clock } from '../clock.ts';
import { readDataset } from '../data/read.ts';
import { decide, headline, type Decision } from '../decision.ts';
import { TOOL_VERSION } from '../report/json.ts';
import type { DriftSettings } from '../settings.ts';
import { resolveConfig } from '../config/load.ts';
import { dataDrift, driftSection, type DriftSection } from './run.ts';

/** The JSON of `model-gate drift --json`; the same block sits under `drift` in the validate report. */
export type DriftReport = {
  tool: { name: 'model-gate'; version: string };
  decision: Decision;
  reason: string;
  headline: string;
} & DriftSection & { checks: CheckResult[]; duration_ms: number };

export async function runDrift(settings: DriftSettings, deps: { clock: Clock; progress: (message: string) => void }): Promise<DriftReport> {
  const t0 = deps.clock.now();
  const { config } = resolveConfig(settings.configPath);
  deps.progress(`reading ${settings.reference}`);
  const reference = await readDataset(settings.reference);
  deps.progress(`reading ${settings.current}`);
  const current = await readDataset(settings.current);
  deps.progress(`measuring drift of ${(settings.columns ?? reference.columns).length} columns`);
  const drift = dataDrift(config, reference, current, { columns: settings.columns, exclude: new Set(settings.exclude) });
  const outcome = decide(drift.checks);
  return {
    tool: { name: 'model-gate', version: TOOL_VERSION },
    decision: outcome.decision,
    reason: outcome.reason,
    headline: headline(outcome),
    ...driftSection(drift, config),
    checks: drift.checks,
    duration_ms: Math.round(deps.clock.now() - t0),
  };
}
