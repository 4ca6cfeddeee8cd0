/**
 * The data behind the report's pictures and the pictures' own promises: histograms on shared bins,
 * the reliability diagram that ECE is computed from, a PSI limit line only where PSI gates, names
 * escaped, many classes bounded.
 */
import { describe, expect, it } from 'vitest';
import { ece, reliability } from '../../src/stats/classification.ts';
import { sharedHistogram } from '../../src/stats/histogram.ts';
import { uniformSource } from '../../src/stats/random.ts';
import { psiChart } from '../../src/report/svg/psi.ts';
import { confusionChart, MAX_CLASSES } from '../../src/report/svg/confusion.ts';
import { distributionChart } from '../../src/report/svg/distribution.ts';
import { driftChart } from '../../src/report/mermaid.ts';
import type { DriftSection } from '../../src/drift/run.ts';
import type { FeatureDrift } from '../../src/drift/judge.ts';

const sorted = (xs: number[]) => Float64Array.from(xs).sort();

describe('sharedHistogram', () => {
  it('counts both sides on the same ascending edges, every value once, outliers in the end bins', () => {
    const a = sorted([...Array.from({ length: 999 }, (_, i) => i / 100), 1e9]);
    const b = sorted(Array.from({ length: 500 }, (_, i) => 3 + i / 100));
    const h = sharedHistogram(a, b)!;
    expect(h.edges).toHaveLength(21);
    for (let i = 1; i < h.edges.length; i++) expect(h.edges[i]!).toBeGreaterThan(h.edges[i - 1]!);
    expect(h.reference.reduce((s, v) => s + v, 0)).toBe(1000);
    expect(h.current.reduce((s, v) => s + v, 0)).toBe(500);
    // The 1e9 does not stretch the axis: it is counted in the last bin and said so.
    expect(h.edges.at(-1)!).toBeLessThan(10);
    expect(h.clipped[0]).toBeGreaterThanOrEqual(1);
  });

  it('one value on both sides: one bin, no division by zero', () => {
    const h = sharedHistogram(sorted([2, 2, 2]), sorted([2, 2]))!;
    expect(h.reference).toEqual([3]);
    expect(h.current).toEqual([2]);
  });
});

describe('reliability', () => {
  it('is the diagram ECE is computed from: the row-weighted gap to the diagonal equals ece()', () => {
    const rand = uniformSource(7);
    const n = 500;
    const k = 3;
    const proba = new Float64Array(n * k);
    const y = new Int32Array(n);
    const pred = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const raw = [rand(), rand(), rand() * 2];
      const s = raw.reduce((x, v) => x + v, 0);
      raw.forEach((v, c) => (proba[i * k + c] = v / s));
      y[i] = rand() < 0.6 ? 2 : Math.floor(rand() * 3);
      pred[i] = raw.indexOf(Math.max(...raw));
    }
    const d = { k, y, pred, proba };
    const w = Float64Array.from({ length: n }, () => 0.5 + rand());
    const bins = reliability(d, w, 10)!;
    const total = bins.reduce((s, b) => s + b.weight, 0);
    const gap = bins.reduce((s, b) => s + (b.weight / total) * Math.abs(b.accuracy - b.confidence), 0);
    expect(gap).toBeCloseTo(ece(d, w, 10), 12);
    for (const b of bins) expect(b.confidence).toBeLessThanOrEqual(b.upper + 1e-12);
  });

  it('is absent without probabilities or with a NaN among them', () => {
    const d = { k: 2, y: Int32Array.from([0, 1]), pred: Int32Array.from([0, 1]), proba: null };
    expect(reliability(d, null)).toBeNull();
    expect(reliability({ ...d, proba: Float64Array.from([0.5, 0.5, Number.NaN, 1]) }, null)).toBeNull();
  });
});

const feature = (name: string, psi: number, psi_level: FeatureDrift['psi_level']): FeatureDrift =>
  ({ name, kind: 'numeric', status: 'stable', method: 'ks', value: 0.5, threshold: 0.05, drifted: false, psi, psi_level, message: '' }) as FeatureDrift;

const section = (features: FeatureDrift[]): DriftSection =>
  ({
    reference: { path: 'ref.csv', rows: 90 },
    current: { path: 'cur.csv', rows: 60 },
    rules: { min_rows: 30, large_sample_rows: 1000, p_value: 0.05, distance: 0.1, psi: { bins: 10, floor: 1e-4, warning: 0.1, blocker: 0.25 }, dataset_share: 0.5 },
    features,
    judged_features: features.length,
    drifted_features: 0,
    drifted_share: 0,
    dataset_drift: false,
    label: null,
  }) as DriftSection;

