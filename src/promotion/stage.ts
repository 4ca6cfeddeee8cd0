/**
 * One promotion stage: shift traffic, bake while measuring at an interval, judge, then promote or
 * roll back. Each metric's sound windows are pooled over the stage, after those earlier stages
 * handed over (carry.ts), so every measurement judges the evidence so far (one sequential test per
 * rule, not one test per window). The engine's commands,
 * the metrics and time come in as dependencies.
 */
import type { Clock } from '../clock.ts';
import type { PromotionConfig } from '../config/types.ts';
import { UsageError, getErrorMessage } from '../errors.ts';
import { handOver, judgeCarried, type Carried, type StageEvidence } from './carry.ts';
import { NO_COUNTS, count, decideStage, measurementVerdict, testAlpha, windowProblem, type Counters, type StageAction } from './judge.ts';
import type { Measurement, MetricData, MetricResult } from './types.ts';
import { fetchMetric, type MetricsProvider } from './providers.ts';
import type { CommandKind } from './signals.ts';
import { fill, type TrafficVars } from './traffic.ts';

export interface StageSpec {
  /** `shadow`, or the weight as `25%`. */
  stage: string;
  weight: number;
  version: string;
  model: string;
  /** The 100% stage: the promote command runs after it. */
  final: boolean;
}

export interface StageDeps {
  provider: MetricsProvider;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
  /** Runs one of the engine's commands (filled in) that sets the canary's weight; rejects when it fails. */
  run: (command: string, timeoutS: number, step: CommandStep) => Promise<unknown>;
  /** Aborted when the stage is interrupted (a signal): it stops measuring and rolls back. */
  interrupted?: AbortSignal;
  /** Told of each measurement as it is made (records, the PR comment). */
  onMeasurement?: (m: Measurement, counters: Counters) => Promise<void> | void;
  /** Per metric of the config, the windows earlier stages hand over (carry.ts); none: the tests start afresh. */
  carried?: Carried[];
  /** Given, when the stage is promoted, what it hands to the next stage. */
  handOver?: (evidence: StageEvidence) => Promise<void> | void;
}

export interface CommandStep {
  kind: CommandKind;
  /** The canary's weight once the command succeeds. */
  weight: number;
}

/** Where traffic is believed to be: on stable, or at the canary's weight (null: unknown, e.g. a command was cut short). */
export interface TrafficState {
  on_stable: boolean;
  weight: number | null;
}

export interface StageReport {
  stage: string;
  weight: number;
  version: string;
  /** `rollback_failed`: the rollback command failed; traffic is not known to be on stable. */
  outcome: 'promoted' | 'rolled_back' | 'rollback_failed';
  reason: string;
  started_at: string;
  finished_at: string;
  bake_minutes: number;
  interval_seconds: number;
  measurements: Measurement[];
  counters: Counters;
  commands: { command: string; ok: boolean; error?: string }[];
  /** Pooled metrics whose tests continue from earlier stages: the stages and the windows carried. */
  carried: { metric: string; stages: string[]; windows: number }[];
  /** Where traffic is believed to be once the stage settled. */
  traffic?: TrafficState;
}

export function trafficVars(spec: StageSpec): TrafficVars {
  return { weight: spec.weight, version: spec.version, stage: spec.stage, model: spec.model };
}

export async function rollback(cfg: PromotionConfig, vars: TrafficVars, deps: Pick<StageDeps, 'run' | 'log'>): Promise<{ command: string; ok: boolean; error?: string }> {
  if (!cfg.traffic.rollback) throw new UsageError('no rollback command: set promotion.traffic.rollback (input "rollback-command")');
  const command = fill(cfg.traffic.rollback, { ...vars, weight: 0 });
  deps.log(`rollback: ${command}`);
  try {
    await deps.run(command, cfg.traffic.timeout_seconds, { kind: 'rollback', weight: 0 });
    return { command, ok: true };
  } catch (error) {
    return { command, ok: false, error: getErrorMessage(error) };
  }
}

