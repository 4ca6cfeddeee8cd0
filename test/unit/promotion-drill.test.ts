/** The rollback drill: its plan from the config, its readings, the procedure on a held clock, and the CLI with the JSON provider. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { PromotionConfig } from '../../src/config/types.ts';
import type { RecordedStage } from '../../src/promotion/records.ts';
import { passedDrill } from '../../src/promotion/drill-command.ts';
import { clearVerdict, drillPlan, requestCount, runDrill, type DrillDeps } from '../../src/promotion/drill.ts';
import type { MetricsProvider } from '../../src/promotion/providers.ts';
import type { CommandStep } from '../../src/promotion/stage.ts';
import { settingsFromArgv, settingsFromInputs } from '../../src/settings.ts';
import { cli } from '../support/cli.ts';

const requests = { canary: 'req{v="{version}",w="{weight}",s="{stage}"}[{window}]', stable: 'req{v="stable"}[{window}]' };

function promotion(over: Record<string, unknown> = {}): PromotionConfig {
  return parseConfig(
    JSON.stringify({
      promotion: {
        stages: [5, 50, 100],
        interval_seconds: 10,
        traffic: { command: 'shift {weight} {stage}', rollback: 'back {stage}' },
        metrics: [
          { name: 'latency', kind: 'latency', buckets: { canary: 'a', stable: 'b' } },
          { name: 'errors', kind: 'error_rate', errors: { canary: 'e', stable: 'e' }, requests },
        ],
        ...over,
      },
    }),
    'gate.yml',
  ).promotion;
}

describe('the drill plan', () => {
  it('takes the first stage, the first metric with requests queries, and windows of interval_seconds', () => {
    const p = drillPlan(promotion(), 5);
    expect(p).toEqual({ weight: 5, stage: '5%', metric: 'errors', requests, window_seconds: 10, timeout_seconds: 50, poll_seconds: 10 / 3 });
    expect(drillPlan(promotion({ interval_seconds: 2 }), 5).timeout_seconds).toBe(30);
    expect(drillPlan(promotion({ drill: { window_seconds: 4, timeout_seconds: 12 } }), 50)).toMatchObject({ weight: 50, stage: '50%', window_seconds: 4, timeout_seconds: 12 });
  });

  it('refuses what cannot be verified before any traffic moves', () => {
    expect(() => drillPlan(promotion({ metrics: [{ name: 'latency', kind: 'latency', buckets: { canary: 'a', stable: 'b' } }] }), 5)).toThrow(/cannot tell where traffic goes: it needs the requests queries \(canary and stable\) of an error_rate metric in promotion\.metrics/);
    expect(() => drillPlan(promotion({ drill: { metric: 'latency' } }), 5)).toThrow(/error_rate metric, and "latency" has none/);
    expect(() => drillPlan(promotion({ drill: { metric: 'nope' } }), 5)).toThrow('promotion.drill.metric is "nope", but promotion.metrics has no metric of that name (latency, errors)');
    expect(() => drillPlan(promotion({ drill: { window_seconds: 30, timeout_seconds: 30 } }), 5)).toThrow(/must be longer than the window/);
    expect(() => drillPlan(promotion({ traffic: { rollback: 'back' } }), 5)).toThrow(/needs a traffic command/);
    expect(() => drillPlan(promotion({ traffic: { command: 'x' } }), 5)).toThrow(/needs a rollback command/);
  });
});

describe('the drill readings', () => {
  it('counts requests from one series; several series, buckets or non-numbers are errors', () => {
    expect(requestCount(null, 'q')).toBeNull();
    expect(requestCount([], 'q')).toBeNull();
    expect(requestCount(12, 'q')).toBe(12);
    expect(requestCount([{ labels: {}, value: 3 }], 'q')).toBe(3);
    expect(() => requestCount([{ labels: {}, value: 3 }, { labels: {}, value: 4 }], 'q')).toThrow('the query q gives 2 series; aggregate it to one (sum(...))');
    expect(() => requestCount([{ labels: {}, value: Number.NaN }], 'q')).toThrow('not a count of requests');
    expect(() => requestCount(Number.POSITIVE_INFINITY, 'q')).toThrow('not a count of requests');
  });

  it('after the rollback: done only on a window after it, without canary requests, with stable receiving some', () => {
    expect(clearVerdict({ canary: 0, stable: 40 }, false).done).toBe(false);
    expect(clearVerdict({ canary: 3, stable: 40 }, true)).toEqual({ done: false, why: 'the canary still received 3 requests' });
    expect(clearVerdict({ canary: 0, stable: 0 }, true)).toEqual({ done: false, why: 'stable received no requests either: an idle service cannot show that the rollback moved traffic' });
    expect(clearVerdict({ canary: 0, stable: null }, true).done).toBe(false);
    expect(clearVerdict({ canary: 0, stable: 40 }, true)).toEqual({ done: true, why: 'no canary requests, 40 on stable' });
    expect(clearVerdict({ canary: null, stable: 1234.56 }, true)).toEqual({ done: true, why: 'no canary requests, 1,234.6 on stable' });
  });

  it('a passed drill counts for its version only, and only when it succeeded', () => {
    const rec = (id: number, version: string, stage: string, state: string): RecordedStage => ({ id, environment: 'canary', payload: { version, stage, weight: 5, model: 'm' }, state, description: null, created_at: '', log_url: null });
    const records = [rec(4, 'v2', 'drill', 'failure'), rec(3, 'v1', '5%', 'success'), rec(2, 'v1', 'drill', 'success'), rec(1, 'v2', 'drill', 'in_progress')];
    expect(passedDrill(records, 'v1')?.id).toBe(2);
    expect(passedDrill(records, 'v2')).toBeNull();
  });
});

/**
 * A service on a held clock: traffic flows at `rate` requests a second split by the weight the
 * commands set; the provider answers the requests of the last window, with the change taking
 * `lag` seconds to show (a scrape).
 */
