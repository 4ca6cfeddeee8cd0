/**
 * The rollback drill: before real traffic moves, prove that the way back works. The first stage's
 * traffic command runs, the metrics provider must show the canary receiving requests; then the
 * rollback command runs, and the provider must show the canary receiving none in a full window
 * after it while stable still does. Every wait is bounded; anything that cannot be shown fails the
 * drill (fail closed). Traffic is left on stable. Commands, metrics and time come in as dependencies.
 */
import { resolve } from 'node:path';
import type { PromotionConfig, PromotionMetric } from '../config/types.ts';
import { seconds } from '../core/format.ts';
import { DRILL_STAGE } from './records.ts';
import { UsageError, getErrorMessage } from '../errors.ts';
import { render, type QueryResult } from './providers.ts';
import { rollback, type StageDeps, type TrafficState } from './stage.ts';
import { fill, type TrafficVars } from './traffic.ts';

/** The stage name the drill is recorded under (a GitHub deployment's payload.stage). */
export { DRILL_STAGE };

/** Where the drill's report is written (and, without GitHub, where `drill.require` looks). */
export const drillFile = (outDir: string) => resolve(outDir, 'promotion', 'drill.json');

/** Provider errors in a row that end the drill before its deadline: a provider that is down stays down. */
const ERROR_LIMIT = 3;

export interface DrillPlan {
  /** The canary's weight during the drill: the first stage's. */
  weight: number;
  /** `{stage}` in the commands and queries: the first stage's name, so the drill runs stage 1's very commands. */
  stage: string;
  metric: string;
  requests: { canary: string; stable: string };
  window_seconds: number;
  timeout_seconds: number;
  /** Time between readings. */
  poll_seconds: number;
}

/** What the drill needs from the config, checked before any traffic moves. */
export function drillPlan(cfg: PromotionConfig, weight: number): DrillPlan {
  if (!cfg.traffic.command) throw new UsageError('the rollback drill needs a traffic command: set promotion.traffic.command (input "traffic-command")');
  if (!cfg.traffic.rollback) throw new UsageError('the rollback drill needs a rollback command: set promotion.traffic.rollback (input "rollback-command")');
  const wanted = cfg.drill?.metric;
  const withRequests = (m: PromotionMetric) => m.kind === 'error_rate' && m.requests !== undefined;
  const metric = wanted ? cfg.metrics.find((m) => m.name === wanted) : cfg.metrics.find(withRequests);
  if (wanted && !metric) throw new UsageError(`promotion.drill.metric is "${wanted}", but promotion.metrics has no metric of that name (${cfg.metrics.map((m) => m.name).join(', ') || 'none'})`);
  if (!metric || !withRequests(metric)) {
    throw new UsageError(
      `the rollback drill cannot tell where traffic goes: it needs the requests queries (canary and stable) of an error_rate metric${wanted ? `, and "${wanted}" has none` : ' in promotion.metrics'}, e.g. requests: { canary: 'sum(increase(http_requests_total{version="canary"}[{window}]))', stable: … }`,
    );
  }
  const window = cfg.drill?.window_seconds ?? cfg.interval_seconds;
  const timeout = cfg.drill?.timeout_seconds ?? Math.max(30, 5 * window);
  if (timeout <= window) throw new UsageError(`promotion.drill.timeout_seconds (${timeout}) must be longer than the window (${window} s): the drill waits for a full window after the rollback`);
  return {
    weight,
    stage: `${weight}%`,
    metric: metric.name,
    requests: metric.requests!,
    window_seconds: window,
    timeout_seconds: timeout,
    poll_seconds: Math.max(0.05, Math.min(10, window / 3)),
  };
}

/** One number of requests from a query's answer: null when there is no series (no data). */
export function requestCount(r: QueryResult, q: string): number | null {
  let v: number | null;
  if (r === null || typeof r === 'number') v = r;
  else if (r.length === 0) v = null;
  else if (r.length > 1) throw new Error(`the query ${q} gives ${r.length} series; aggregate it to one (sum(...))`);
  else v = r[0]!.value;
  if (v !== null && !Number.isFinite(v)) throw new Error(`the query ${q} gives ${v}, not a count of requests`);
  return v;
}

export interface Reading {
  canary: number | null;
  stable: number | null;
}

/**
 * After the rollback: done when the canary received no requests in a window that began after the
 * rollback finished, while stable received some (else an idle service would pass for a rollback).
 * No canary series counts as none: the same query showed the canary's requests before the rollback.
 */