describe('the PSI chart draws a limit only where PSI gates', () => {
  it('PSI judged for none of the features: no line, and the caption says why', () => {
    const html = psiChart(section([feature('a', 0.4, null), feature('b', 0.3, null)]));
    expect(html).not.toContain('psi-limit');
    expect(html).toContain('No limit line: PSI is judged for none of these features');
    const md = driftChart(section([{ ...feature('a', 0.4, null), status: 'drifted' }])).join('\n');
    expect(md).not.toMatch(/^ {2}line/m);
    expect(md).toContain('no limit line');
  });

  it('a PSI past a line but within its sampling noise is pale, with its noise tick, and the caption counts it', () => {
    const within = { ...feature('a', 0.45, 'ok'), psi_noise: 0.47 };
    const beyond = { ...feature('b', 0.3, 'blocker'), psi_noise: 0.05 };
    const html = psiChart(section([within, beyond]));
    expect(html.match(/class="psi-limit"/g)).toHaveLength(2);
    expect(html.match(/class="psi-noise"/g)).toHaveLength(2);
    expect(html).toContain('1 pale bar passes a line but is within noise, so it does not gate.');
    expect(html).toMatch(/<rect class="psi-bar"[^>]*fill="#0969da" fill-opacity="0.35"><title>a: PSI 0.45, within sampling noise/);
    expect(html).toMatch(/<rect class="psi-bar"[^>]*fill="#cf222e"><title>b: PSI 0.3, blocker, beyond sampling noise/);
  });

  it('large samples: the warning and blocking lines', () => {
    const html = psiChart(section([feature('a', 0.4, 'blocker'), feature('b', 0.05, 'ok')]));
    expect(html.match(/class="psi-limit"/g)).toHaveLength(2);
    expect(html).toContain('blocks at 0.25');
    const md = driftChart(section([{ ...feature('a', 0.4, 'blocker'), status: 'drifted' }])).join('\n');
    expect(md).toMatch(/^ {2}line \[0\.25\]$/m);
  });
});

describe('charts of untrusted names', () => {
  it('escape feature and class names', () => {
    const f = { ...feature('<script>alert(1)</script>', 0.2, null), categories: [{ value: '<b>x</b>', reference: 3, current: 5 }] };
    const html = distributionChart(f) + psiChart(section([f]));
    expect(html).not.toMatch(/<script|<b>/);
    expect(html).toContain('&lt;script&gt;');
    const cm = confusionChart(['<i>a</i>', 'b'], [[1, 0], [0, 1]], null);
    expect(cm).not.toContain('<i>');
  });

  it('bound a confusion matrix of many classes to the largest ones, and say how many are left out', () => {
    const k = 30;
    const m = Array.from({ length: k }, (_, t) => Array.from({ length: k }, (_, p) => (t === p ? t + 1 : 0)));
    const html = confusionChart(Array.from({ length: k }, (_, i) => `c${i}`), m, null);
    expect(html.match(/class="cm-cell"/g)).toHaveLength(MAX_CLASSES * MAX_CLASSES);
    expect(html).toContain(`${k - MAX_CLASSES} more are in report.json`);
    expect(html).toContain('data-t="29"');
    expect(html).not.toContain('data-t="0"');
  });
});

describe('the job summary', () => {
  it('shows the confusion matrices as tables: candidate, the baseline folded, bounded like the chart', async () => {
    const { confusionTables } = await import('../../src/report/markdown.ts');
    const { reportOf } = await import('../support/report.ts');
    const metrics = {
      task: 'multiclass',
      rows: 6,
      candidate: { accuracy: 0.5, classes: ['a', 'b|c'], confusion_matrix: [[2, 1], [2, 1]] },
      baseline: { accuracy: 0.5, classes: ['a', 'b|c'], confusion_matrix: [[3, 0], [0, 3]] },
    };
    const md = confusionTables(reportOf([], { metrics })).join('\n');
    expect(md).toContain('| `a` | **2** (66.7%) | 1 (33.3%) |');
    expect(md).toContain('<summary>The baseline\'s confusion matrix</summary>');
    // A pipe in a class name does not break the table.
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) expect(line.split(/(?<!\\)\|/).length).toBe(5);
    expect(confusionTables(reportOf([], { metrics: { task: 'regression', rows: 1, candidate: { rmse: 1 }, baseline: null } }))).toEqual([]);
  });
});

describe('the reliability chart', () => {
  it('says whether ECE gates, from the metrics.ece check', async () => {
    const { reliabilityChart } = await import('../../src/report/svg/reliability.ts');
    const bins = [{ upper: 1, weight: 10, confidence: 0.9, accuracy: 0.8 }];
    expect(reliabilityChart(bins, null, { candidate: 0.1, baseline: null }, null)).toContain('ECE does not gate here: no limit on metrics.ece is configured');
    expect(reliabilityChart(bins, null, { candidate: 0.1, baseline: null }, { limit: '<= 0.05', status: 'fail' })).toContain('ECE gates here: limit &lt;= 0.05, fail.');
  });
});