function world(opts: { rate?: number; lag?: number; rollbackMoves?: boolean; trafficMoves?: boolean; providerDown?: boolean; failCommand?: 'traffic' | 'rollback' } = {}) {
  const { rate = 10, lag = 2, rollbackMoves = true, trafficMoves = true } = opts;
  let t = 0;
  const changes: { at: number; weight: number }[] = [{ at: -1e9, weight: 0 }];
  const weightAt = (s: number) => changes.filter((c) => c.at + lag <= s).at(-1)!.weight;
  /** Requests to one side over (now − window, now], second by second. */
  const inWindow = (side: 'canary' | 'stable', window: number) => {
    let n = 0;
    for (let s = Math.ceil(t - window); s < t; s++) n += (rate * (side === 'canary' ? weightAt(s) : 100 - weightAt(s))) / 100;
    return n;
  };
  const ran: string[] = [];
  const provider: MetricsProvider = {
    async query(q) {
      if (opts.providerDown) throw new Error('Prometheus at http://prom: connect ECONNREFUSED');
      const window = Number(/\[(\d+(?:\.\d+)?)s\]/.exec(q)![1]);
      return inWindow(q.includes('stable') ? 'stable' : 'canary', window);
    },
    async queryRange() {
      return null;
    },
  };
  const deps: DrillDeps = {
    provider,
    clock: { now: () => t * 1000, date: () => new Date(Date.UTC(2026, 10, 30) + t * 1000) },
    sleep: async (ms) => {
      t += ms / 1000;
    },
    log: () => undefined,
    run: async (command: string, _timeout: number, step: CommandStep) => {
      ran.push(command);
      t += 0.5;
      if (opts.failCommand === step.kind) throw new Error(`"${command}" exited with code 1`);
      if ((step.kind === 'traffic' && trafficMoves) || (step.kind === 'rollback' && rollbackMoves)) changes.push({ at: t, weight: step.weight });
    },
  };
  return { deps, ran, now: () => t };
}

const spec = { version: 'v_1', model: 'm.onnx' };