export function clearVerdict(r: Reading, windowAfterRollback: boolean): { done: boolean; why: string } {
  const canary = r.canary ?? 0;
  if (!windowAfterRollback) return { done: false, why: 'the window still covers time before the rollback' };
  if (canary > 0) return { done: false, why: `the canary still received ${count(canary)} requests` };
  if (r.stable === null || r.stable <= 0) return { done: false, why: 'stable received no requests either: an idle service cannot show that the rollback moved traffic' };
  return { done: true, why: `no canary requests, ${count(r.stable)} on stable` };
}

const count = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 }));

export interface DrillStep {
  step: 'traffic' | 'reach' | 'rollback' | 'clear';
  ok: boolean;
  /** Seconds from the start of the step to its end. */
  seconds: number;
  detail: string;
}

export interface DrillReport {
  stage: typeof DRILL_STAGE;
  version: string;
  weight: number;
  /** `rollback_failed`: the rollback command failed; traffic is not known to be on stable. */
  outcome: 'passed' | 'failed' | 'rollback_failed';
  reason: string;
  started_at: string;
  finished_at: string;
  metric: string;
  window_seconds: number;
  timeout_seconds: number;
  /** Seconds from the traffic command's end to the first reading with canary requests. */
  reached_after_seconds: number | null;
  /** Seconds from the rollback command's end to the first full window without canary requests. */
  cleared_after_seconds: number | null;
  steps: DrillStep[];
  commands: { command: string; ok: boolean; error?: string }[];
  /** Where traffic is believed to be once the drill settled. */
  traffic?: TrafficState;
  /** Set by the shell: the environment the drill was recorded in. */
  environment?: string | null;
}

export type DrillDeps = Pick<StageDeps, 'provider' | 'clock' | 'sleep' | 'log' | 'run' | 'interrupted'>;

export interface DrillSpec {
  version: string;
  model: string;
}

