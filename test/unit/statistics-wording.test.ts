import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.ts';
import { judgeLatencyComparison, type LatencyComparison } from '../../src/checks/latency-ab.ts';
import { featureCheck } from '../../src/drift/checks.ts';
import { judgeFeature } from '../../src/drift/judge.ts';
import type { FeatureMeasures } from '../../src/drift/measure.ts';

const comparison = (ratio: number, low: number, high: number, p: number): LatencyComparison =>
  ({
    batch_size: 1,
    samples: 200,
    candidate: { p50_ms: ratio, p95_ms: ratio },
    baseline: { p50_ms: 1, p95_ms: 1 },
    p50_ratio: ratio,
    p95_ratio: ratio,
    p50_ratio_interval: { low, high },
    p95_ratio_interval: { low, high },
    mann_whitney: { p_value: p },
    distribution: { percentiles: [], candidate_ms: [], baseline_ms: [] },
  }) as unknown as LatencyComparison;

describe('comparison.latency.p95_ratio says which statistic decides', () => {
  it('an interval that excludes 1 with a non-significant Mann–Whitney: says both, and that it does not gate', () => {
    const [c] = judgeLatencyComparison(comparison(1.946, 1.163, 3.34, 0.978), defaultConfig());
    expect(c!.status).toBe('pass');
    expect(c!.message).toMatch(/^no significant slowdown: decided by the p95 ratio ×1\.946, not significant, so it does not gate: Mann–Whitney is not significant;/);
    expect(c!.message).toContain('95% CI ×1.163–×3.34 excludes 1 (slower)');
    expect(c!.message).toContain('Mann–Whitney p=0.978 ≥ α 0.05 (not significant)');
  });

  it('a tiny Mann–Whitney p with an interval that includes 1: the interval is why', () => {
    const [c] = judgeLatencyComparison(comparison(1.2, 0.9, 1.5, 2.29e-50), defaultConfig());
    expect(c!.status).toBe('pass');
    expect(c!.message).toContain('the CI does not lie above 1');
    expect(c!.message).toContain('includes 1');
    expect(c!.message).toContain('(significant)');
  });

  it('significant and over the limit: names the limit it crossed', () => {
    const cfg = defaultConfig();
    const [c] = judgeLatencyComparison(comparison(cfg.comparison.latency.blocker_ratio + 1, 2, 4, 1e-6), cfg);
    expect(c).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(c!.message).toMatch(/^the candidate is significantly slower: decided by the p95 ratio .*, which blocks;/);
  });
});

describe('drift messages', () => {
  const rules = defaultConfig().drift;
  const measures = (n: number, psi: number, p = 1e-9): FeatureMeasures => ({
    name: 'a', kind: 'numeric', n_reference: n, n_current: n, distinct: 50, missing: { reference: 0, current: 0 }, psi, ks_statistic: 0.5, ks_p_value: p, wasserstein: 0.42, wasserstein_normed: 0.42, jensen_shannon: 0.3, binned_p_value: p, bins: 10,
  });

  it('print PSI once when it decides', () => {
    const f = judgeFeature(measures(rules.large_sample_rows + 1, 0.31), rules);
    const c = featureCheck(f, { prefix: 'drift.feature', severity: 'info', psiGates: true, rules });
    expect(c.status).toBe('fail');
    expect(c.message.match(/PSI/g)).toHaveLength(1);
    expect(c.message).toMatch(/^a: PSI 0\.31 ≥ 0\.25, which blocks; drifted: /);
  });

  it('say a PSI over its level within sampling noise does not gate, with its noise level', () => {
    const f = judgeFeature(measures(40, 0.31, 0.2), rules);
    const c = featureCheck(f, { prefix: 'drift.feature', severity: 'info', psiGates: true, rules });
    expect(c.status).toBe('pass');
    expect(c.message).toBe('a: stable: KS p 0.2, Holm 0.2 > 0.05; PSI 0.31 (noise level 0.846, not beyond noise) (40 vs 40 values, n_eff 20)');
  });

  it('gate PSI on a small window once it is beyond noise', () => {
    const f = judgeFeature(measures(200, 0.31), rules);
    const c = featureCheck(f, { prefix: 'drift.feature', severity: 'info', psiGates: true, rules });
    expect(c).toMatchObject({ status: 'fail', severity: 'blocker' });
  });

  it('hold a distance above its threshold but within noise as stable', () => {
    const f = judgeFeature(measures(rules.large_sample_rows * 3, 0.01, 0.3), rules);
    expect(f).toMatchObject({ method: 'wasserstein', status: 'stable', psi_level: 'ok' });
    expect(f.message).toMatch(/^stable: normed Wasserstein 0\.42 ≥ 0\.1, but within sampling noise \(KS p 0\.3, Holm 0\.3 > 0\.05\)/);
  });
});
