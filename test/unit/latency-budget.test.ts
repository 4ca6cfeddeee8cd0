/**
 * The latency loop's time budget holds from the first call: a model that takes a second a call
 * gets MIN_CALLS timed calls within a 20 s budget instead of the 100 the defaults ask (and its
 * warm-up stops after a quarter of the budget); a fast model still gets every call it is asked for.
 * Time is a simulated clock that each call advances, so the counts are exact.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.ts';
import { parseConfig } from '../../src/config/load.ts';
import { judgeLatency, measureLatency, MIN_CALLS } from '../../src/checks/latency.ts';
import { bindInputs } from '../../src/data/features.ts';
import { generateRows } from '../../src/data/generate.ts';
import type { ModelRunner, ModelSignature } from '../../src/runners/types.ts';

const signature: ModelSignature = { inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 4] }], outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 1] }] };

function slowModel(msPerCall: number) {
  let t = 0;
  let calls = 0;
  const clock: Clock = { now: () => t, date: () => new Date(0) };
  const runner: ModelRunner = {
    kind: 'simulated',
    target: 'simulated',
    signature,
    infer: async (feeds) => {
      calls++;
      t += msPerCall;
      const n = feeds.x!.dims[0]!;
      return { y: { dtype: 'float32', dims: [n, 1], data: new Float32Array(n) } };
    },
    close: async () => undefined,
  };
  return { clock, runner, calls: () => calls };
}

async function measure(msPerCall: number, batch: number) {
  const config = parseConfig('', 'inline');
  const m = slowModel(msPerCall);
  const rows = generateRows(bindInputs(signature, null, undefined, new Set()), 64, 1, null);
  const stats = await measureLatency({ config, runner: m.runner, rows, mode: 'validate', labels: null, baseline: null, drift: null, clock: m.clock, progress: () => undefined }, batch);
  return { stats, calls: m.calls(), config };
}

describe('checks.latency.time_budget_s (20 s) from the first call', () => {
  it('a model taking 1 s a call: 5 warm-up calls (a quarter of the budget), MIN_CALLS timed, and the report says why', async () => {
    const { stats, calls, config } = await measure(1000, 32);
    expect(MIN_CALLS).toBe(20);
    expect(stats.samples).toBe(20);
    expect(calls).toBe(5 + 20);
    expect(stats.stopped).toBe('time_budget');
    expect(judgeLatency(stats, config).message).toContain('20 calls (the 20 s budget, checks.latency.time_budget_s)');
  });

  it('a model taking 0.5 s a call gets as many calls as the budget holds (40), not fewer than asked for no reason', async () => {
    const { stats } = await measure(500, 1);
    expect(stats.samples).toBe(40);
  });

  it('a fast model gets the configured warm-up and all 100 calls, and is not said to be cut short', async () => {
    const { stats, calls, config } = await measure(2, 1);
    expect(stats.samples).toBe(100);
    expect(calls).toBe(110);
    expect(stats.stopped).toBe('decided');
    expect(judgeLatency(stats, config).message).not.toContain('budget');
  });
});
