/**
 * promote / rollback / status, for the action and the CLI alike. The shells pass in the IO: a
 * logger, the GitHub records (null without GitHub), the environment, time.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Clock } from '../clock.ts';
import type { PromotionConfig } from '../config/types.ts';
import { UsageError, getErrorMessage } from '../errors.ts';
import type { DeploymentRecords, RecordedStage, StagePayload } from '../github/deployments.ts';
import { expandSecrets } from './secrets.ts';
import { jsonProvider, prometheusProvider, type MetricsProvider } from './providers.ts';
import { rollback, runStage, type StageReport, type StageSpec } from './stage.ts';
import { fill, runCommand } from './traffic.ts';

export interface PromotionIO {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
  secret: (value: string) => void;
  records: DeploymentRecords | null;
  /** Where the run's page is (deployment statuses point there). */
  logUrl: string | null;
  ref: string;
  outDir: string;
  /** Told before traffic moves (crash safety: what to undo) and after the stage settles (null). */
  pending: (undo: PendingRollback | null) => void;
  /** Told when a stage starts and when it settles (the pull request's comment). */
  announce?: (state: 'baking' | 'promoted' | 'rolled back', judgement: string, stage: string, version: string) => Promise<void>;
}

export interface PendingRollback {
  command: string;
  timeout_seconds: number;
  deployment: number | null;
  environment: string;
}

export interface StageRequest {
  stage: string;
  version: string;
  model: string;
  environment: string;
}

/** `25`, `25%` or `shadow`, checked against the configured plan. */
export function parseStage(input: string, cfg: PromotionConfig): StageSpec['stage'] & string {
  const s = input.trim();
  if (s === 'shadow') {
    if (!cfg.shadow && !cfg.traffic.shadow) throw new UsageError('stage "shadow" needs promotion.shadow and promotion.traffic.shadow');
    return 'shadow';
  }
  const weight = Number(s.replace(/%$/, ''));
  if (!cfg.stages.includes(weight)) throw new UsageError(`stage "${input}" is not in the plan: promotion.stages is ${cfg.stages.join(', ')}${cfg.shadow ? ' (and shadow)' : ''}`);
  return `${weight}%`;
}

export function providerFor(cfg: PromotionConfig, io: Pick<PromotionIO, 'env' | 'secret'>): MetricsProvider {
  if (cfg.provider === 'json') {
    if (!cfg.json) throw new UsageError('provider json needs promotion.json.source');
    return jsonProvider(cfg.json.source, {});
  }
  if (!cfg.prometheus) throw new UsageError('provider prometheus needs promotion.prometheus.url');
  const p = cfg.prometheus;
  const headers: Record<string, string> = {};
  if (p.bearer_token) headers.authorization = `Bearer ${expandSecrets(p.bearer_token, io.env, io.secret, 'promotion.prometheus.bearer_token')}`;
  else if (p.username) {
    const password = expandSecrets(p.password ?? '', io.env, io.secret, 'promotion.prometheus.password');
    const basic = Buffer.from(`${p.username}:${password}`).toString('base64');
    io.secret(basic);
    headers.authorization = `Basic ${basic}`;
  }
  return prometheusProvider(p, headers);
}

async function writeStageReport(outDir: string, report: StageReport): Promise<string> {
  const dir = resolve(outDir, 'promotion');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${report.stage === 'shadow' ? 'shadow' : `stage-${report.weight}`}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'last.json'), `${JSON.stringify({ environment: null, ...report }, null, 2)}\n`);
  return file;
}

export interface PromoteResult {
  report: StageReport | null;
  /** The stage was already done (a re-run). */
  skipped: string | null;
  file: string | null;
}

