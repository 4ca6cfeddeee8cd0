/** Evidence handed from stage to stage (src/promotion/carry.ts): what is carried, what starts afresh, and how the two tests decide. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { chooseCarry, evidenceJson, handOver, judgeCarried, parseEvidence, type StageEvidence } from '../../src/promotion/carry.ts';
import { testAlpha } from '../../src/promotion/judge.ts';
import type { MetricData } from '../../src/promotion/types.ts';
import { SCENARIOS, simulateCell } from '../../scripts/simulate/canary.ts';

const cfg = parseConfig(
  JSON.stringify({
    promotion: {
      stages: [5, 25, 50, 100],
      metrics: [
        { name: 'errors', kind: 'error_rate', max_relative: { factor: 1.1, plus: 0.001 }, errors: { canary: 'e{c}', stable: 'e{s}' }, requests: { canary: 'r{c}', stable: 'r{s}' } },
        { name: 'latency', kind: 'latency', buckets: { canary: 'b{c}', stable: 'b{s}' } },
        { name: 'cpu', kind: 'value', max: 0.9, value: { canary: 'v{c}', stable: 'v{s}' } },
      ],
    },
  }),
  'gate.yml',
).promotion;

const errors = (ce: number, cn: number, se: number, sn: number): MetricData => ({ kind: 'error_rate', errors: { canary: ce, stable: se }, requests: { canary: cn, stable: sn } });
const hist = (c: number[]): MetricData => ({ kind: 'latency', buckets: { canary: { le: [0.1, 0.5, Number.POSITIVE_INFINITY], cumulative: c }, stable: { le: [0.1, 0.5, Number.POSITIVE_INFINITY], cumulative: c } } });
const times = (k: number, d: MetricData) => Array.from({ length: k }, () => d);

/** What stage `stage` of `version` hands over after `k` windows of each. */
function evidenceOf(version: string, stage: string, chain: string[], k: number, at = '2026-11-30T01:00:00.000Z'): StageEvidence {
  const carried = cfg.metrics.map((m, i) => ({ chain: chain.slice(0, -1), windows: i === 0 ? times(k * (chain.length - 1), errors(1, 100, 10, 1000)) : i === 1 ? times(k * (chain.length - 1), hist([50, 95, 100])) : [] }));
  const own = [times(k, errors(1, 100, 10, 1000)), times(k, hist([50, 95, 100])), []];
  return handOver(cfg, { stage, version }, at, carried, own);
}

