/**
 * promote / rollback / status, for the action and the CLI alike. The shells pass in the IO: a
 * logger, the GitHub records (null without GitHub), the environment, time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Clock } from '../clock.ts';
import type { PromotionConfig } from '../config/types.ts';
import { UsageError, getErrorMessage } from '../errors.ts';
import type { DeploymentRecords, RecordedStage, StagePayload } from './records.ts';
import { chooseCarry, evidenceJson, evidenceName, parseEvidence, type StageEvidence } from './carry.ts';
import { DRILL_STAGE, drillFile, type DrillReport } from './drill.ts';
import { expandSecrets } from '../core/secrets.ts';
import { jsonProvider, prometheusProvider, type MetricsProvider } from './providers.ts';
import type { Interruption } from './signals.ts';
import { rollback, runStage, type CommandStep, type StageReport, type StageSpec, type TrafficState } from './stage.ts';
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
  /**
   * Told, synchronously, before and after every command that moves traffic (crash safety: what to
   * undo and where traffic is believed to be), and null once traffic is settled (on stable, or
   * promoted). A rollback that failed stays pending.
   */
  pending: (undo: PendingRollback | null) => void;
  /** Signals that interrupt the stage (the shells' handlers); none in tests that need none. */
  interruption?: Interruption;
  /** Told when a stage starts and when it settles (the pull request's comment). */
  announce?: (state: 'baking' | 'promoted' | 'rolled back' | 'interrupted', judgement: string, stage: string, version: string) => Promise<void>;
}

export interface PendingRollback {
  command: string;
  timeout_seconds: number;
  /** How long the post step keeps retrying the rollback. */
  retry_seconds: number;
  deployment: number | null;
  environment: string;
  stage: string;
  version: string;
  /** Where traffic is believed to be (absent in states saved by older versions: unknown). */
  traffic?: TrafficState;
  /** The state file (`<out>/promotion/traffic-<stage>.json`), rewritten at every change. */
  state_file?: string;
}

/** What the state file says: the pending rollback, or that traffic is settled. */
export interface TrafficRecord {
  stage: string;
  version: string;
  environment: string;
  traffic: TrafficState;
  /** A rollback still owed (null: traffic settled). */
  pending: PendingRollback | null;
  at: string;
}

export const trafficStateFile = (outDir: string, stage: string) => resolve(outDir, 'promotion', `traffic-${stage === 'shadow' ? 'shadow' : stage.replace('%', '')}.json`);