describe('the drill on a held clock', () => {
  it('passes when traffic reaches the canary and the rollback takes it off, saying how long each took', async () => {
    const cfg = promotion({ drill: { window_seconds: 3, timeout_seconds: 30 } });
    const w = world();
    const r = await runDrill(spec, drillPlan(cfg, 5), cfg, w.deps);
    expect(r.outcome).toBe('passed');
    expect(w.ran).toEqual(['shift 5 5%', 'back 5%']);
    expect(r.reached_after_seconds).toBeGreaterThanOrEqual(2);
    expect(r.cleared_after_seconds).toBeGreaterThanOrEqual(3);
    expect(r.reason).toMatch(/^traffic reached the canary after \d(\.\d)? s; the rollback took effect within \d(\.\d)? s \(a full 3 s window without canary requests\)$/);
    expect(r.steps.map((s) => [s.step, s.ok])).toEqual([['traffic', true], ['reach', true], ['rollback', true], ['clear', true]]);
    expect(r.steps.at(-1)!.detail).toBe('no canary requests, 30 on stable in the 3 s window');
  });

  it('fails when the rollback command does not move traffic, and never waits past the timeout', async () => {
    const cfg = promotion({ drill: { window_seconds: 3, timeout_seconds: 20 } });
    const w = world({ rollbackMoves: false });
    const r = await runDrill(spec, drillPlan(cfg, 5), cfg, w.deps);
    expect(r.outcome).toBe('failed');
    expect(r.reason).toBe('the rollback did not take traffic off the canary: not within 20 s: the canary still received 1.5 requests; traffic may still reach the canary: check the rollback command and the routing');
    expect(r.cleared_after_seconds).toBeNull();
    expect(r.traffic).toEqual({ on_stable: false, weight: null });
    expect(w.now()).toBeLessThan(2 + 20 + 20 + 1);
  });

  it('fails, rolled back, when the canary never receives traffic', async () => {
    const cfg = promotion({ drill: { window_seconds: 3, timeout_seconds: 10 } });
    const w = world({ trafficMoves: false });
    const r = await runDrill(spec, drillPlan(cfg, 5), cfg, w.deps);
    expect(r.outcome).toBe('failed');
    expect(r.reason).toBe('traffic never reached the canary at 5% (the requests queries of errors, 3 s windows): not within 10 s: the canary received no requests');
    expect(w.ran).toEqual(['shift 5 5%', 'back 5%']);
  });

  it('fails on an idle service: no requests on stable either cannot show the rollback', async () => {
    const cfg = promotion({ drill: { window_seconds: 3, timeout_seconds: 10 } });
    const w = world({ rate: 0 });
    const r = await runDrill(spec, drillPlan(cfg, 5), cfg, w.deps);
    expect(r.outcome).toBe('failed');
    expect(r.reason).toMatch(/^traffic never reached the canary/);
  });

  it('fails when the metrics provider is down, after three errors in a row, rolled back', async () => {
    const cfg = promotion({ drill: { window_seconds: 3, timeout_seconds: 60 } });
    const w = world({ providerDown: true });
    const r = await runDrill(spec, drillPlan(cfg, 5), cfg, w.deps);
    expect(r.outcome).toBe('failed');
    expect(r.reason).toBe('traffic never reached the canary at 5% (the requests queries of errors, 3 s windows): the metrics provider failed: Prometheus at http://prom: connect ECONNREFUSED (3 times in a row)');
    expect(w.ran).toHaveLength(2);
    expect(w.now()).toBeLessThan(5);
  });

  it('a failed traffic command is rolled back; a failed rollback says traffic is not known to be on stable', async () => {
    const cfg = promotion({ drill: { window_seconds: 3, timeout_seconds: 10 } });
    const a = await runDrill(spec, drillPlan(cfg, 5), cfg, world({ failCommand: 'traffic' }).deps);
    expect(a.outcome).toBe('failed');
    expect(a.reason).toBe('the traffic command failed: "shift 5 5%" exited with code 1');
    expect(a.commands.map((c) => c.ok)).toEqual([false, true]);
    const b = await runDrill(spec, drillPlan(cfg, 5), cfg, world({ failCommand: 'rollback' }).deps);
    expect(b.outcome).toBe('rollback_failed');
    expect(b.reason).toBe('the rollback command failed: "back 5%" exited with code 1');
  });

  it('an interrupted drill rolls back at once and fails', async () => {
    const cfg = promotion({ drill: { window_seconds: 3, timeout_seconds: 60 } });
    const w = world({ trafficMoves: false });
    const controller = new AbortController();
    const sleep = w.deps.sleep;
    let sleeps = 0;
    const r = await runDrill(spec, drillPlan(cfg, 5), cfg, {
      ...w.deps,
      interrupted: controller.signal,
      sleep: async (ms) => {
        if (++sleeps === 2) controller.abort('SIGTERM');
        await sleep(ms);
      },
    });
    expect(r.outcome).toBe('failed');
    expect(r.reason).toBe('interrupted by SIGTERM');
    expect(w.ran).toEqual(['shift 5 5%', 'back 5%']);
    expect(w.now()).toBeLessThan(10);
  });
});

