/** The canary judge: its statistics against scipy / statsmodels, each metric kind, and the stage's decision. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config/load.ts';
import type { PromotionConfig, PromotionMetric } from '../../src/config/types.ts';
import { NO_COUNTS, count, decideStage, histogramQuantile, judgeMetric, judgeWindows, measurementVerdict, testAlpha } from '../../src/promotion/judge.ts';
import type { Measurement, MetricData, CanaryVerdict } from '../../src/promotion/types.ts';
import { toleranceTest } from '../../src/promotion/tolerance.ts';
import { mannWhitneyGrouped, type Alternative } from '../../src/stats/mannwhitney.ts';
import { twoProportionZ } from '../../src/stats/proportions.ts';
import { alwaysValid, chi2Quantile, dispersion, msprtLogLR } from '../../src/stats/sequential.ts';
import { SCENARIOS, simulateCell } from '../../scripts/simulate/canary.ts';

const seq = JSON.parse(readFileSync('test/fixtures/reference/promotion-sequential.json', 'utf8')) as {
  msprt: { estimate: number; variance: number; tau2: number; alpha: number; theta0: number; log_lr: number; lower: number; upper: number }[];
  chi2_quantile: { q: number; dof: number; value: number }[];
  dispersion: { name: string; k: number[]; n: number[]; prior: number; pearson: number | null; estimate: number | null; factor: number }[];
  tolerance: { name: string; canary: { k: number[]; n: number[] }; stable: { k: number[]; n: number[] } | null; factor: number; plus: number; alpha: number; estimate: number; lower: number; upper: number; limit: number; log_lr: number }[];
};

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

describe('sequential tests against the reference (scripts/reference/promotion_sequential.py)', () => {
  it("the normal-mixture SPRT and its confidence sequence equal the paper's statistic, inverted by root finding", () => {
    for (const c of seq.msprt) {
      close(msprtLogLR(c.estimate, c.variance, c.tau2), c.log_lr, 1e-9);
      const b = alwaysValid(c.estimate, c.variance, c.tau2, c.alpha);
      // Python bounds θ₀ around the mean; the TypeScript bounds θ − θ₀ around the estimate.
      close(b.lower + c.theta0, c.lower, 1e-8);
      close(b.upper + c.theta0, c.upper, 1e-8);
    }
  });

  it('χ² quantiles equal scipy.stats.chi2.ppf', () => {
    for (const c of seq.chi2_quantile) close(chi2Quantile(c.q, c.dof), c.value, 1e-9);
  });

  it('the quasi-binomial dispersion equals statsmodels GLM(Binomial, scale="X2"), and its upper bound', () => {
    for (const c of seq.dispersion) {
      const d = dispersion(c.k, c.n, 0.8, c.prior);
      if (c.pearson === null) expect(Number.isNaN(d.pearson)).toBe(true);
      else close(d.pearson, c.pearson, 1e-9);
      expect(d.estimate === null ? null : d.estimate).toBe(c.estimate === null ? null : d.estimate);
      if (c.estimate !== null) close(d.estimate!, c.estimate, 1e-9);
      close(d.factor, c.factor, 1e-9);
    }
  });

  it('whole tolerance tests over pooled windows equal the reference', () => {
    for (const c of seq.tolerance) {
      const t = toleranceTest(c.canary, c.stable, c.factor, c.plus, c.alpha);
      close(t.estimate, c.estimate, 1e-12);
      close(t.limit, c.limit, 1e-12);
      close(t.lower, c.lower, 1e-8);
      close(t.upper, c.upper, 1e-8);
      close(t.log_lr, c.log_lr, 1e-8);
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

/** `k` windows of the same counts, judged as a stage pools them. */
const windows = (m: PromotionMetric, d: MetricData, k: number, alone = false) =>
  judgeWindows(m, Array.from({ length: k }, () => d), { minRequests: 50, alone, alpha: 0.01 });