/** Written synchronously: a signal may end the process right after. Never throws (the record is a help, the rollback is the point). */
export function writeTrafficRecord(file: string | undefined, record: TrafficRecord, log: (line: string) => void): void {
  if (!file) return;
  try {
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  } catch (error) {
    log(`could not write the traffic state ${file}: ${getErrorMessage(error)}`);
  }
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

/**
 * Runs the commands that move traffic for one stage (or the drill), recording where traffic is
 * believed to be before and after each (the state file, and `io.pending` for the post step) until
 * `settle` says traffic is settled: on stable, or promoted. A rollback that failed stays owed.
 */
export function trackTraffic(io: PromotionIO, cfg: PromotionConfig, at: { stage: string; version: string; model: string; environment: string; deployment: number | null; commandStage?: string }) {
  const stateFile = trafficStateFile(io.outDir, at.stage);
  const undo: PendingRollback | null = cfg.traffic.rollback
    ? {
        command: fill(cfg.traffic.rollback, { weight: 0, version: at.version, stage: at.commandStage ?? at.stage, model: at.model }),
        timeout_seconds: cfg.traffic.timeout_seconds,
        retry_seconds: cfg.traffic.retry_seconds,
        deployment: at.deployment,
        environment: at.environment,
        stage: at.stage,
        version: at.version,
        state_file: stateFile,
      }
    : null;
  // Before the first command traffic is wherever the previous stage left it: not known to be on stable.
  let traffic: TrafficState = { on_stable: false, weight: null };
  let settled = false;
  const record = () => {
    const owed = undo && !settled ? { ...undo, traffic } : null;
    io.pending(owed);
    writeTrafficRecord(stateFile, { stage: at.stage, version: at.version, environment: at.environment, traffic, pending: owed, at: io.clock.date().toISOString() }, io.log);
  };
  record();
  /** Runs a command that moves traffic, recording where traffic is believed to be before and after. */
  const run = async (command: string, timeoutS: number, step: CommandStep) => {
    const stop = io.interruption?.signal;
    if (step.kind !== 'rollback' && stop?.aborted) throw new Error(`not run: the stage was interrupted by ${String(stop.reason)}`);
    const before = traffic;
    // While it runs, traffic may be anywhere between where it was and where the command takes it.
    traffic = { on_stable: false, weight: before.weight === step.weight ? step.weight : null };
    record();
    let unregister: (() => void) | undefined;
    try {
      const result = await runCommand(command, timeoutS, io.log, (kill) => (unregister = io.interruption?.running(step.kind, kill)));
      traffic = { on_stable: step.kind === 'rollback', weight: step.weight };
      return result;
    } catch (error) {
      // A failed rollback most likely left traffic where it was; a failed traffic command, anywhere.
      traffic = step.kind === 'rollback' ? { on_stable: false, weight: before.weight } : { on_stable: false, weight: null };
      throw error;
    } finally {
      unregister?.();
      record();
    }
  };
  return {
    run,
    /** Traffic is settled (true), or a rollback is still owed (false). */
    settle(ok: boolean) {
      settled = ok;
      record();
    },
    traffic: () => traffic,
  };
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
  // What earlier stages handed over (the reusable workflow downloads their evidence here): the tests continue over it.
  const found = (await readPromotionFiles(io.outDir, /(^|\/)evidence-[^/]+\.json$/)).flatMap((f) => parseEvidence(f.text) ?? []);
  const carry = chooseCarry(found, cfg, spec);
  io.log(carry.said);
  const tracker = trackTraffic(io, cfg, { stage, version: req.version, model: req.model, environment: req.environment, deployment });
  const { run } = tracker;
  await io.announce?.('baking', `${cfg.bake_minutes} min bake, a measurement every ${cfg.interval_seconds} s`, stage, req.version);
  let report: StageReport;
  try {
    report = await runStage(spec, cfg, {
      provider,
      clock: io.clock,
      sleep: io.sleep,
      log: io.log,
      run,
      interrupted: io.interruption?.signal,
      carried: carry.carried,
      handOver: (evidence) => writeEvidence(io.outDir, evidence, io.log),
      onMeasurement: async (m, c) => {
        if (deployment !== null && io.records) {
          const text = `measurement ${m.index}: ${m.verdict} (${c.failures} failed, ${c.inconclusive} inconclusive)`;
          await io.records.status(deployment, 'in_progress', text, io.logUrl).catch((e: unknown) => io.log(`could not record the measurement: ${getErrorMessage(e)}`));
        }
      },
    });
  } catch (error) {
    // The stage could not run to a verdict (a usage error, a crash): traffic goes back.
    const back = cfg.traffic.rollback ? await rollback(cfg, { weight: 0, version: req.version, stage, model: req.model }, { run, log: io.log }) : null;
    tracker.settle(back?.ok ?? false);
    if (deployment !== null) await io.records!.status(deployment, 'error', `stage could not run: ${getErrorMessage(error)}${back && !back.ok ? `; the rollback failed: ${back.error}` : ''}`, io.logUrl).catch(() => undefined);
    throw error;
  }
  tracker.settle(report.outcome !== 'rollback_failed');
  const traffic = tracker.traffic();
  report.traffic = traffic;
  if (deployment !== null) {
    const where = traffic.weight === null ? 'an unknown weight' : `${traffic.weight}%`;
    const [state, text] =
      report.outcome === 'promoted' ? (['success', `promoted: ${report.reason}`] as const) : report.outcome === 'rolled_back' ? (['failure', `rolled back: ${report.reason}`] as const) : (['error', `rollback failed, traffic believed at ${where}: ${report.reason}`] as const);
    await io.records!.status(deployment, state, text, io.logUrl);
    // Inactive (back on stable) only when the rollback is known to have worked.
    if (report.outcome === 'rolled_back') await io.records!.status(deployment, 'inactive', 'traffic back on stable', io.logUrl).catch(() => undefined);
  }
  await io.announce?.(report.outcome === 'promoted' ? 'promoted' : report.outcome === 'rolled_back' ? 'rolled back' : 'interrupted', report.reason, stage, req.version);
  const file = await writeStageReport(io.outDir, report);
  return { report, skipped: null, file };
}

/**
 * The post step's rollback: from the saved state, retried with growing pauses until it succeeds
 * or `retry_seconds` have passed. Records the outcome in the state file and the deployment.
 */
export async function finishRollback(undo: PendingRollback, io: Pick<PromotionIO, 'log' | 'sleep' | 'clock' | 'records' | 'logUrl'>): Promise<{ ok: boolean; attempts: number; error?: string }> {
  const deadline = io.clock.now() + undo.retry_seconds * 1000;
  let error: string;
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(undo.command, undo.timeout_seconds, io.log);
      const traffic = { on_stable: true, weight: 0 };
      writeTrafficRecord(undo.state_file, { stage: undo.stage, version: undo.version, environment: undo.environment, traffic, pending: null, at: io.clock.date().toISOString() }, io.log);
      if (undo.deployment !== null && io.records) await io.records.status(undo.deployment, 'inactive', 'interrupted: rolled back to stable', io.logUrl).catch(() => undefined);
      return { ok: true, attempts: attempt };
    } catch (e) {
      error = getErrorMessage(e);
      const pause = Math.min(30, 2 ** attempt) * 1000;
      io.log(`rollback attempt ${attempt} failed: ${error}`);
      if (io.clock.now() + pause >= deadline) {
        const traffic = { on_stable: false, weight: undo.traffic?.weight ?? null };
        writeTrafficRecord(undo.state_file, { stage: undo.stage, version: undo.version, environment: undo.environment, traffic, pending: { ...undo, traffic }, at: io.clock.date().toISOString() }, io.log);
        if (undo.deployment !== null && io.records) await io.records.status(undo.deployment, 'error', `the rollback failed ${attempt} times: ${error}`, io.logUrl).catch(() => undefined);
        return { ok: false, attempts: attempt, error };
      }
      await io.sleep(pause);
    }
  }
}

