/**
 * `promote --drill` and `drill.require`, for the action and the CLI alike: the drill recorded as a
 * GitHub deployment of the environment (payload stage "drill"; success / failure) and as
 * `<out>/promotion/drill.json`; the first canary stage looks for a passed one there.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PromotionConfig } from '../config/types.ts';
import { UsageError, getErrorMessage } from '../errors.ts';
import type { RecordedStage } from './records.ts';
import { parseStage, providerFor, trackTraffic, type PromotionIO, type StageRequest } from './stage-command.ts';
import { DRILL_STAGE, drillFile, drillPlan, runDrill, type DrillReport } from './drill.ts';
import { rollback } from './stage.ts';

export interface DrillResult {
  report: DrillReport | null;
  /** A drill of this version already passed here (a re-run). */
  skipped: string | null;
  file: string | null;
}

/** The newest passed drill of `version` among an environment's records. */
export function passedDrill(records: RecordedStage[], version: string): RecordedStage | null {
  return records.find((d) => d.payload?.stage === DRILL_STAGE && d.payload.version === version && d.state === 'success') ?? null;
}

/** The drill's weight: the stage given (a weight of the plan), else the plan's first. */
function drillWeight(stage: string | undefined, cfg: PromotionConfig): number {
  if (stage === undefined) return cfg.stages[0]!;
  const s = parseStage(stage, cfg);
  if (s === 'shadow') throw new UsageError('the rollback drill moves real traffic: give a weight of promotion.stages (or no stage: the first), not shadow');
  return Number(s.replace('%', ''));
}

export async function drill(req: Omit<StageRequest, 'stage'> & { stage?: string }, cfg: PromotionConfig, io: PromotionIO): Promise<DrillResult> {
  const plan = drillPlan(cfg, drillWeight(req.stage, cfg));
  const provider = providerFor(cfg, io);
  let deployment: number | null = null;
  if (io.records) {
    // A re-run of a job whose drill passed does not move traffic again.
    const done = passedDrill(await io.records.list(req.environment, 100), req.version);
    if (done) {
      io.log(`a rollback drill of ${req.version} already passed in ${req.environment} (deployment ${done.id}): nothing to do`);
      return { report: null, skipped: `a drill already passed (deployment ${done.id})`, file: null };
    }
    deployment = await io.records.start(req.environment, io.ref, { version: req.version, stage: DRILL_STAGE, weight: plan.weight, model: req.model }, io.logUrl);
  }
  const tracker = trackTraffic(io, cfg, { stage: DRILL_STAGE, commandStage: plan.stage, version: req.version, model: req.model, environment: req.environment, deployment });
  io.log(`rollback drill at ${plan.weight}%: the canary must be shown receiving requests (the requests queries of ${plan.metric}), then none in a full ${plan.window_seconds} s window after the rollback (each wait at most ${plan.timeout_seconds} s)`);
  let report: DrillReport;
  try {
    report = await runDrill({ version: req.version, model: req.model }, plan, cfg, { provider, clock: io.clock, sleep: io.sleep, log: io.log, run: tracker.run, interrupted: io.interruption?.signal });
  } catch (error) {
    // A crash mid-drill: traffic goes back, the record says so.
    const back = await rollback(cfg, { weight: 0, version: req.version, stage: plan.stage, model: req.model }, { run: tracker.run, log: io.log });
    tracker.settle(back.ok);
    if (deployment !== null) await io.records!.status(deployment, 'error', `drill could not run: ${getErrorMessage(error)}${back.ok ? '' : `; the rollback failed: ${back.error}`}`, io.logUrl).catch(() => undefined);
    throw error;
  }
  tracker.settle(report.outcome !== 'rollback_failed');
  report.traffic ??= tracker.traffic(); // unless the drill saw the canary still served
  report.environment = req.environment;
  if (deployment !== null) {
    const [state, text] = report.outcome === 'passed' ? (['success', `drill passed: ${report.reason}`] as const) : report.outcome === 'failed' ? (['failure', `drill failed: ${report.reason}`] as const) : (['error', `drill: the rollback failed, traffic not known to be on stable: ${report.reason}`] as const);
    await io.records!.status(deployment, state, text, io.logUrl);
  }
  const file = drillFile(io.outDir);
  await mkdir(resolve(file, '..'), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return { report, skipped: null, file };
}

/**
 * `drill.require`: the first canary stage starts only after a drill of this version passed in
 * this environment — its deployment when there are records, else the local drill.json.
 */
export async function requireDrill(req: StageRequest, cfg: PromotionConfig, io: Pick<PromotionIO, 'records' | 'outDir' | 'log'>): Promise<void> {
  if (!cfg.drill?.require) return;
  const stage = parseStage(req.stage, cfg);
  if (stage !== `${cfg.stages[0]}%`) return; // later stages follow a first stage that needed it
  const how = 'run the drill first: model-gate promote --drill (action: mode promote, drill: true; the reusable workflow: input drill: true)';
  if (io.records) {
    const found = passedDrill(await io.records.list(req.environment, 100), req.version);
    if (!found) throw new UsageError(`stage ${stage} needs a passed rollback drill of ${req.version} in ${req.environment} (promotion.drill.require), and the deployments show none: ${how}`);
    io.log(`rollback drill of ${req.version} passed in ${req.environment} (deployment ${found.id}): ${found.description ?? ''}`);
    return;
  }
  let local: DrillReport | null;
  try {
    local = JSON.parse(await readFile(drillFile(io.outDir), 'utf8')) as DrillReport;
  } catch {
    local = null; // no drill recorded here
  }
  if (!local || local.version !== req.version || (local.environment ?? req.environment) !== req.environment || local.outcome !== 'passed') {
    const seen = local ? ` (${join(io.outDir, 'promotion', 'drill.json')} records a drill of ${local.version} in ${local.environment ?? '?'}: ${local.outcome})` : '';
    throw new UsageError(`stage ${stage} needs a passed rollback drill of ${req.version} in ${req.environment} (promotion.drill.require), and none is recorded${seen}: ${how}`);
  }
  io.log(`rollback drill of ${req.version} passed at ${local.finished_at}: ${local.reason}`);
}
