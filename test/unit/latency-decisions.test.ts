/**
 * Latency decisions on seeded simulated timings: the p95-ratio judge catches a tail-only
 * regression (p95 ×2.5, median unchanged), does not block a ×1.3 slowdown under the ×1.5
 * blocker, and rarely fails an A/A pair; absolute limits fail only when the interval lies above.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.ts';
import { compareLatency, judgeLatencyComparison } from '../../src/checks/latency-ab.ts';
import { judgeLatency, summarize } from '../../src/checks/latency.ts';
import { uniformSource } from '../../src/stats/random.ts';

/** Per-call ms: a body near 1 ms and a 10% tail of 3–5 ms (× tail), the whole × scale. */
function calls(seed: number, n: number, tail = 1, scale = 1): Float64Array {
  const u = uniformSource(seed);
  return Float64Array.from({ length: n }, () => scale * (u() < 0.1 ? tail * (3 + 2 * u()) : 1 + 0.1 * u()));
}

/**
 * Decisions over seeded runs, timing more pairs (doubling from 200 up to max_iterations) while
 * the judge is inconclusive, as timeInterleaved does. The draws of a longer run extend the
 * shorter one's, as more calls on the same machine would.
 */
function outcomes(runs: number, tail: number, scale: number): Record<'pass' | 'warning' | 'blocker' | 'inconclusive', number> {
  const cfg = { ...defaultConfig() };
  cfg.comparison = { ...cfg.comparison, resamples: 1000 };
  const out = { pass: 0, warning: 0, blocker: 0, inconclusive: 0 };
  for (let r = 0; r < runs; r++) {
    for (let n = cfg.comparison.latency.iterations; ; n = Math.min(cfg.comparison.latency.max_iterations, 2 * n)) {
      const l = compareLatency(calls(100 + 2 * r, n, tail, scale), calls(101 + 2 * r, n), cfg);
      const [c] = judgeLatencyComparison(l, cfg);
      const inconclusive = c!.message.startsWith('inconclusive');
      if (inconclusive && n < cfg.comparison.latency.max_iterations) continue;
      out[c!.status === 'pass' ? 'pass' : inconclusive ? 'inconclusive' : (c!.severity as 'warning' | 'blocker')] += 1;
      break;
    }
  }
  return out;
}

describe('comparison.latency.p95_ratio on simulated timings (200 interleaved pairs, more while inconclusive)', () => {
  it('a tail-only regression (p95 ×2.5, median unchanged) blocks every time', () => {
    const cand = calls(1, 2000, 2.5);
    const base = calls(2, 2000);
    const l = compareLatency(cand, base, defaultConfig());
    expect(l.p50_ratio).toBeCloseTo(1, 1);
    expect(l.p95_ratio).toBeGreaterThan(2.2);
    expect(outcomes(40, 2.5, 1)).toEqual({ pass: 0, warning: 0, inconclusive: 0, blocker: 40 });
  }, 60_000);

  it('a ×1.3 slowdown never blocks (×1.5 blocker)', () => {
    const o = outcomes(40, 1, 1.3);
    // Measured: 24 pass, 16 warn (interval above ×1.2), none blocks or stays inconclusive.
    expect(o).toMatchObject({ blocker: 0, inconclusive: 0 });
  }, 60_000);

  it('A/A: no blocker, and few warnings', () => {
    const o = outcomes(40, 1, 1);
    expect(o.blocker).toBe(0);
    // Measured: 40 of 40 pass.
    expect(o.warning + o.inconclusive).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('latency limits on the percentile interval', () => {
  const config = (p95: number) => {
    const c = defaultConfig();
    c.checks.latency = { ...c.checks.latency, limits: { '1': { p95_ms: p95 } } };
    return c;
  };
  const stats = summarize(1, calls(9, 400));

  it('passes when the interval lies below, fails only when it lies above, and is a warning (DELAY) while it contains the limit', () => {
    const [low, high] = stats.intervals!.p95_ms;
    expect(low).not.toBeNull();
    expect(high).not.toBeNull();
    expect(judgeLatency(stats, config(high! + 0.01))).toMatchObject({ status: 'pass', severity: 'blocker' });
    expect(judgeLatency(stats, config(low! - 0.01))).toMatchObject({ status: 'fail', severity: 'blocker' });
    const inside = judgeLatency({ ...stats, stopped: 'time_budget' }, config(stats.p95_ms));
    expect(inside).toMatchObject({ status: 'fail', severity: 'warning' });
    expect(inside.message).toMatch(/^batch 1: inconclusive: p95 [\d.]+ ms \(95% CI [\d.]+–[\d.]+ ms contains [\d.]+ ms\); the time budget/);
  });

  it('a point estimate over the limit with an interval that contains it is not a failure', () => {
    const c = judgeLatency(stats, config(stats.p95_ms - 1e-9));
    expect(c.severity).toBe('warning');
  });
});