/** All traffic back on stable; safe to run any number of times. */
export async function rollbackAll(req: Omit<StageRequest, 'stage'>, cfg: PromotionConfig, io: PromotionIO): Promise<{ ok: boolean; error?: string; recorded: TrafficRecord[] }> {
  // What the stages recorded (the reusable workflow downloads their state files here): said, then acted on regardless.
  const recorded = await readTrafficRecords(io.outDir);
  for (const r of recorded) {
    io.log(`stage ${r.stage} of ${r.version} recorded: ${r.traffic.on_stable ? 'traffic on stable' : `traffic not known to be on stable (believed at ${r.traffic.weight === null ? 'an unknown weight' : `${r.traffic.weight}%`})`}${r.pending ? ', a rollback owed' : ''}`);
  }
  const result = await rollback(cfg, { weight: 0, version: req.version, stage: 'rollback', model: req.model }, { run: (c, t) => runCommand(c, t, io.log), log: io.log });
  if (result.ok) {
    for (const r of recorded) writeTrafficRecord(trafficStateFile(io.outDir, r.stage), { ...r, traffic: { on_stable: true, weight: 0 }, pending: null, at: io.clock.date().toISOString() }, io.log);
  }
  if (io.records) {
    // A drill's record stays as it ended (traffic was left on stable): a later stage still needs it.
    const open = (await io.records.list(req.environment)).filter((d) => d.payload?.version === req.version && d.payload.stage !== DRILL_STAGE && (d.state === 'in_progress' || d.state === 'success' || d.state === 'queued' || d.state === 'pending'));
    for (const d of open) await io.records.status(d.id, result.ok ? 'inactive' : 'error', result.ok ? 'rolled back: traffic on stable' : `rollback failed: ${result.error}`, io.logUrl);
  }
  return { ok: result.ok, error: result.error, recorded };
}

/** Files under `<out>/promotion/` whose path matches (any depth: a workflow may download them into folders). */
async function readPromotionFiles(outDir: string, name: RegExp): Promise<{ file: string; text: string }[]> {
  const dir = resolve(outDir, 'promotion');
  let files: string[];
  try {
    files = (await readdir(dir, { recursive: true })).filter((f) => name.test(f));
  } catch {
    return []; // nothing recorded here
  }
  const out: { file: string; text: string }[] = [];
  for (const f of files.sort()) {
    try {
      out.push({ file: join(dir, f), text: await readFile(join(dir, f), 'utf8') });
    } catch {
      // gone or unreadable: as if not there
    }
  }
  return out;
}

/** The state files under `<out>/promotion/`. */
export async function readTrafficRecords(outDir: string): Promise<TrafficRecord[]> {
  return (await readPromotionFiles(outDir, /(^|\/)traffic-[^/]+\.json$/)).flatMap(({ text }) => {
    try {
      const r = JSON.parse(text) as TrafficRecord;
      return r && typeof r.stage === 'string' && r.traffic && typeof r.traffic.on_stable === 'boolean' ? [r] : [];
    } catch {
      return []; // not a state file of ours: ignored
    }
  });
}

/** What a promoted stage hands to the next (`<out>/promotion/evidence-<weight>.json`). Never throws: without it the next stage starts afresh. */
async function writeEvidence(outDir: string, evidence: StageEvidence, log: (line: string) => void): Promise<void> {
  const dir = resolve(outDir, 'promotion');
  const file = join(dir, evidenceName(evidence.stage));
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(file, evidenceJson(evidence));
  } catch (error) {
    log(`could not write the evidence for the next stage (${file}): ${getErrorMessage(error)}; it will start its tests afresh`);
  }
}

export interface StatusView {
  environment: string;
  latest: RecordedStage | null;
  local: (StageReport & { environment: string | null }) | null;
  /** The newest rollback drill: its deployment, else the local drill.json. */
  drill: { version: string; weight: number; state: string | null; description: string | null } | null;
}

export async function status(environment: string, io: Pick<PromotionIO, 'records' | 'outDir'>): Promise<StatusView> {
  const records = io.records ? await io.records.list(environment, 30) : [];
  const latest = records[0] ?? null;
  const drilled = records.find((d) => d.payload?.stage === DRILL_STAGE);
  let drill: StatusView['drill'] = drilled ? { version: drilled.payload.version, weight: drilled.payload.weight, state: drilled.state, description: drilled.description } : null;
  if (!io.records) {
    try {
      const r = JSON.parse(await readFile(drillFile(io.outDir), 'utf8')) as DrillReport;
      drill = { version: r.version, weight: r.weight, state: r.outcome, description: r.reason };
    } catch {
      drill = null; // no drill from this directory
    }
  }
  let local: StatusView['local'];
  try {
    local = JSON.parse(await readFile(resolve(io.outDir, 'promotion', 'last.json'), 'utf8'));
  } catch {
    local = null; // nothing promoted from this directory yet
  }
  return { environment, latest, local, drill };
}