describe('each metric, on the windows pooled so far', () => {
  const er = (ec: number, nc: number, es: number, ns: number) => ({ kind: 'error_rate' as const, errors: { canary: ec, stable: es }, requests: { canary: nc, stable: ns } });
  const rel = metric({ max_relative: { factor: 1.1, plus: 0.001 } });

  it('error rate: the fixed limits apply to a bound on the pooled rate, not to one window', () => {
    expect(windows(metric({}), er(120, 1000, 10, 1000), 5)).toMatchObject({ verdict: 'fail', critical: true });
    const six = windows(metric({}), er(600, 10_000, 100, 10_000), 5);
    expect(six).toMatchObject({ verdict: 'fail', critical: false });
    expect(six.reason).toMatch(/^canary 6% vs stable 1% over 5 windows \(50,000 \/ 50,000 requests\): the rate is above 5% by at least \+0\.\d+ pp \(lower bound, 99% always-valid\)$/);
    expect(six.evidence).toMatchObject({ test: 'mixture SPRT', quantity: 'canary error rate − 5%', pooled: { windows: 5, canary: 50_000, stable: null } });
    // 12 errors in 100 requests: the rate could still be below 5%; never a rollback, nor a pass.
    expect(windows(metric({}), er(12, 100, 1, 100), 1)).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('not yet shown below the rollback limit 10%') });
    expect(windows(metric({}), er(0, 10, 0, 1000), 1)).toMatchObject({ verdict: 'inconclusive', reason: 'only 10 canary requests pooled over 1 window (at least 50 needed)' });
    // min_requests counts the pool: ten quiet windows of 10 requests are 100.
    expect(windows(metric({}), er(0, 10, 0, 1000), 10).verdict).toBe('pass');
    expect(judgeMetric(metric({}), er(0, 0, 0, 0), 50).verdict).toBe('inconclusive');
  });

  it('error rate: the relative rule tests the tolerance, not equality, however much traffic', () => {
    // 1.15% vs a tolerance of 1% × 1.1 + 0.1% = 1.2%, over 30 windows of 20,000 and 380,000 requests.
    const inside = windows(rel, er(230, 20_000, 3800, 380_000), 30);
    expect(inside).toMatchObject({ verdict: 'pass' });
    expect(inside.reason).toMatch(/within its tolerance 1\.1 × stable \+ 0\.1% = 1\.2% \(lower bound −0\.\d+ pp, a rollback needs > 0\)$/);
    expect(inside.evidence!.lower).toBeLessThan(0);
    // Twice stable's rate: shown beyond the tolerance.
    const twice = windows(rel, er(40, 2000, 200, 20_000), 10);
    expect(twice).toMatchObject({ verdict: 'fail', evidence: { quantity: 'canary error rate − (1.1 × stable + 0.1%)' } });
    expect(twice.evidence!.lower).toBeGreaterThan(0);
    // Fewer than three windows cannot tell variation between windows from a difference.
    expect(windows(rel, er(40, 2000, 200, 20_000), 2)).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('a comparison with stable needs 3 windows (2 so far)') });
    // Windows that disagree far beyond binomial noise widen the interval (quasi-binomial).
    const steady = { kind: 'error_rate' as const, errors: { canary: 30, stable: 200 }, requests: { canary: 2000, stable: 20_000 } };
    const wild = [0, 60, 5, 55, 0, 60].map((e) => ({ ...steady, errors: { canary: e, stable: 200 } }));
    const a = judgeWindows(rel, Array.from({ length: 6 }, () => steady), { minRequests: 50, alone: false, alpha: 0.01 });
    const b = judgeWindows(rel, wild, { minRequests: 50, alone: false, alpha: 0.01 });
    expect(b.evidence!.upper - b.evidence!.lower).toBeGreaterThan(1.5 * (a.evidence!.upper - a.evidence!.lower));
  });

  const stableH = hist(LE, [100, 300, 400, 150, 40, 10, 0]);
  const lat = (canary: ReturnType<typeof hist>, k = 5, stable = stableH) => windows(metric({ kind: 'latency' }), { kind: 'latency', buckets: { canary, stable } }, k);

  it('latency: a canary twice as slow rolls back, the same shape passes with the p95 ratio undetermined', () => {
    const twice = lat(hist(LE, [0, 20, 120, 400, 350, 100, 10]));
    expect(twice).toMatchObject({ verdict: 'fail' });
    expect(twice.reason).toMatch(/^canary slower over 5 windows \(5,000 \/ 5,000 requests\)/);
    const same = lat(hist(LE, [10, 30, 40, 15, 4, 1, 0]));
    expect(same.verdict).toBe('pass');
    expect(same.reason).toContain('p95 ratio undetermined (both p95 in (0.025 s, 0.05 s])');
    expect(lat(hist(LE, [1, 2, 3, 0, 0, 0, 0]), 1)).toMatchObject({ verdict: 'inconclusive' });
    expect(lat(hist(LE, [10, 30, 40, 15, 4, 1, 0]), 2)).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('needs 3 windows (2 so far)') });
    expect(histogramQuantile(stableH, 0.5)).toBeCloseTo(0.01 + 0.015 * ((500 - 400) / 400), 12);
  });

  it('latency: no critical verdict without a tail, and a stable p95 beyond the buckets is inconclusive', () => {
    // 19 canary requests beyond the edge: however slow, too few to roll back on.
    const few = lat(hist(LE, [10, 11, 0, 0, 0, 0, 19]), 1, hist(LE, [1000, 10, 0, 0, 0, 0, 0]));
    expect(few.verdict).not.toBe('fail');
    const beyond = lat(hist(LE, [0, 0, 0, 0, 0, 10, 90]), 5, hist(LE, [0, 0, 0, 0, 0, 10, 90]));
    expect(beyond).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('add buckets above it') });
    // A configured SLO edge must be a bucket edge.
    expect(windows(metric({ kind: 'latency', tail: { le: 0.3, factor: 2, plus: 0.01 } }), { kind: 'latency', buckets: { canary: stableH, stable: stableH } }, 5)).toMatchObject({ verdict: 'error', reason: expect.stringContaining('tail.le 0.3 is not one of the histogram') });
  });

  it('latency: a pass needs the canary shown healthy; windows too noisy to show the tail below 25% hold', () => {
    // Half the canary's windows all fast, half all slow: the tolerance test cannot show it beyond
    // (the windows disagree wildly), and it cannot show its tail below 25% either: never a pass.
    const fast = hist(LE, [60, 0, 0, 0, 0, 0, 0]);
    const slow = hist(LE, [0, 0, 0, 0, 0, 60, 0]);
    const stable = hist(LE, [950, 40, 10, 0, 0, 0, 0]);
    const noisy = judgeWindows(metric({ kind: 'latency' }), [fast, slow, fast, slow].map((canary) => ({ kind: 'latency' as const, buckets: { canary, stable } })), { minRequests: 50, alone: false, alpha: 0.01 });
    expect(noisy.verdict).toBe('inconclusive');
    expect(noisy.reason).toMatch(/not yet shown below 25% slower than 0\.005 s \(upper bound [\d.]+%\), which a pass needs/);
    expect(noisy.values.tail_ceiling_upper).toBeGreaterThan(0);
  });

  it('latency samples: one value per window (the windows do not overlap); few windows are inconclusive', () => {
    const m = metric({ kind: 'latency' });
    const stable = [10, 11, 10, 12, 11, 10, 13, 11, 10, 12, 11, 10];
    const jitter = (xs: number[], i: number) => xs.map((x) => x * (1 + 0.01 * ((i % 3) - 1)));
    const run = (f: number, k: number) => judgeWindows(m, Array.from({ length: k }, (_, i) => ({ kind: 'latency' as const, samples: { canary: jitter(stable, i).map((x) => x * f), stable } })), { minRequests: 50, alone: false, alpha: 0.01 });
    expect(run(2, 6)).toMatchObject({ verdict: 'fail', critical: true });
    expect(run(1, 6)).toMatchObject({ verdict: 'pass' });
    expect(run(2, 4)).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('at least 5 needed: each window counts once') });
    // Midranks by hand: groups of 1, 2, 3, 2 values → 1, 2.5, 5, 7.5; R1 = 1 + 2.5 + 2 × 7.5 = 18.5; U1 = 18.5 − 10.
    expect(mannWhitneyGrouped([1, 1, 0, 2], [0, 1, 3, 0], 'greater').statistic).toBe(8.5);
  });

  it('the false-rollback budget is shared by the stages and the tests; a confidence overrides it', () => {
    const cfg = parseConfig(JSON.stringify({ promotion: { metrics: [{ name: 'e', kind: 'error_rate', max_relative: { factor: 1.1 }, errors: { canary: 'a', stable: 'b' }, requests: { canary: 'a', stable: 'b' } }, { name: 'l', kind: 'latency', buckets: { canary: 'a', stable: 'b' } }] } }), 'x').promotion;
    expect(cfg.analysis.false_rollback_budget).toBe(0.05);
    // 4 stages × (2 error-rate tests + 2 latency tests).
    expect(testAlpha(cfg, cfg.metrics[0]!)).toBeCloseTo(0.05 / 16, 15);
    expect(testAlpha(cfg, { ...cfg.metrics[1]!, confidence: 0.99 })).toBeCloseTo(0.01, 15);
  });
});