describe('choosing what a stage carries', () => {
  it('takes the newest evidence of the previous stage of the same version, for the pooled metrics only', () => {
    const old = evidenceOf('v_2', '25%', ['5%', '25%'], 3, '2026-11-30T00:00:00.000Z');
    const newer = evidenceOf('v_2', '25%', ['5%', '25%'], 4);
    const other = evidenceOf('v_1', '25%', ['5%', '25%'], 9);
    const { carried, said } = chooseCarry([old, other, newer], cfg, { stage: '50%', version: 'v_2' });
    expect(carried.map((c) => c.chain)).toEqual([['5%', '25%'], ['5%', '25%'], []]);
    expect(carried[0]!.windows).toHaveLength(8);
    expect(said).toBe('carrying the evidence of stages 5%, 25% (16 windows)');
    expect(newer.metrics.map((m) => m.name)).toEqual(['errors', 'latency']); // a `value` is judged window by window
  });

  it('starts afresh, and says why: the first stage, no evidence, changed queries, a chain that is not the plan, a window that cannot be', () => {
    const ev = evidenceOf('v_2', '25%', ['5%', '25%'], 3);
    expect(chooseCarry([ev], cfg, { stage: '5%', version: 'v_2' }).said).toBe('the first stage starts its tests afresh');
    expect(chooseCarry([ev], cfg, { stage: 'shadow', version: 'v_2' }).said).toBe('the shadow stage starts its tests afresh');
    expect(chooseCarry([ev], cfg, { stage: '100%', version: 'v_2' }).said).toBe('no evidence of stage 50% of v_2 handed over: the tests start afresh (the false-rollback budget of this stage only)');
    const changed = structuredClone(ev);
    changed.metrics[0]!.queries = changed.metrics[0]!.queries.replace('e{c}', 'errors_total{c}');
    const c = chooseCarry([changed], cfg, { stage: '50%', version: 'v_2' });
    expect(c.carried.map((x) => x.chain.length)).toEqual([0, 2, 0]);
    expect(c.said).toBe('carrying the evidence of stages 5%, 25% (6 windows); errors starts afresh (its queries changed)');
    const skipped = structuredClone(ev);
    for (const m of skipped.metrics) m.chain = ['25%']; // fine: a chain may start at any stage of the plan
    expect(chooseCarry([skipped], cfg, { stage: '50%', version: 'v_2' }).carried[0]!.chain).toEqual(['25%']);
    for (const m of skipped.metrics) m.chain = ['50%', '25%'];
    expect(chooseCarry([skipped], cfg, { stage: '50%', version: 'v_2' }).said).toBe('the evidence of stage 25% could not be carried: errors starts afresh (its chain of stages is not the plan); latency starts afresh (its chain of stages is not the plan)');
    const broken = structuredClone(ev);
    broken.metrics[0]!.windows[2] = errors(5, 3, 1, 10);
    expect(chooseCarry([broken], cfg, { stage: '50%', version: 'v_2' }).said).toContain('errors starts afresh (a window is not sound)');
  });

  it('keeps +Inf bucket bounds through the file, and refuses what is not evidence', () => {
    const ev = evidenceOf('v_2', '25%', ['5%', '25%'], 3);
    const back = parseEvidence(evidenceJson(ev))!;
    expect(back).toEqual(ev);
    expect((back.metrics[1]!.windows[0] as { buckets: { canary: { le: number[] } } }).buckets.canary.le.at(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(parseEvidence('{"format": 2}')).toBeNull();
    expect(parseEvidence('not json')).toBeNull();
  });
});

describe('judging a stage that carries', () => {
  const m = cfg.metrics[0]!;
  const slot = testAlpha(cfg, m);
  const ctx = { minRequests: 50, alone: false, alpha: slot };

  it("spends the chain's slots on the chain's test and half a slot on the stage's own", () => {
    const carried = { chain: ['5%', '25%'], windows: times(60, errors(1, 100, 10, 1000)) };
    const r = judgeCarried(m, times(5, errors(1, 100, 10, 1000)), carried, '50%', ctx);
    expect(r.verdict).toBe('pass');
    expect(r.evidence!.confidence).toBeCloseTo(1 - 2 * slot, 12); // the chain's third stage: (3 + 1) / 2 slots
    expect(r.evidence!.pooled).toMatchObject({ windows: 65, canary: 6500, stages: ['5%', '25%', '50%'] });
    expect(r.reason).toContain('over 65 windows of stages 5%, 25%, 50% (6,500 / 65,000 requests)');
    // Without a chain: one test at the whole slot, worded as before.
    const fresh = judgeCarried(m, times(5, errors(1, 100, 10, 1000)), { chain: [], windows: [] }, '50%', ctx);
    expect(fresh.evidence!.confidence).toBeCloseTo(1 - slot, 12);
    expect(fresh.reason).toContain('over 5 windows (500 / 5,000 requests)');
  });

  it("lets the stage's own windows roll back a canary that broke only now, though the carried windows dilute it", () => {
    const carried = { chain: ['5%', '25%'], windows: times(60, errors(10, 1000, 100, 10000)) };
    const r = judgeCarried(m, times(4, errors(150, 1000, 100, 10000)), carried, '50%', ctx);
    expect(r).toMatchObject({ verdict: 'fail', critical: true });
    expect(r.reason).toContain('canary 15% vs stable 1% over 4 windows of stage 50% only (4,000 / 40,000 requests): the rate is above the rollback limit 10% by at least');
  });

  it('rolls back, on the pooled windows, an excess no single stage shows', () => {
    // 2% against a tolerance of 1.1 × 1% + 0.1% = 1.2%, with 250 canary requests a window.
    const d = errors(5, 250, 5, 500);
    const stage3 = judgeCarried(m, times(6, d), { chain: ['5%', '25%'], windows: times(60, d) }, '50%', ctx);
    expect(stage3.verdict).toBe('fail');
    expect(stage3.reason).toContain('over 66 windows of stages 5%, 25%, 50%');
    expect(judgeCarried(m, times(6, d), { chain: [], windows: [] }, '50%', ctx).verdict).not.toBe('fail');
  });

  it("judges on the stage's own windows when the carried ones cannot be pooled (other buckets)", () => {
    const lat = cfg.metrics[1]!;
    const other: MetricData = { kind: 'latency', buckets: { canary: { le: [0.2, Number.POSITIVE_INFINITY], cumulative: [95, 100] }, stable: { le: [0.2, Number.POSITIVE_INFINITY], cumulative: [95, 100] } } };
    const r = judgeCarried(lat, times(5, other), { chain: ['5%'], windows: times(30, hist([50, 95, 100])) }, '25%', { ...ctx, alpha: testAlpha(cfg, lat) });
    expect(r.verdict).not.toBe('error');
    expect(r.reason).toContain('(the carried windows could not be pooled: the histogram buckets changed between windows of the stage');
  });
});

describe('carrying in whole promotions (scripts/simulate/canary.ts, small and seeded)', () => {
  it('stops 1% → 2% errors at 500 requests a minute that stages judged afresh mostly miss', async () => {
    const sc = SCENARIOS.find((s) => s.name === 'errors 1% → 2%')!;
    const carried = await simulateCell(sc, 500, 12, 3);
    const fresh = await simulateCell(sc, 500, 12, 3, undefined, false);
    expect(carried.share).toBeGreaterThanOrEqual(11 / 12);
    expect(fresh.share).toBeLessThanOrEqual(8 / 12);
  }, 120_000);
});
