import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.ts';
import { judgeLatencyComparison, type LatencyComparison } from '../../src/checks/latency-ab.ts';
import { featureCheck } from '../../src/drift/checks.ts';
import { judgeFeature } from '../../src/drift/judge.ts';
import type { FeatureMeasures } from '../../src/drift/measure.ts';

const comparison = (ratio: number, low: number, high: number, p: number, base = 10): LatencyComparison =>
  ({
    batch_size: 1,
    samples: 200,
    candidate: { p50_ms: ratio * base, p95_ms: ratio * base },
    baseline: { p50_ms: base, p95_ms: base },
    p50_ratio: ratio,
    p95_ratio: ratio,
    p50_ratio_interval: { low, high },
    p95_ratio_interval: { low, high },
    mann_whitney: { p_value: p },
    distribution: { percentiles: [], candidate_ms: [], baseline_ms: [] },
  }) as unknown as LatencyComparison;

describe('comparison.latency.p95_ratio is judged on the interval of the ratio it shows', () => {
  it('an interval above 1 but not above the warning ratio passes, and says it is slower', () => {
    const [c] = judgeLatencyComparison(comparison(1.15, 1.05, 1.3, 0.978), defaultConfig());
    expect(c!.status).toBe('pass');
    expect(c!.message).toMatch(/^within limits: the p95 ratio ×1\.15, 95% CI ×1\.05–×1\.3 does not lie above ×1\.2 \(slower, but not beyond the warning ratio\);/);
  });

  it('a slowdown under comparison.latency.min_slowdown_ms (1 ms) never warns or blocks, whatever the ratio', () => {
    // A 0.05 ms model: ×3 is 0.1 ms slower, one scheduler hiccup; the limits rise to 1 + 1 / 0.05 = ×21.
    const [tiny] = judgeLatencyComparison(comparison(3, 2, 4, 1e-6, 0.05), defaultConfig());
    expect(tiny!.status).toBe('pass');
    expect(tiny!.threshold).toContain('limits raised by comparison.latency.min_slowdown_ms (1 ms)');
    // The message says why the limit reads ×21, not only the threshold field.
    expect(tiny!.message).toContain('the limits ×1.2 / ×1.5 are raised so that a slowdown under comparison.latency.min_slowdown_ms = 1 ms never counts');
    const strict = defaultConfig();
    strict.comparison.latency.min_slowdown_ms = 0;
    expect(judgeLatencyComparison(comparison(3, 2, 4, 1e-6, 0.05), strict)[0]).toMatchObject({ status: 'fail', severity: 'blocker' });
  });

  it('a tiny Mann–Whitney p does not gate: the interval decides', () => {
    const [c] = judgeLatencyComparison(comparison(1.1, 0.9, 1.15, 2.29e-50), defaultConfig());
    expect(c!.status).toBe('pass');
    expect(c!.message).not.toContain('Mann');
  });

  it('an interval containing the blocker ratio is inconclusive (DELAY), above it blocks, between the ratios warns', () => {
    const cfg = defaultConfig();
    const [inside] = judgeLatencyComparison(comparison(1.46, 1.1, 1.9, 1e-6), cfg);
    expect(inside).toMatchObject({ status: 'fail', severity: 'warning' });
    expect(inside!.message).toMatch(/^inconclusive: the p95 ratio ×1\.46, 95% CI ×1\.1–×1\.9 contains ×1\.5/);
    const [above] = judgeLatencyComparison(comparison(cfg.comparison.latency.blocker_ratio + 1, 2, 4, 1e-6), cfg);
    expect(above).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(above!.message).toMatch(/^the candidate is slower: the p95 ratio ×2\.5, 95% CI ×2–×4 lies above ×1\.5, which blocks;/);
    const [warned] = judgeLatencyComparison(comparison(1.3, 1.22, 1.45, 1), cfg);
    expect(warned).toMatchObject({ status: 'fail', severity: 'warning' });
    expect(warned!.message).toContain('lies above ×1.2 (below ×1.5), which warns');
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