describe('the promotion simulation (scripts/simulate/canary.ts), a small seeded version', () => {
  it('A/A at 5,000 req/min promotes, 1% → 2% errors and latency ×2 are stopped', async () => {
    const pick = (name: string) => SCENARIOS.find((s) => s.name.startsWith(name))!;
    const aa = await simulateCell(pick('A/A, window-to-window'), 5000, 6, 7);
    expect(aa.share).toBe(0);
    const errors = await simulateCell(pick('errors 1% → 2%'), 5000, 4, 7);
    expect(errors.share).toBe(1);
    const slow = await simulateCell(pick('latency ×2'), 5000, 4, 7);
    expect(slow.share).toBe(1);
  }, 120_000);
});

const m = (index: number, verdict: CanaryVerdict, critical = false): Measurement => ({
  index,
  at: '2026-11-22T00:00:00Z',
  verdict,
  metrics: [{ name: 'e', kind: 'error_rate', verdict, critical, values: {}, thresholds: '', reason: verdict }],
});
function run(verdicts: CanaryVerdict[], cfg: PromotionConfig, at: (i: number) => number, bakeEnd: number) {
  const ms: Measurement[] = [];
  let c = NO_COUNTS;
  for (const [i, v] of verdicts.entries()) {
    ms.push(m(i + 1, v));
    c = count(c, ms.at(-1)!);
    const action = decideStage(ms, c, cfg, at(i), bakeEnd);
    if (action.action === 'hold' && c.holding_since === null) c = { ...c, holding_since: at(i) };
    if (action.action !== 'continue' && action.action !== 'hold') return action;
  }
  return decideStage(ms, c, cfg, at(verdicts.length - 1), bakeEnd);
}

