/**
 * One promotion stage: shift traffic, bake while measuring at an interval, judge, then promote or
 * roll back. The engine's commands, the metrics and time come in as dependencies.
 */
import type { Clock } from '../clock.ts';
import type { PromotionConfig } from '../config/types.ts';
import { UsageError, getErrorMessage } from '../errors.ts';
import { NO_COUNTS, count, decide, judgeMetric, measurementVerdict, type Counters, type Measurement, type MetricResult, type StageAction } from './judge.ts';
import { fetchMetric, type MetricsProvider } from './providers.ts';
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
  /** Runs one of the engine's commands (filled in); rejects when it fails. */
  run: (command: string, timeoutS: number) => Promise<unknown>;
  /** Told of each measurement as it is made (records, the PR comment). */
  onMeasurement?: (m: Measurement, counters: Counters) => Promise<void> | void;
}

export interface StageReport {
  stage: string;
  weight: number;
  version: string;
  outcome: 'promoted' | 'rolled_back';
  reason: string;
  started_at: string;
  finished_at: string;
  bake_minutes: number;
  interval_seconds: number;
  measurements: Measurement[];
  counters: Counters;
  commands: { command: string; ok: boolean; error?: string }[];
}

export function trafficVars(spec: StageSpec): TrafficVars {
  return { weight: spec.weight, version: spec.version, stage: spec.stage, model: spec.model };
}

export async function rollback(cfg: PromotionConfig, vars: TrafficVars, deps: Pick<StageDeps, 'run' | 'log'>): Promise<{ command: string; ok: boolean; error?: string }> {
  if (!cfg.traffic.rollback) throw new UsageError('no rollback command: set promotion.traffic.rollback (input "rollback-command")');
  const command = fill(cfg.traffic.rollback, { ...vars, weight: 0 });
  deps.log(`rollback: ${command}`);
  try {
    await deps.run(command, cfg.traffic.timeout_seconds);
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
  const finish = async (action: StageAction & { action: 'promote' | 'rollback' }): Promise<StageReport> => {
    let outcome: StageReport['outcome'] = action.action === 'promote' ? 'promoted' : 'rolled_back';
    let reason = action.reason;
    if (action.action === 'rollback') {
      commands.push(await rollback(cfg, vars, deps));
    } else if (spec.final && cfg.traffic.promote) {
      const command = fill(cfg.traffic.promote, vars);
      deps.log(`promote: ${command}`);
      try {
        await deps.run(command, cfg.traffic.timeout_seconds);
        commands.push({ command, ok: true });
      } catch (error) {
        commands.push({ command, ok: false, error: getErrorMessage(error) });
        commands.push(await rollback(cfg, vars, deps));
        outcome = 'rolled_back';
        reason = `the promote command failed: ${getErrorMessage(error)}`;
      }
    }
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
    };
  };

  const shift = fill(template, vars);
  deps.log(`${shadow ? 'shadow' : `traffic to ${spec.weight}%`}: ${shift}`);
  try {
    await deps.run(shift, cfg.traffic.timeout_seconds);
    commands.push({ command: shift, ok: true });
  } catch (error) {
    commands.push({ command: shift, ok: false, error: getErrorMessage(error) });
    return finish({ action: 'rollback', reason: `the traffic command failed: ${getErrorMessage(error)}` });
  }

  const t0 = deps.clock.now();
  const bakeEnd = t0 + cfg.bake_minutes * 60_000;
  const interval = cfg.interval_seconds * 1000;
  for (let index = 1; ; index++) {
    // Measurements fall on a fixed schedule from the shift, whatever each one took.
    const due = t0 + index * interval;
    const wait = due - deps.clock.now();
    if (wait > 0) await deps.sleep(wait);
    const window = { version: spec.version, stage: spec.stage, weight: spec.weight, window: cfg.interval_seconds };
    const results = await Promise.all(
      cfg.metrics.map(async (m): Promise<MetricResult> => {
        try {
          return judgeMetric(m, await fetchMetric(deps.provider, m, window), cfg.min_requests, spec.weight === 100);
        } catch (error) {
          return { name: m.name, kind: m.kind, verdict: 'error', critical: false, values: {}, thresholds: '', reason: getErrorMessage(error) };
        }
      }),
    );
    const measurement: Measurement = { index, at: deps.clock.date().toISOString(), verdict: measurementVerdict(results), metrics: results };
    measurements.push(measurement);
    counters = count(counters, measurement);
    const now = deps.clock.now();
    const action = decide(measurements, counters, cfg, now, bakeEnd);
    if (action.action === 'hold' && counters.holding_since === null) counters = { ...counters, holding_since: now };
    deps.log(`measurement ${index}: ${measurement.verdict.toUpperCase()} — ${results.map((r) => `${r.name} ${r.verdict}: ${r.reason}`).join('; ')}${action.action === 'continue' ? '' : ` → ${action.action}${'reason' in action ? `: ${action.reason}` : ''}`}`);
    await deps.onMeasurement?.(measurement, counters);
    if (action.action === 'promote' || action.action === 'rollback') return finish(action);
  }
}
