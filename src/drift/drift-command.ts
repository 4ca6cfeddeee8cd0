/**
 * `model-gate drift`: two data sets in, a drift report and a decision out. No model involved.
 * Returns data; the CLI prints it.
 */
import { result, type CheckResult } from '../core/check-result.ts';
import type { Clock } from '../clock.ts';
import { limitsFromConfig } from '../data/limits.ts';
import { readDataset } from '../data/read.ts';
import { decide, headline } from '../decision.ts';
import { TOOL_VERSION } from '../report/json.ts';
import type { DriftSettings } from '../settings.ts';
import { resolveConfig } from '../config/load.ts';
import type { GateConfig } from '../config/types.ts';
import { dataDrift, driftSection, type DataDrift, type DriftReport } from './run.ts';

export async function runDrift(settings: DriftSettings, deps: { clock: Clock; progress: (message: string) => void }): Promise<DriftReport> {
  const t0 = deps.clock.now();
  const { config } = resolveConfig(settings.configPath);
  deps.progress(`reading ${settings.reference}`);
  const reference = await readDataset(settings.reference, limitsFromConfig(config.data));
  deps.progress(`reading ${settings.current}`);
  const current = await readDataset(settings.current, limitsFromConfig(config.data));
  deps.progress(`measuring drift of ${(settings.columns ?? reference.columns).length} columns`);
  const drift = dataDrift(config, reference, current, { columns: settings.columns, exclude: new Set(settings.exclude) });
  const checks = [...drift.checks, ...coverageCheck(drift, config)];
  const outcome = decide(checks);
  return {
    tool: { name: 'model-gate', version: TOOL_VERSION },
    decision: outcome.decision,
    reason: outcome.reason,
    headline: headline(outcome, checks),
    ...driftSection(drift, config),
    checks,
    duration_ms: Math.round(deps.clock.now() - t0),
  };
}

/**
 * Drift that could not be measured is unknown, not absent: when a feature (or the label) could not
 * be compared (a column missing on a side, numbers against text, too few values), the command's
 * answer is not GO. This item fails with the data set's drift severity, at least a warning.
 */
export function coverageCheck(drift: DataDrift, config: GateConfig): CheckResult[] {
  const all = [...drift.summary.features, ...(drift.label ? [drift.label] : [])];
  const uncompared = all.filter((f) => f.status === 'error' || f.status === 'inconclusive');
  if (uncompared.length === 0) return [];
  const names = uncompared.map((f) => f.name);
  const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
  return [
    result({
      id: 'drift.coverage',
      category: 'drift',
      severity: config.drift.dataset_severity === 'blocker' ? 'blocker' : 'warning',
      status: 'error',
      value: uncompared.length,
      threshold: 'every column compared',
      message: `${uncompared.length} of ${all.length} columns could not be compared (${shown}): their drift is unknown, so the data is not shown to be stable; see each column's item, or leave a column out with --exclude / drift.features.<name>.ignore`,
    }),
  ];
}