export async function promote(req: StageRequest, cfg: PromotionConfig, io: PromotionIO): Promise<PromoteResult> {
  const stage = parseStage(req.stage, cfg);
  const weight = stage === 'shadow' ? 0 : Number(stage.replace('%', ''));
  const spec: StageSpec = { stage, weight, version: req.version, model: req.model, final: weight === 100 };
  const payload: StagePayload = { version: req.version, stage, weight, model: req.model };
  const provider = providerFor(cfg, io);
  let deployment: number | null = null;
  if (io.records) {
    // A re-run of a job whose stage already succeeded does not move traffic again.
    const done = (await io.records.list(req.environment)).find((d) => d.payload?.version === req.version && d.payload?.stage === stage && d.state === 'success');
    if (done) {
      io.log(`stage ${stage} of ${req.version} already succeeded in ${req.environment} (deployment ${done.id}): nothing to do`);
      return { report: null, skipped: `already succeeded (deployment ${done.id})`, file: null };
    }
    deployment = await io.records.start(req.environment, io.ref, payload, io.logUrl);
  }
  const undo = cfg.traffic.rollback ? { command: fill(cfg.traffic.rollback, { weight: 0, version: req.version, stage, model: req.model }), timeout_seconds: cfg.traffic.timeout_seconds, deployment, environment: req.environment } : null;
  io.pending(undo);
  await io.announce?.('baking', `${cfg.bake_minutes} min bake, a measurement every ${cfg.interval_seconds} s`, stage, req.version);
  let report: StageReport;
  try {
    report = await runStage(spec, cfg, {
      provider,
      clock: io.clock,
      sleep: io.sleep,
      log: io.log,
      run: (command, timeoutS) => runCommand(command, timeoutS, io.log),
      onMeasurement: async (m, c) => {
        if (deployment !== null && io.records) {
          const text = `measurement ${m.index}: ${m.verdict} (${c.failures} failed, ${c.inconclusive} inconclusive)`;
          await io.records.status(deployment, 'in_progress', text, io.logUrl).catch((e: unknown) => io.log(`could not record the measurement: ${getErrorMessage(e)}`));
        }
      },
    });
  } catch (error) {
    // The stage could not run to a verdict (a usage error, a crash): traffic goes back.
    if (undo) await rollback(cfg, { weight: 0, version: req.version, stage, model: req.model }, { run: (c, t) => runCommand(c, t, io.log), log: io.log });
    if (deployment !== null) await io.records!.status(deployment, 'error', `stage could not run: ${getErrorMessage(error)}`, io.logUrl).catch(() => undefined);
    io.pending(null);
    throw error;
  }
  if (deployment !== null) {
    const state = report.outcome === 'promoted' ? 'success' : 'failure';
    await io.records!.status(deployment, state, `${report.outcome === 'promoted' ? 'promoted' : 'rolled back'}: ${report.reason}`, io.logUrl);
    if (report.outcome === 'rolled_back') await io.records!.status(deployment, 'inactive', 'traffic back on stable', io.logUrl).catch(() => undefined);
  }
  io.pending(null);
  await io.announce?.(report.outcome === 'promoted' ? 'promoted' : 'rolled back', report.reason, stage, req.version);
  const file = await writeStageReport(io.outDir, report);
  return { report, skipped: null, file };
}

/** All traffic back on stable; safe to run any number of times. */
export async function rollbackAll(req: Omit<StageRequest, 'stage'>, cfg: PromotionConfig, io: PromotionIO): Promise<{ ok: boolean; error?: string }> {
  const result = await rollback(cfg, { weight: 0, version: req.version, stage: 'rollback', model: req.model }, { run: (c, t) => runCommand(c, t, io.log), log: io.log });
  if (io.records) {
    const open = (await io.records.list(req.environment)).filter((d) => d.payload?.version === req.version && (d.state === 'in_progress' || d.state === 'success' || d.state === 'queued' || d.state === 'pending'));
    for (const d of open) await io.records.status(d.id, result.ok ? 'inactive' : 'error', result.ok ? 'rolled back: traffic on stable' : `rollback failed: ${result.error}`, io.logUrl);
  }
  return result;
}

export interface StatusView {
  environment: string;
  latest: RecordedStage | null;
  local: (StageReport & { environment: string | null }) | null;
}

export async function status(environment: string, io: Pick<PromotionIO, 'records' | 'outDir'>): Promise<StatusView> {
  const latest = io.records ? ((await io.records.list(environment, 10))[0] ?? null) : null;
  let local: StatusView['local'];
  try {
    local = JSON.parse(await readFile(resolve(io.outDir, 'promotion', 'last.json'), 'utf8'));
  } catch {
    local = null; // nothing promoted from this directory yet
  }
  return { environment, latest, local };
}
