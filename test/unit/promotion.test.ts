/** The canary judge: its statistics against scipy / statsmodels, each metric kind, and the stage's decision. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.ts';
import type { PromotionConfig, PromotionMetric } from '../../src/config/types.ts';
import { NO_COUNTS, count, decide, histogramQuantile, judgeMetric, measurementVerdict, type Measurement, type Verdict } from '../../src/promotion/judge.ts';
import { mannWhitneyGrouped, type Alternative } from '../../src/stats/mannwhitney.ts';
import { twoProportionZ } from '../../src/stats/proportions.ts';

const ref = JSON.parse(readFileSync('test/fixtures/reference/promotion.json', 'utf8')) as {
  mannwhitney: ({ name: string; x: number[]; y: number[] } & Record<Alternative, { statistic: number; p_value: number }>)[];
  proportions: { counts: [number, number, number, number]; statistic: number; p_value: number }[];
};
const close = (a: number, b: number, rel = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(b), 1e-300) + 1e-15);

describe('statistics against the reference implementations (scripts/reference/promotion.py)', () => {
  it('Mann–Whitney U on grouped data equals scipy.stats.mannwhitneyu on the expanded samples', () => {
    for (const c of ref.mannwhitney) {
      for (const alt of ['two-sided', 'greater', 'less'] as const) {
        const r = mannWhitneyGrouped(c.x, c.y, alt);
        close(r.statistic, c[alt].statistic);
        close(r.p_value, c[alt].p_value, 1e-7);
      }
    }
  });

  it('the two-proportion z-test equals statsmodels proportions_ztest', () => {
    for (const p of ref.proportions) {
      const r = twoProportionZ(...p.counts);
      close(r.statistic, p.statistic);
      close(r.pValue, p.p_value, 1e-7);
    }
  });
});

const base = defaultConfig().promotion;
const metric = (over: Partial<PromotionMetric>): PromotionMetric => ({ name: 'm', kind: 'error_rate', confidence: 0.98, critical: false, step_seconds: 5, ...over });
const hist = (le: number[], perBucket: number[]) => {
  let sum = 0;
  return { le, cumulative: perBucket.map((c) => (sum += c)) };
};
const LE = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, Number.POSITIVE_INFINITY];

describe('each metric', () => {
  it('error rate: 12% rolls back at once, 6% fails, no traffic is inconclusive, a significant excess over stable fails', () => {
    const er = (ec: number, nc: number, es: number, ns: number, over: Partial<PromotionMetric> = {}) =>
      judgeMetric(metric(over), { kind: 'error_rate', errors: { canary: ec, stable: es }, requests: { canary: nc, stable: ns } }, 50);
    expect(er(12, 100, 1, 100)).toMatchObject({ verdict: 'fail', critical: true });
    expect(er(6, 100, 1, 100)).toMatchObject({ verdict: 'fail', critical: false });
    expect(er(0, 10, 0, 1000)).toMatchObject({ verdict: 'inconclusive', reason: 'only 10 canary requests in the window (at least 50 needed)' });
    expect(er(0, 0, 0, 0).verdict).toBe('inconclusive');
    const rel = { max_relative: { factor: 1.1, plus: 0.001 } };
    expect(er(40, 1000, 10, 1000, rel)).toMatchObject({ verdict: 'fail' }); // 4% vs 1%: significant
    expect(er(3, 100, 2, 100, rel)).toMatchObject({ verdict: 'pass' }); // 3% vs 2%: not significant
  });

  it('latency: a canary twice as slow rolls back, 1.3× fails, the same shape passes, too few observations are inconclusive', () => {
    const stable = hist(LE, [100, 300, 400, 150, 40, 10, 0]);
    const lat = (canary: ReturnType<typeof hist>) => judgeMetric(metric({ kind: 'latency' }), { kind: 'latency', buckets: { canary, stable } }, 50);
    const twice = hist(LE, [0, 20, 120, 400, 350, 100, 10]);
    expect(lat(twice)).toMatchObject({ verdict: 'fail', critical: true });
    expect(lat(hist(LE, [10, 30, 40, 15, 4, 1, 0]))).toMatchObject({ verdict: 'pass' });
    expect(lat(hist(LE, [1, 2, 3, 0, 0, 0, 0]))).toMatchObject({ verdict: 'inconclusive' });
    expect(histogramQuantile(stable, 0.5)).toBeCloseTo(0.01 + 0.015 * ((500 - 400) / 400), 12);
  });

  it('latency samples (a range query): Mann–Whitney on the values, ties as ties; few samples are inconclusive', () => {
    const lat = (canary: number[], stable: number[]) => judgeMetric(metric({ kind: 'latency' }), { kind: 'latency', samples: { canary, stable } }, 50);
    const stable = [10, 11, 10, 12, 11, 10, 13, 11, 10, 12, 11, 10];
    expect(lat(stable.map((x) => x * 2), stable)).toMatchObject({ verdict: 'fail', critical: true });
    expect(lat([...stable].reverse(), stable)).toMatchObject({ verdict: 'pass' });
    expect(lat([10, 11], stable)).toMatchObject({ verdict: 'inconclusive' });
    // Midranks by hand: groups of 1, 2, 3, 2 values → 1, 2.5, 5, 7.5; R1 = 1 + 2.5 + 2 × 7.5 = 18.5; U1 = 18.5 − 10.
    expect(mannWhitneyGrouped([1, 1, 0, 2], [0, 1, 3, 0], 'greater').statistic).toBe(8.5);
  });
});

const m = (index: number, verdict: Verdict, critical = false): Measurement => ({
  index,
  at: '2026-11-22T00:00:00Z',
  verdict,
  metrics: [{ name: 'e', kind: 'error_rate', verdict, critical, values: {}, thresholds: '', reason: verdict }],
});
function run(verdicts: Verdict[], cfg: PromotionConfig, at: (i: number) => number, bakeEnd: number) {
  const ms: Measurement[] = [];
  let c = NO_COUNTS;
  for (const [i, v] of verdicts.entries()) {
    ms.push(m(i + 1, v));
    c = count(c, ms.at(-1)!);
    const action = decide(ms, c, cfg, at(i), bakeEnd);
    if (action.action === 'hold' && c.holding_since === null) c = { ...c, holding_since: at(i) };
    if (action.action !== 'continue' && action.action !== 'hold') return action;
  }
  return decide(ms, c, cfg, at(verdicts.length - 1), bakeEnd);
}

describe('the stage decision', () => {
  it('promotes after the bake with enough passes; rolls back past the failure limits', () => {
    expect(run(['pass', 'pass', 'pass'], base, (i) => i * 60_000, 120_000).action).toBe('promote');
    expect(run(['fail', 'fail', 'pass'], base, (i) => i * 60_000, 600_000)).toMatchObject({ action: 'rollback', reason: '2 measurements in a row failed (limit 1)' });
    expect(run(['fail', 'pass', 'fail', 'pass', 'fail'], base, (i) => i * 60_000, 6e6)).toMatchObject({ action: 'rollback', reason: '3 measurements failed (limit 2)' });
    expect(run(['error', 'error', 'error', 'error', 'error'], base, (i) => i * 60_000, 6e6)).toMatchObject({ action: 'rollback', reason: 'metrics could not be read 5 times in a row (limit 4)' });
  });

  it('a critical failure rolls back at the first measurement', () => {
    const ms = [m(1, 'fail', true)];
    expect(decide(ms, count(NO_COUNTS, ms[0]!), base, 0, 1e9)).toMatchObject({ action: 'rollback', reason: 'critical: e: fail' });
  });

  it('no data is never a pass: it holds, then rolls back at the hold deadline', () => {
    const cfg = { ...base, analysis: { ...base.analysis, hold_minutes: 5 } };
    const verdicts: Verdict[] = Array.from({ length: 12 }, () => 'inconclusive');
    expect(run(verdicts.slice(0, 3), cfg, (i) => i * 60_000, 600_000)).toMatchObject({ action: 'hold' });
    expect(run(verdicts, cfg, (i) => i * 60_000, 600_000)).toMatchObject({ action: 'rollback', reason: 'held 5 min without conclusive data (8 inconclusive measurements)' });
    const now = { ...base, analysis: { ...base.analysis, on_inconclusive: 'rollback' as const } };
    expect(run(verdicts, now, (i) => i * 60_000, 600_000)).toMatchObject({ action: 'rollback', reason: '3 measurements were inconclusive (limit 2)' });
    expect(measurementVerdict([])).toBe('inconclusive');
  });
});

describe('the documented traffic recipes (examples/promotion/recipes.yml)', () => {
  it('are valid traffic sections whose filled-in commands are well-formed shell', async () => {
    const { parse } = await import('yaml');
    const { spawnSync } = await import('node:child_process');
    const { parseConfig } = await import('../../src/config/load.ts');
    const { fill } = await import('../../src/promotion/traffic.ts');
    const recipes = parse(readFileSync('examples/promotion/recipes.yml', 'utf8')) as Record<string, { traffic: Record<string, string | number> }>;
    expect(Object.keys(recipes)).toEqual(['kserve', 'argo-rollouts', 'sagemaker', 'seldon-core', 'nginx']);
    for (const [name, recipe] of Object.entries(recipes)) {
      const cfg = parseConfig(JSON.stringify({ promotion: recipe }), `recipes.yml#${name}`).promotion;
      for (const key of ['command', 'rollback', 'promote'] as const) {
        const template = cfg.traffic[key];
        if (!template) continue;
        const command = fill(template, { weight: 25, version: 'v_2026-11-22T08:00:00_abcdef12', stage: '25%', model: 'models/iris v2.onnx' });
        expect(command, `${name}.${key}`).not.toMatch(/\{(weight|version|stage|model)\}/);
        const syntax = spawnSync('sh', ['-n', '-c', command], { encoding: 'utf8', timeout: 5000 });
        expect(syntax.status, `${name}.${key}: ${syntax.stderr}`).toBe(0);
      }
    }
    expect(fill(recipes.sagemaker!.traffic.command as string, { weight: 25, version: 'v', stage: '25%', model: 'm' })).toContain('DesiredWeight=$((100 - 25)) VariantName=canary,DesiredWeight=25');
  });
});

describe('the promotion section of the pull-request comment', () => {
  it('adds a row per stage and replaces it as the stage settles, leaving the rest of the comment alone', async () => {
    const { withPromotionRow } = await import('../../src/report/promotion-comment.ts');
    const row = { stage: '5%', environment: 'canary', version: 'v_1', state: 'baking' as const, judgement: '30 min bake', runUrl: 'https://x/run' };
    let body = withPromotionRow('<!-- model-gate comment: x -->\n## ✅ GO — model-gate\n', row);
    body = withPromotionRow(body, { ...row, state: 'promoted', judgement: '10 of the last 10 measurements passed' });
    body = withPromotionRow(body, { ...row, stage: '25%', state: 'rolled back', judgement: 'critical: error_rate: 12% > 10%' });
    expect(body.startsWith('<!-- model-gate comment: x -->\n## ✅ GO — model-gate\n')).toBe(true);
    expect(body.match(/^\| <!-- stage /gm)).toHaveLength(2);
    expect(body).toContain('| <!-- stage 5% -->5% | `canary` | ✅ promoted | 10 of the last 10 measurements passed | [run](https://x/run) |');
    expect(body).toContain('| <!-- stage 25% -->25% | `canary` | ⏪ rolled back | critical: error_rate: 12% > 10% |');
    expect(withPromotionRow(body, { ...row, stage: '25%', state: 'rolled back', judgement: 'critical: error_rate: 12% > 10%' })).toBe(body);
  });
});

describe('model-gate promote with the JSON provider', () => {
  it('promotes on good numbers, rolls back on bad ones, and status tells the last stage', async () => {
    const { mkdtempSync, writeFileSync, readFileSync: read } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { cli } = await import('../support/cli.ts');
    const dir = mkdtempSync(join(tmpdir(), 'mg-promote-'));
    const metrics = join(dir, 'metrics.json');
    const weight = join(dir, 'weight');
    const cfg = join(dir, 'gate.yml');
    writeFileSync(
      cfg,
      `promotion:\n  stages: [10, 100]\n  shadow: true\n  bake_minutes: 0\n  interval_seconds: 0.05\n  min_requests: 10\n  traffic:\n    command: echo {weight} > ${weight}\n    rollback: echo 0 > ${weight}\n    shadow: echo mirrored > ${weight}\n  provider: json\n  json: { source: ${metrics} }\n  metrics:\n    - name: errors\n      kind: error_rate\n      errors: { canary: /canary/errors, stable: /stable/errors }\n      requests: { canary: /canary/requests, stable: /stable/requests }\n`,
    );
    writeFileSync(metrics, JSON.stringify({ canary: { errors: 1, requests: 100 }, stable: { errors: 1, requests: 1000 } }));
    const shadow = await cli(['promote', '--stage', 'shadow', '--version', 'v_1', '--config', cfg, '--out', dir]);
    expect(shadow.code, shadow.stderr).toBe(0);
    expect(shadow.stdout).toContain('PROMOTED shadow of v_1');
    expect(read(weight, 'utf8').trim()).toBe('mirrored');
    const ok = await cli(['promote', '--stage', '10', '--version', 'v_1', '--config', cfg, '--out', dir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('PROMOTED 10% of v_1: 1 of the last 1 measurements passed');
    expect(read(weight, 'utf8').trim()).toBe('10');
    writeFileSync(metrics, JSON.stringify({ canary: { errors: 30, requests: 100 }, stable: { errors: 1, requests: 1000 } }));
    const bad = await cli(['promote', '--stage', '100', '--version', 'v_1', '--config', cfg, '--out', dir, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ outcome: 'rolled_back', reason: 'critical: errors: canary error rate 30% > 10%: roll back' });
    expect(read(weight, 'utf8').trim()).toBe('0');
    const status = await cli(['status', '--out', dir]);
    expect(status.stdout).toBe('v_1 at 100%: rolled_back — critical: errors: canary error rate 30% > 10%: roll back\n');
    const wrong = await cli(['promote', '--stage', '42', '--version', 'v_1', '--config', cfg, '--out', dir]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('stage "42" is not in the plan: promotion.stages is 10, 100');
  });
});