export async function runDrill(spec: DrillSpec, plan: DrillPlan, cfg: PromotionConfig, deps: DrillDeps): Promise<DrillReport> {
  const started = deps.clock.date();
  const vars: TrafficVars = { weight: plan.weight, version: spec.version, stage: plan.stage, model: spec.model };
  const steps: DrillStep[] = [];
  const commands: DrillReport['commands'] = [];
  let reached: number | null = null;
  let cleared: number | null = null;
  const interrupted = () => (deps.interrupted?.aborted ? `interrupted by ${String(deps.interrupted.reason)}` : null);
  // Resolves (never rejects) when the drill is interrupted: waits end early.
  const aborted = new Promise<void>((resolve) => {
    if (deps.interrupted?.aborted) resolve();
    deps.interrupted?.addEventListener('abort', () => resolve(), { once: true });
  });
  const secondsSince = (t: number) => (deps.clock.now() - t) / 1000;

  const finish = (outcome: DrillReport['outcome'], reason: string): DrillReport => ({
    stage: DRILL_STAGE,
    version: spec.version,
    weight: plan.weight,
    outcome,
    reason,
    started_at: started.toISOString(),
    finished_at: deps.clock.date().toISOString(),
    metric: plan.metric,
    window_seconds: plan.window_seconds,
    timeout_seconds: plan.timeout_seconds,
    reached_after_seconds: reached,
    cleared_after_seconds: cleared,
    steps,
    commands,
  });
  /** Back to stable; the drill fails with `reason`, or worse when the rollback fails too. */
  const back = async (reason: string): Promise<DrillReport> => {
    const t = deps.clock.now();
    const result = await rollback(cfg, vars, deps);
    commands.push(result);
    steps.push({ step: 'rollback', ok: result.ok, seconds: secondsSince(t), detail: result.ok ? 'traffic back on stable' : `failed: ${result.error}` });
    return result.ok ? finish('failed', reason) : finish('rollback_failed', `${reason}; the rollback failed: ${result.error}`);
  };

  const read = async (which: 'canary' | 'stable'): Promise<number | null> => {
    const q = render(plan.requests[which], { version: spec.version, stage: plan.stage, weight: plan.weight, window: plan.window_seconds });
    return requestCount(await deps.provider.query(q), q);
  };
  /**
   * Reads until `done` says so or `timeout_seconds` pass; provider errors are retried, but
   * ERROR_LIMIT in a row end the wait. Each reading is bounded by the provider's own timeout.
   */
  const waitFor = async (from: number, done: () => Promise<{ done: boolean; why: string }>): Promise<{ ok: true } | { ok: false; why: string }> => {
    const deadline = from + plan.timeout_seconds * 1000;
    let last: string;
    let errors = 0;
    for (;;) {
      const stop = interrupted();
      if (stop) return { ok: false, why: stop };
      try {
        const r = await Promise.race([done(), aborted.then(() => null)]);
        if (r === null) continue; // interrupted while reading: said above on the next turn
        errors = 0;
        if (r.done) return { ok: true };
        last = r.why;
      } catch (error) {
        errors++;
        last = `the metrics provider failed: ${getErrorMessage(error)}`;
        deps.log(`drill: ${last}`);
        if (errors >= ERROR_LIMIT) return { ok: false, why: `${last} (${errors} times in a row)` };
      }
      const left = deadline - deps.clock.now();
      if (left <= 0) return { ok: false, why: `not within ${seconds(plan.timeout_seconds)}: ${last}` };
      await Promise.race([deps.sleep(Math.min(left, plan.poll_seconds * 1000)), aborted]);
    }
  };

  // 1. Traffic to the first stage's weight, with stage 1's own command.
  const shift = fill(cfg.traffic.command!, vars);
  deps.log(`drill: traffic to ${plan.weight}%: ${shift}`);
  let t = deps.clock.now();
  try {
    await deps.run(shift, cfg.traffic.timeout_seconds, { kind: 'traffic', weight: plan.weight });
    commands.push({ command: shift, ok: true });
    steps.push({ step: 'traffic', ok: true, seconds: secondsSince(t), detail: `canary at ${plan.weight}%` });
  } catch (error) {
    commands.push({ command: shift, ok: false, error: getErrorMessage(error) });
    steps.push({ step: 'traffic', ok: false, seconds: secondsSince(t), detail: getErrorMessage(error) });
    return back(interrupted() ?? `the traffic command failed: ${getErrorMessage(error)}`);
  }

  // 2. The provider shows the canary receiving requests.
  t = deps.clock.now();
  let seen = 0;
  const reach = await waitFor(t, async () => {
    const n = await read('canary');
    if (n !== null && n > 0) {
      seen = n;
      return { done: true, why: '' };
    }
    return { done: false, why: n === null ? 'the canary has no requests series yet' : 'the canary received no requests' };
  });
  if (!reach.ok) {
    steps.push({ step: 'reach', ok: false, seconds: secondsSince(t), detail: reach.why });
    return back(interrupted() ?? `traffic never reached the canary at ${plan.weight}% (the requests queries of ${plan.metric}, ${seconds(plan.window_seconds)} windows): ${reach.why}`);
  }
  reached = secondsSince(t);
  steps.push({ step: 'reach', ok: true, seconds: reached, detail: `${count(seen)} canary requests in the ${seconds(plan.window_seconds)} window` });
  deps.log(`drill: traffic reached the canary after ${seconds(reached)} (${count(seen)} requests in ${seconds(plan.window_seconds)})`);

  // 3. The rollback.
  t = deps.clock.now();
  const rolled = await rollback(cfg, vars, deps);
  commands.push(rolled);
  steps.push({ step: 'rollback', ok: rolled.ok, seconds: secondsSince(t), detail: rolled.ok ? 'traffic back on stable' : `failed: ${rolled.error}` });
  if (!rolled.ok) return finish('rollback_failed', `the rollback command failed: ${rolled.error}`);

  // 4. A full window after the rollback without canary requests, with stable's.
  const rolledAt = deps.clock.now();
  let quiet = '';
  let still = false;
  const clear = await waitFor(rolledAt, async () => {
    const after = deps.clock.now() - plan.window_seconds * 1000 >= rolledAt;
    if (!after) return clearVerdict({ canary: null, stable: null }, false);
    const [canary, stable] = await Promise.all([read('canary'), read('stable')]);
    const v = clearVerdict({ canary, stable }, true);
    still = (canary ?? 0) > 0;
    quiet = v.why;
    return v;
  });
  if (!clear.ok) {
    steps.push({ step: 'clear', ok: false, seconds: secondsSince(rolledAt), detail: clear.why });
    // The command succeeded, yet the metrics say the canary is still served: say so, loudly.
    const why = interrupted() ?? (still ? `the rollback did not take traffic off the canary: ${clear.why}; traffic may still reach the canary: check the rollback command and the routing` : `the rollback could not be shown to take traffic off the canary: ${clear.why}`);
    // The rollback command succeeded, but the metrics show the canary served: not on stable.
    return { ...finish('failed', why), ...(still && !interrupted() ? { traffic: { on_stable: false, weight: null } } : {}) };
  }
  cleared = secondsSince(rolledAt);
  steps.push({ step: 'clear', ok: true, seconds: cleared, detail: `${quiet} in the ${seconds(plan.window_seconds)} window` });
  deps.log(`drill: rollback took effect: ${quiet} in the ${seconds(plan.window_seconds)} window ending ${seconds(cleared)} after it`);
  return finish('passed', `traffic reached the canary after ${seconds(reached)}; the rollback took effect within ${seconds(cleared)} (a full ${seconds(plan.window_seconds)} window without canary requests)`);
}