describe('the stage decision', () => {
  it('promotes after the bake with enough passes; rolls back past the failure limits', () => {
    expect(run(['pass', 'pass', 'pass'], base, (i) => i * 60_000, 120_000).action).toBe('promote');
    expect(run(['fail', 'fail', 'pass'], base, (i) => i * 60_000, 600_000)).toMatchObject({ action: 'rollback', reason: '2 measurements in a row failed (limit 1)' });
    expect(run(['fail', 'pass', 'fail', 'pass', 'fail'], base, (i) => i * 60_000, 6e6)).toMatchObject({ action: 'rollback', reason: '3 measurements failed (limit 2)' });
    expect(run(['error', 'error', 'error', 'error', 'error'], base, (i) => i * 60_000, 6e6)).toMatchObject({ action: 'rollback', reason: 'metrics could not be read 5 times in a row (limit 4)' });
  });

  it('min_success_rate counts the value checks only: a pooled test inconclusive in its first windows still promotes', () => {
    expect(run(['inconclusive', 'inconclusive', 'pass'], base, (i) => i * 60_000, 120_000)).toMatchObject({ action: 'promote', reason: 'e: pass' });
    const v = (index: number, value: CanaryVerdict): Measurement => ({ ...m(index, 'pass'), verdict: value === 'pass' ? 'pass' : value, metrics: [...m(index, 'pass').metrics, { name: 'v', kind: 'value', verdict: value, critical: false, values: {}, thresholds: '', reason: value }] });
    const ms = [v(1, 'fail'), v(2, 'fail'), v(3, 'pass')];
    const c = ms.reduce(count, NO_COUNTS);
    expect(decideStage(ms, { ...c, failures: 0, consecutive_failures: 0 }, base, 120_000, 120_000)).toMatchObject({ action: 'rollback', reason: 'only 1 of the last 3 measurements passed their value checks (at least 50% needed)' });
    expect(decideStage([...ms, v(4, 'pass')], { ...c, failures: 0, consecutive_failures: 0 }, base, 180_000, 120_000)).toMatchObject({ action: 'promote' });
  });

  it('a critical failure rolls back at the first measurement', () => {
    const ms = [m(1, 'fail', true)];
    expect(decideStage(ms, count(NO_COUNTS, ms[0]!), base, 0, 1e9)).toMatchObject({ action: 'rollback', reason: 'critical: e: fail' });
  });

  it('no data is never a pass: it holds, then rolls back at the hold deadline', () => {
    const cfg = { ...base, analysis: { ...base.analysis, hold_minutes: 5 } };
    const verdicts: CanaryVerdict[] = Array.from({ length: 12 }, () => 'inconclusive');
    // During the bake missing data waits for the pooled evidence; at its end it holds, then rolls back.
    expect(run(verdicts.slice(0, 3), cfg, (i) => i * 60_000, 600_000)).toMatchObject({ action: 'continue' });
    expect(run(verdicts.slice(0, 3), cfg, (i) => i * 60_000, 60_000)).toMatchObject({ action: 'hold', reason: 'holding for evidence (e: inconclusive)' });
    expect(run(verdicts, cfg, (i) => i * 60_000, 60_000)).toMatchObject({ action: 'rollback', reason: 'held 5 min without conclusive data (e: inconclusive)' });
    const now = { ...base, analysis: { ...base.analysis, on_inconclusive: 'rollback' as const } };
    expect(run(verdicts, now, (i) => i * 60_000, 600_000)).toMatchObject({ action: 'rollback', reason: 'no conclusive evidence at the end of the bake (e: inconclusive)' });
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
    expect(ok.stdout).toContain('PROMOTED 10% of v_1: errors: canary 1% vs stable 0.1% over 1 window (100 / 1,000 requests): within 5% (lower bound −11 pp, a rollback needs > 0)');
    expect(read(weight, 'utf8').trim()).toBe('10');
    writeFileSync(metrics, JSON.stringify({ canary: { errors: 30, requests: 100 }, stable: { errors: 1, requests: 1000 } }));
    const bad = await cli(['promote', '--stage', '100', '--version', 'v_1', '--config', cfg, '--out', dir, '--json']);
    expect(bad.code).toBe(1);
    // The 100% stage carries the 10% stage's windows; the canary broke only now, so the stage's own
    // test (at half its slot) decides, not the chain's, which the good 10% windows dilute.
    expect(bad.stderr).toContain('carrying the evidence of stage 10% (1 window)');
    const reason = 'critical: errors: canary 30% over 2 windows of stage 100% only (200 requests): the rate is above the rollback limit 10% by at least +4 pp (lower bound, 99.17% always-valid): roll back';
    expect(JSON.parse(bad.stdout)).toMatchObject({ outcome: 'rolled_back', reason, carried: [{ metric: 'errors', stages: ['10%'], windows: 1 }] });
    expect(read(weight, 'utf8').trim()).toBe('0');
    const status = await cli(['status', '--out', dir]);
    expect(status.stdout).toBe(`v_1 at 100%: rolled_back — ${reason}\n`);
    const wrong = await cli(['promote', '--stage', '42', '--version', 'v_1', '--config', cfg, '--out', dir]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('stage "42" is not in the plan: promotion.stages is 10, 100');
  });
});
