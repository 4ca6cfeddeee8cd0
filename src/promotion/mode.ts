/** promote, rollback and status, one function each, from their settings: the config, the version, the commands. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveConfig } from '../config/load.ts';
import type { PromotionConfig } from '../config/types.ts';
import { ReportFiles } from '../constants.ts';
import { UsageError } from '../errors.ts';
import type { PromoteSettings, PromotionSettings, RollbackSettings, StatusSettings } from '../settings.ts';
import { promote, rollbackAll, status, type PromoteResult, type PromotionIO, type StatusView } from './stage-command.ts';
import { drill, requireDrill, type DrillResult } from './drill-command.ts';

export interface PromotionTarget {
  config: PromotionConfig;
  version: string;
  model: string;
  environment: string;
}

interface ValidateReport {
  decision?: string;
  version?: { id?: string; git_commit?: string | null };
  model?: { path?: string };
}

/**
 * A report may only name what is promoted when it cleared the gate for this commit: GO, or a DELAY
 * a person cleared (`allow-delay`, set by the reusable workflow's review job); a NO-GO, a report of
 * another commit (one left by an earlier run) or one without a decision is refused.
 */
function clearedReport(report: ValidateReport, file: string, allowDelay: boolean, commit: string | null): void {
  const d = report.decision;
  if (d !== 'GO' && !(d === 'DELAY' && allowDelay)) {
    const why = d === 'DELAY' ? 'DELAY, not cleared (a reviewer clears it: input "allow-delay: true" / --allow-delay)' : d === undefined ? 'no decision (an incomplete or foreign report)' : d;
    throw new UsageError(`${file} says ${why}: only a GO (or a cleared DELAY) may be promoted; run validate again, or pass the version explicitly (input "version" / --version)`);
  }
  const own = report.version?.git_commit;
  if (commit && own && own !== commit) {
    throw new UsageError(`${file} is the report of commit ${own.slice(0, 12)}, not of ${commit.slice(0, 12)} being promoted (a report left by an earlier run?); run validate for this commit, or pass the version explicitly`);
  }
}

/** The config's promotion section with the command flags over it, and the version being promoted. */
export async function promotionTarget(settings: PromotionSettings, commit: string | null = null): Promise<PromotionTarget> {
  const loaded = resolveConfig(settings.configPath);
  const p = settings.promotion;
  const base = loaded.config.promotion;
  const config: PromotionConfig = {
    ...base,
    traffic: { ...base.traffic, command: p.traffic ?? base.traffic.command, rollback: p.rollback ?? base.traffic.rollback, promote: p.promote ?? base.traffic.promote },
    drill: { ...base.drill, require: p.requireDrill ?? base.drill?.require ?? false },
  };
  let version = p.version;
  let model = loaded.config.model.path ?? '';
  if (!version || !model) {
    // The validate run's report names the version and the model.
    const file = settings.reportPath ?? join(settings.outDir, ReportFiles.Json);
    let report: ValidateReport | null = null;
    try {
      report = JSON.parse(await readFile(file, 'utf8')) as ValidateReport;
    } catch {
      if (!version) throw new UsageError(`no version to promote: pass --version (input "version") or the validate run's report (--report / input "report"; looked for ${file})`);
    }
    if (report) {
      if (!version) clearedReport(report, file, p.allowDelay ?? false, commit);
      version ??= report.version?.id;
      model ||= report.model?.path ?? '';
    }
  }
  if (!version) throw new UsageError('no version to promote: the report has no version ID');
  return { config, version, model, environment: p.environment };
}

/** A 40-hex commit the report must be of, when the shell knows it. */
const commitOf = (io: PromotionIO) => (/^[0-9a-f]{40}$/.test(io.ref) ? io.ref : null);

/** status: the last stage in the environment and its judgement. */
export async function runStatus(settings: StatusSettings, io: PromotionIO): Promise<StatusView> {
  return status(settings.promotion.environment, io);
}

/** rollback: all traffic back on stable. */
export async function runRollback(settings: RollbackSettings, io: PromotionIO): Promise<{ ok: boolean; error?: string }> {
  const t = await promotionTarget(settings, commitOf(io));
  return rollbackAll({ version: t.version, model: t.model, environment: t.environment }, t.config, io);
}

/** promote: one stage (after the drill it may require), or the rollback drill itself. */
export type PromoteOutcome = { drill: false; result: PromoteResult } | { drill: true; result: DrillResult };

export async function runPromote(settings: PromoteSettings, io: PromotionIO): Promise<PromoteOutcome> {
  const t = await promotionTarget(settings, commitOf(io));
  const p = settings.promotion;
  if (p.drill) return { drill: true, result: await drill({ stage: p.stage, version: t.version, model: t.model, environment: t.environment }, t.config, io) };
  const req = { stage: p.stage, version: t.version, model: t.model, environment: t.environment };
  await requireDrill(req, t.config, io);
  return { drill: false, result: await promote(req, t.config, io) };
}
