/** What promote / rollback / status need from settings: the config, the version, the commands. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveConfig } from '../config/load.ts';
import type { PromotionConfig } from '../config/types.ts';
import { ReportFiles } from '../constants.ts';
import { UsageError } from '../errors.ts';
import type { Settings } from '../settings.ts';
import { promote, rollbackAll, status, type PromoteResult, type PromotionIO, type StatusView } from './command.ts';

export interface PromotionTarget {
  config: PromotionConfig;
  version: string;
  model: string;
  environment: string;
}

/** The config's promotion section with the command flags over it, and the version being promoted. */
export async function promotionTarget(settings: Settings): Promise<PromotionTarget> {
  const loaded = resolveConfig(settings.configPath);
  const p = settings.promotion!;
  const base = loaded.config.promotion;
  const config: PromotionConfig = {
    ...base,
    traffic: { ...base.traffic, command: p.traffic ?? base.traffic.command, rollback: p.rollback ?? base.traffic.rollback, promote: p.promote ?? base.traffic.promote },
  };
  let version = p.version;
  let model = loaded.config.model.path ?? '';
  if (!version || !model) {
    // The validate run's report names the version and the model.
    const file = settings.reportPath ?? join(settings.outDir, ReportFiles.Json);
    try {
      const report = JSON.parse(await readFile(file, 'utf8')) as { version?: { id?: string }; model?: { path?: string } };
      version ??= report.version?.id;
      model ||= report.model?.path ?? '';
    } catch {
      if (!version) throw new UsageError(`no version to promote: pass --version (input "version") or the validate run's report (--report / input "report"; looked for ${file})`);
    }
  }
  if (!version) throw new UsageError('no version to promote: the report has no version ID');
  return { config, version, model, environment: p.environment };
}

export type PromotionOutcome =
  | { mode: 'promote'; result: PromoteResult }
  | { mode: 'rollback'; ok: boolean; error?: string }
  | { mode: 'status'; view: StatusView };

export async function runPromotionMode(settings: Settings, io: PromotionIO): Promise<PromotionOutcome> {
  if (settings.mode === 'status') return { mode: 'status', view: await status(settings.promotion!.environment, io) };
  const t = await promotionTarget(settings);
  if (settings.mode === 'rollback') return { mode: 'rollback', ...(await rollbackAll({ version: t.version, model: t.model, environment: t.environment }, t.config, io)) };
  return { mode: 'promote', result: await promote({ stage: settings.promotion!.stage!, version: t.version, model: t.model, environment: t.environment }, t.config, io) };
}