describe('model-gate promote --drill with the JSON provider', () => {
  it('passes, is recorded, lets the first stage start under drill.require; refused before; fails when the rollback moves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-drill-'));
    const metrics = join(dir, 'metrics.json');
    const doc = (canary: number) => `'{"canary":{"errors":0,"requests":${canary}},"stable":{"errors":0,"requests":1000}}'`;
    const config = (rollback: string, require = true) => {
      const cfg = join(dir, `gate-${require}-${rollback.startsWith('echo moved') ? 'broken' : 'ok'}.yml`);
      writeFileSync(
        cfg,
        `promotion:\n  stages: [10, 100]\n  bake_minutes: 0\n  interval_seconds: 0.05\n  min_requests: 10\n  drill: { require: ${require}, window_seconds: 0.05, timeout_seconds: 2 }\n  traffic:\n    command: echo ${doc(100)} > ${metrics}\n    rollback: ${rollback}\n  provider: json\n  json: { source: ${metrics} }\n  metrics:\n    - name: errors\n      kind: error_rate\n      errors: { canary: /canary/errors, stable: /stable/errors }\n      requests: { canary: /canary/requests, stable: /stable/requests }\n`,
      );
      return cfg;
    };
    writeFileSync(metrics, doc(0).slice(1, -1));
    const cfg = config(`echo ${doc(0)} > ${metrics}`);
    const refused = await cli(['promote', '--stage', '10', '--version', 'v_1', '--config', cfg, '--out', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('stage 10% needs a passed rollback drill of v_1 in production (promotion.drill.require), and none is recorded: run the drill first: model-gate promote --drill');

    const drilled = await cli(['promote', '--drill', '--version', 'v_1', '--config', cfg, '--out', dir]);
    expect(drilled.code, drilled.stderr).toBe(0);
    expect(drilled.stdout).toMatch(/^DRILL PASSED at 10% of v_1: traffic reached the canary after [\d.]+ s; the rollback took effect within [\d.]+ s/);
    expect(drilled.stdout).toMatch(/ok {3}canary receives none +[\d.]+ s {2}no canary requests, 1,000 on stable/);
    expect(JSON.parse(readFileSync(join(dir, 'promotion', 'drill.json'), 'utf8'))).toMatchObject({ stage: 'drill', version: 'v_1', environment: 'production', outcome: 'passed', traffic: { on_stable: true, weight: 0 } });
    expect(JSON.parse(readFileSync(join(dir, 'promotion', 'traffic-drill.json'), 'utf8'))).toMatchObject({ stage: 'drill', pending: null, traffic: { on_stable: true } });
    const status = await cli(['status', '--out', dir]);
    expect(status.stdout).toMatch(/^no promotion recorded here\nrollback drill of v_1: passed — traffic reached the canary/);

    const other = await cli(['promote', '--stage', '10', '--version', 'v_2', '--config', cfg, '--out', dir]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('records a drill of v_1 in production: passed');
    const staged = await cli(['promote', '--stage', '10', '--version', 'v_1', '--config', cfg, '--out', dir]);
    expect(staged.code, staged.stderr).toBe(0);
    expect(staged.stdout).toContain('PROMOTED 10% of v_1');

    // A rollback command that moves nothing: the canary still receives requests after it.
    const broken = await cli(['promote', '--drill', '--version', 'v_3', '--config', config('echo moved nothing', false), '--out', dir, '--json']);
    expect(broken.code, broken.stderr).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ traffic: { on_stable: false, weight: null }, outcome: 'failed', reason: 'the rollback did not take traffic off the canary: not within 2 s: the canary still received 100 requests; traffic may still reach the canary: check the rollback command and the routing' });
    // The failed drill does not let v_3's first stage start, even where the config did not ask for one.
    const again = await cli(['promote', '--stage', '10', '--version', 'v_3', '--require-drill', '--config', config('echo moved nothing', false), '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('records a drill of v_3 in production: failed');
  });

  it('promote needs --stage or --drill', async () => {
    const none = await cli(['promote', '--version', 'v_1']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('model-gate promote needs --stage (a weight of promotion.stages, or shadow) or --drill');
  });

});

describe('the reusable promotion workflow (model-promote.yml)', () => {
  interface Job { needs?: string[]; if?: string; environment?: string; permissions?: Record<string, string>; steps?: { uses?: string; with?: Record<string, unknown> }[] }
  const wf = parse(readFileSync('.github/workflows/model-promote.yml', 'utf8')) as { on: { workflow_call: { inputs: Record<string, { type: string; default: unknown }> } }; jobs: Record<string, Job> };
  const gate = (job: Job) => job.steps!.find((s) => s.uses === './.model-gate-action')!.with!;

  it('runs the drill, on input drill, in the first stage’s environment before it; the first stage then requires it', () => {
    expect(wf.on.workflow_call.inputs.drill).toMatchObject({ type: 'boolean', default: false });
    const { drill, 'stage-1': first, rollback } = wf.jobs;
    expect(drill!.environment).toBe(first!.environment);
    expect(drill!.permissions).toEqual({ contents: 'read', deployments: 'write' });
    expect(drill!.if).toContain('inputs.drill');
    expect(gate(drill!)).toMatchObject({ mode: 'promote', drill: true, stage: '${{ inputs.stage-1 }}', environment: '${{ inputs.canary-environment }}' });
    expect(first!.needs).toContain('drill');
    // A failed drill stops the first stage; a drill not asked for does not.
    expect(first!.if).toContain("needs.drill.result == 'success' || (needs.drill.result == 'skipped' && !inputs.drill)");
    expect(gate(first!)['require-drill']).toBe("${{ inputs.drill && 'true' || '' }}");
    // A failed drill may leave traffic on the canary: the rollback job runs after it too.
    expect(rollback!.needs).toContain('drill');
  });
});

describe('the drill settings, read once from inputs or flags', () => {
  const inputs = (values: Record<string, string>) => {
    const s = settingsFromInputs((name) => values[name] ?? '', {});
    if (s.mode !== 'promote') throw new Error(s.mode);
    return s;
  };
  it('action: drill needs no stage; require-drill empty keeps the config, true / false override it; anything else is refused', () => {
    expect(inputs({ mode: 'promote', drill: 'true' }).promotion).toMatchObject({ drill: true, requireDrill: undefined });
    expect(inputs({ mode: 'promote', stage: '5', 'require-drill': 'false' }).promotion).toMatchObject({ drill: false, requireDrill: false });
    expect(inputs({ mode: 'promote', stage: '5', 'require-drill': 'true' }).promotion!.requireDrill).toBe(true);
    expect(() => inputs({ mode: 'promote' })).toThrow('or input "drill: true" for the rollback drill');
    expect(() => inputs({ mode: 'promote', drill: 'yes' })).toThrow('input "drill" must be "true" or "false", got "yes"');
  });

  it('CLI: --drill and --require-drill', () => {
    const run = (argv: string[]) => {
      const c = settingsFromArgv(argv, {});
      if (c.kind !== 'run' || c.settings.mode !== 'promote') throw new Error(c.kind);
      return c.settings.promotion!;
    };
    expect(run(['promote', '--drill'])).toMatchObject({ drill: true, stage: undefined, requireDrill: undefined });
    expect(run(['promote', '--stage', '5', '--require-drill'])).toMatchObject({ drill: false, requireDrill: true });
  });

  it('the drill refuses shadow: it must move real traffic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-drill-'));
    const cfg = join(dir, 'gate.yml');
    writeFileSync(cfg, `promotion:\n  shadow: true\n  traffic: { command: 'true', rollback: 'true', shadow: 'true' }\n  provider: json\n  json: { source: ${join(dir, 'm.json')} }\n  metrics:\n    - { name: e, kind: error_rate, errors: { canary: /a, stable: /a }, requests: { canary: /a, stable: /a } }\n`);
    const r = await cli(['promote', '--drill', '--stage', 'shadow', '--version', 'v', '--config', cfg, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the rollback drill moves real traffic: give a weight of promotion.stages (or no stage: the first), not shadow');
  });
});
