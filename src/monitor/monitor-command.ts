/**
 * `model-gate monitor`, for the action and the CLI alike: the deployed version, the production
 * window (and delayed labels) against the reference, judged by the existing drift engine, CBPE and
 * realised metrics, and the metrics provider; one checklist, one status. Returns data; the shells
 * write it out and keep the alert issue.
 */
import { result, type CheckResult } from '../core/check-result.ts';
import type { Clock } from '../clock.ts';
import { resolveConfig } from '../config/load.ts';
import type { GateConfig, MonitorConfig, MonitorSource } from '../config/types.ts';
import { limitsFromConfig } from '../data/limits.ts';
import { coverageCheck } from '../drift/drift-command.ts';
import { dataDrift, driftSection, type DriftSection } from '../drift/run.ts';
import { UsageError, getErrorMessage, isUserError } from '../errors.ts';
import type { MonitorOverrides } from '../settings.ts';
import type { DeploymentRecords } from '../promotion/records.ts';
import { providerFor } from '../promotion/stage-command.ts';
import type { MetricsProvider } from '../promotion/providers.ts';
import { TOOL_VERSION } from '../report/json.ts';
import { labelEncoder } from './columns.ts';
import { joinLabels } from './labels.ts';
import { judgeOperational, type OperationalRow } from './operational.ts';
import { judgePerformance } from './performance.ts';
import { describeSource, readSource } from './source.ts';
import { monitorStatus } from './status.ts';
import type { DeployedVersion, MonitorReport } from './types.ts';
import { deployedVersion } from './version.ts';

export interface MonitorDeps {
  clock: Clock;
  env: NodeJS.ProcessEnv;
  progress: (message: string) => void;
  secret: (value: string) => void;
  /** The deployment records (null outside GitHub, or without a token: then the version must be given). */
  records: DeploymentRecords | null;
  /** Tests may pass a provider; default: the promotion's (promotion.provider). */
  provider?: MetricsProvider;
}

/** The monitor section with the flags applied. */
export function monitorConfig(config: GateConfig, o: MonitorOverrides): MonitorConfig {
  const m = config.monitor;
  return {
    ...m,
    id: o.id ?? m.id,
    version: o.version ?? m.version,
    environment: o.environment ?? m.environment,
    window: o.window ?? m.window,
    reference: o.reference ?? m.reference ?? config.data.reference,
    labels: o.labels ?? m.labels,
  };
}

/** The alert issue's key: the configured id, else the environment and the config file. */
export const monitorId = (cfg: MonitorConfig, configPath: string | null) => cfg.id ?? `${cfg.environment}:${configPath ?? 'defaults'}`;

export async function runMonitor(configPath: string | undefined, overrides: MonitorOverrides, deps: MonitorDeps): Promise<MonitorReport> {
  const t0 = deps.clock.now();
  const loaded = resolveConfig(configPath);
  const cfg = monitorConfig(loaded.config, overrides);
  const config: GateConfig = { ...loaded.config, monitor: cfg };
  if (!cfg.window) throw new UsageError('model-gate monitor needs the production window: --window FILE|URL, or monitor.window in the config (a path, a url, or {command: …})');
  if (!cfg.reference) throw new UsageError('model-gate monitor needs the reference data: --reference FILE, monitor.reference or data.reference');
  const limits = limitsFromConfig(config.data);
  const version = await deployedVersion(cfg.version, cfg.environment, deps.records).catch((error: unknown) => {
    if (isUserError(error)) throw error;
    deps.progress(`the deployment records could not be read: ${getErrorMessage(error)}`);
    return { id: 'unknown', source: 'unknown', previous: null } satisfies DeployedVersion;
  });
  deps.progress(`deployed version: ${version.id} (${version.source})`);
  deps.progress(`reading the window from ${describeSource(cfg.window)}`);
  const window = await readSource(cfg.window, 'monitor.window', limits, deps.env);
  deps.progress(`reading the reference from ${describeSource(cfg.reference)}`);
  const reference = await readSource(cfg.reference, 'monitor.reference', limits, deps.env);
  const checks: CheckResult[] = [];

  const idColumn = cfg.id_column ?? config.data.id;
  const labelColumn = cfg.label ?? config.data.label;
  let labels: Int8Array | null = null;
  let labelInfo: MonitorReport['labels'] = null;
  if (cfg.labels) {
    const source: MonitorSource = cfg.labels;
    try {
      if (!idColumn || !labelColumn) throw new UsageError('delayed labels are joined by an id: set monitor.id_column (or data.id) and monitor.label (or data.label)');
      deps.progress(`reading the labels from ${describeSource(source)}`);
      const joined = joinLabels(window, await readSource(source, 'monitor.labels', limits, deps.env), idColumn, labelColumn, labelEncoder(cfg));
      labels = joined.label;
      labelInfo = { source: describeSource(source), matched: joined.matched };
    } catch (error) {
      checks.push(result({ id: 'monitor.labels', category: 'performance', severity: 'warning', status: 'error', message: `the delayed labels could not be joined: ${getErrorMessage(error)}` }));
    }
  }

  let drift: DriftSection | null = null;
  if (cfg.drift.enabled && config.drift.enabled) {
    deps.progress('measuring drift');
    // The window has no labels (they are joined, not drifted); the id is not a feature.
    const exclude = new Set([idColumn, labelColumn].filter((c): c is string => Boolean(c)));
    const noLabel: GateConfig = { ...config, data: { ...config.data, label: undefined } };
    const d = dataDrift(noLabel, reference, window, { exclude });
    drift = driftSection(d, noLabel);
    checks.push(...d.checks, ...coverageCheck(d, noLabel));
  }

  deps.progress('estimating performance (CBPE)');
  const performance = judgePerformance(config, reference, window, labels);
  checks.push(...performance.checks);

  let operational: OperationalRow[] = [];
  if (cfg.operational.enabled) {
    if (version.source === 'unknown') {
      checks.push(result({ id: 'monitor.operational', category: 'operational', severity: 'warning', status: 'error', message: `no successful full (100%) deployment of ${cfg.environment} is recorded, so the deployed version is unknown (give --version, or promote with deployment records): its error rate cannot be queried` }));
    } else {
      deps.progress('reading operational metrics');
      try {
        const provider = deps.provider ?? providerFor(config.promotion, { env: deps.env, secret: deps.secret });
        const op = await judgeOperational(config, provider, version.id);
        operational = op.rows;
        checks.push(...op.checks);
      } catch (error) {
        checks.push(result({ id: 'monitor.operational', category: 'operational', severity: 'warning', status: 'error', message: `operational metrics could not be read: ${getErrorMessage(error)}` }));
      }
    }
  }

  const verdict = monitorStatus(checks);
  return {
    tool: { name: 'model-gate', version: TOOL_VERSION },
    kind: 'monitor',
    at: deps.clock.date().toISOString(),
    id: monitorId(cfg, loaded.path),
    environment: cfg.environment,
    version,
    status: verdict.status,
    reason: verdict.reason,
    deciding: verdict.deciding,
    window: { source: describeSource(cfg.window), rows: window.rows },
    reference: { source: describeSource(cfg.reference), rows: reference.rows },
    labels: labelInfo,
    performance: performance.section,
    drift,
    operational,
    checks,
    duration_ms: Math.round(deps.clock.now() - t0),
  };
}
