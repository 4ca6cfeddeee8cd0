/**
 * `model-gate alerts` (CLI): the config, the deployed and previous versions (given, or from the
 * deployment records), the rules written to a file or returned for stdout.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { resolveConfig } from '../config/load.ts';
import { UsageError } from '../errors.ts';
import type { DeploymentRecords } from '../promotion/records.ts';
import type { AlertsSettings } from '../settings.ts';
import { alertRules } from './alert-rules.ts';
import { monitorConfig, monitorId } from './monitor-command.ts';
import { deployedVersion } from './version.ts';

export async function runAlerts(settings: AlertsSettings, records: DeploymentRecords | null): Promise<{ yaml: string; rules: number; notes: string[] }> {
  const loaded = resolveConfig(settings.configPath);
  const cfg = monitorConfig(loaded.config, settings.overrides);
  const version = await deployedVersion(cfg.version, cfg.environment, records, 'model-gate alerts');
  if (version.source === 'unknown') throw new UsageError(`model-gate alerts needs the deployed version: the deployment records name no successful full (100%) promotion in ${cfg.environment}; give --version ID (or monitor.version)`);
  if (loaded.config.promotion.metrics.length === 0) throw new UsageError('promotion.metrics is empty: the alert rules are made from its error_rate and latency metrics');
  const out = alertRules({ ...loaded.config, monitor: cfg }, monitorId(cfg, loaded.path), version.id, settings.previous ?? version.previous);
  if (settings.output) {
    await mkdir(dirname(resolve(settings.output)), { recursive: true });
    await writeFile(settings.output, out.yaml);
  }
  return { yaml: out.yaml, rules: out.rules.length, notes: out.notes };
}