export async function runStage(spec: StageSpec, cfg: PromotionConfig, deps: StageDeps): Promise<StageReport> {
  const shadow = spec.stage === 'shadow';
  const template = shadow ? cfg.traffic.shadow : cfg.traffic.command;
  if (!template) throw new UsageError(shadow ? 'the shadow stage needs promotion.traffic.shadow' : 'no traffic command: set promotion.traffic.command (input "traffic-command")');
  if (!cfg.traffic.rollback) throw new UsageError('no rollback command: set promotion.traffic.rollback (input "rollback-command")');
  if (cfg.metrics.length === 0) throw new UsageError('no promotion.metrics to judge the canary by: a stage without measurements would promote blind');
  const started = deps.clock.date();
  const vars = trafficVars(spec);
  const commands: StageReport['commands'] = [];
  const measurements: Measurement[] = [];
  let counters: Counters = NO_COUNTS;
  const carried: Carried[] = cfg.metrics.map((_, i) => deps.carried?.[i] ?? { windows: [], chain: [] });
  // Each metric's sound windows of this stage (its tests continue over the carried ones too).
  const own: MetricData[][] = cfg.metrics.map(() => []);
  const interrupted = () => (deps.interrupted?.aborted ? { action: 'rollback' as const, reason: `interrupted by ${String(deps.interrupted.reason)}` } : null);
  const finish = async (decided: StageAction & { action: 'promote' | 'rollback' }): Promise<StageReport> => {
    // An interrupted stage never promotes, whatever the last measurement said.
    const action = decided.action === 'promote' ? (interrupted() ?? decided) : decided;
    let outcome: StageReport['outcome'] = action.action === 'promote' ? 'promoted' : 'rolled_back';
    let reason = action.reason;
    const back = async () => {
      const result = await rollback(cfg, vars, deps);
      commands.push(result);
      if (!result.ok) {
        outcome = 'rollback_failed';
        reason = `${reason}; the rollback failed: ${result.error}`;
      }
    };
    if (action.action === 'rollback') {
      await back();
    } else if (spec.final && cfg.traffic.promote) {
      const command = fill(cfg.traffic.promote, vars);
      deps.log(`promote: ${command}`);
      try {
        await deps.run(command, cfg.traffic.timeout_seconds, { kind: 'promote', weight: spec.weight });
        commands.push({ command, ok: true });
      } catch (error) {
        commands.push({ command, ok: false, error: getErrorMessage(error) });
        outcome = 'rolled_back';
        reason = `the promote command failed: ${getErrorMessage(error)}`;
        await back();
      }
    }
    if (outcome === 'promoted') await deps.handOver?.(handOver(cfg, spec, deps.clock.date().toISOString(), carried, own));
    return {
      stage: spec.stage,
      weight: spec.weight,
      version: spec.version,
      outcome,
      reason,
      started_at: started.toISOString(),
      finished_at: deps.clock.date().toISOString(),
      bake_minutes: cfg.bake_minutes,
      interval_seconds: cfg.interval_seconds,
      measurements,
      counters,
      commands,
      carried: cfg.metrics.flatMap((m, i) => (carried[i]!.chain.length > 0 ? [{ metric: m.name, stages: carried[i]!.chain, windows: carried[i]!.windows.length }] : [])),
    };
  };

  const shift = fill(template, vars);
  deps.log(`${shadow ? 'shadow' : `traffic to ${spec.weight}%`}: ${shift}`);
  try {
    await deps.run(shift, cfg.traffic.timeout_seconds, { kind: 'traffic', weight: spec.weight });
    commands.push({ command: shift, ok: true });
  } catch (error) {
    commands.push({ command: shift, ok: false, error: getErrorMessage(error) });
    return finish(interrupted() ?? { action: 'rollback', reason: `the traffic command failed: ${getErrorMessage(error)}` });
  }
  const stop = interrupted();
  if (stop) return finish(stop);
  // Resolves (never rejects) when the stage is interrupted: waits and reads end early.
  const aborted = new Promise<void>((resolve) => {
    if (deps.interrupted?.aborted) resolve();
    deps.interrupted?.addEventListener('abort', () => resolve(), { once: true });
  });

  const t0 = deps.clock.now();
  const bakeEnd = t0 + cfg.bake_minutes * 60_000;
  const interval = cfg.interval_seconds * 1000;
  const alone = spec.weight === 100;
  for (let index = 1; ; index++) {
    // Measurements fall on a fixed schedule from the shift, whatever each one took.
    const due = t0 + index * interval;
    const wait = due - deps.clock.now();
    if (wait > 0) await Promise.race([deps.sleep(wait), aborted]);
    const before = interrupted();
    if (before) return finish(before);
    const window = { version: spec.version, stage: spec.stage, weight: spec.weight, window: cfg.interval_seconds };
    const results = await Promise.race([
      Promise.all(
        cfg.metrics.map(async (m, i): Promise<MetricResult> => {
          try {
            const d = await fetchMetric(deps.provider, m, window);
            const broken = windowProblem(m, d);
            if (broken) return broken;
            own[i]!.push(d);
            return judgeCarried(m, own[i]!, carried[i]!, spec.stage, { minRequests: cfg.min_requests, alone, alpha: testAlpha(cfg, m) });
          } catch (error) {
            return { name: m.name, kind: m.kind, verdict: 'error', critical: false, values: {}, thresholds: '', reason: getErrorMessage(error) };
          }
        }),
      ),
      aborted.then(() => null),
    ]);
    const during = interrupted();
    if (during || !results) return finish(during!);
    const measurement: Measurement = { index, at: deps.clock.date().toISOString(), verdict: measurementVerdict(results), metrics: results };
    measurements.push(measurement);
    counters = count(counters, measurement);
    const now = deps.clock.now();
    const action = decideStage(measurements, counters, cfg, now, bakeEnd);
    if (action.action === 'hold' && counters.holding_since === null) counters = { ...counters, holding_since: now };
    deps.log(`measurement ${index}: ${measurement.verdict.toUpperCase()} — ${results.map((r) => `${r.name} ${r.verdict}: ${r.reason}`).join('; ')}${action.action === 'continue' ? '' : ` → ${action.action}${'reason' in action ? `: ${action.reason}` : ''}`}`);
    await deps.onMeasurement?.(measurement, counters);
    if (action.action === 'promote' || action.action === 'rollback') return finish(action);
  }
}
