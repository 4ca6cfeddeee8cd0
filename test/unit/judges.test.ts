/** The pure judges, on hand-made data: what each check says for values a user can verify by eye. */
import { describe, expect, it } from 'vitest';
import { classify, judgeScenario } from '../../src/checks/error-scenarios.ts';
import { judgeLatency, summarize } from '../../src/checks/latency.ts';
import { judgeOutputs } from '../../src/checks/outputs.ts';
import type { Predictions } from '../../src/checks/predictions.ts';
import { defaultConfig, parseConfig } from '../../src/config/load.ts';
import { bindInputs, featureRows, feedsFor } from '../../src/data/features.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import type { ModelSignature } from '../../src/runners/types.ts';

const predictions = (outputs: Predictions['outputs'], rows: number): Predictions => ({ rows, outputs, batchSize: 1024 });

describe('judgeOutputs', () => {
  it('flags probabilities out of [0, 1] and rows that do not sum to 1, with the first bad row', () => {
    const p = predictions(
      [{ name: 'probabilities', dtype: 'float32', width: 2, chunks: [Float32Array.from([0.5, 0.5, 0.7, 0.2, 1.2, -0.2])] }],
      3,
    );
    const [, prob] = judgeOutputs(p, defaultConfig());
    expect(prob).toMatchObject({ id: 'outputs.probabilities.probabilities', status: 'fail' });
    expect(prob!.message).toBe('"probabilities": 2 values outside [0, 1] (first in row 3); 1 rows not summing to 1 ± 0.0001 (first: row 2)');
  });

  it('a single probability per row is not required to sum to 1', () => {
    const p = predictions([{ name: 'prob', dtype: 'float32', width: 1, chunks: [Float32Array.from([0.1, 0.9, 0.4])] }], 3);
    expect(judgeOutputs(p, defaultConfig())[1]).toMatchObject({ status: 'pass' });
  });

  it('checks configured ranges and declared classes, 64-bit labels included', () => {
    const config = parseConfig('model:\n  outputs:\n    score: { range: [0, 10] }\n    label: { classes: [0, 1] }\n', 'gate.yml');
    const p = predictions(
      [
        { name: 'score', dtype: 'float32', width: 1, chunks: [Float32Array.from([1, 11, 3])] },
        { name: 'label', dtype: 'int64', width: 1, chunks: [BigInt64Array.from([0n, 1n, 2n])] },
      ],
      3,
    );
    const byId = Object.fromEntries(judgeOutputs(p, config).map((c) => [c.id, c]));
    expect(byId['outputs.finite']!.status).toBe('pass');
    expect(byId['outputs.range.score']!.message).toBe('"score": 1 values outside [0, 10] (first in row 2)');
    expect(byId['outputs.labels.label']!.message).toBe('"label": 1 labels outside {0, 1} (first in row 3: 2)');
  });

  it('reads outputs batch after batch: row numbers run on across batches', () => {
    const p = predictions([{ name: 'y', dtype: 'float32', width: 2, chunks: [Float32Array.from([1, 2]), Float32Array.from([3, NaN])] }], 2);
    expect(judgeOutputs(p, defaultConfig())[0]!.message).toBe('"y": 1 NaN/Inf values (first in row 2)');
  });

  it('counts NaN and Inf in every output', () => {
    const p = predictions([{ name: 'y', dtype: 'float64', width: 2, chunks: [Float64Array.from([1, NaN, 2, Infinity])] }], 2);
    expect(judgeOutputs(p, defaultConfig())[0]).toMatchObject({ status: 'fail', value: 2, message: '"y": 2 NaN/Inf values (first in row 1)' });
  });
});

describe('error scenarios', () => {
  it('classifies what came back', () => {
    expect(classify({ y: { dtype: 'float32', dims: [0, 3], data: new Float32Array(0) } }).outcome).toBe('empty');
    expect(classify({ y: { dtype: 'float32', dims: [1, 2], data: Float32Array.from([1, NaN]) } }).outcome).toBe('non_finite');
    expect(classify({ y: { dtype: 'int64', dims: [1], data: BigInt64Array.from([3n]) } }).outcome).toBe('finite');
  });

  it('judges an outcome against the accepted ones, at the configured severity', () => {
    const cfg = { enabled: true, expect: ['rejected' as const], severity: 'blocker' as const };
    const c = judgeScenario({ scenario: 'wrong_feature_count', request: '"x" with 3 features per row instead of 4', outcome: 'finite', detail: 'returned finite values' }, cfg);
    expect(c).toMatchObject({ id: 'errors.wrong_feature_count', status: 'fail', severity: 'blocker', value: 'finite' });
    expect(c.message).toContain('expected rejected it');
  });
});

describe('judgeLatency', () => {
  it('applies every configured limit of the batch size and names the broken ones', () => {
    const config = parseConfig('checks:\n  latency:\n    limits:\n      "8": { p50_ms: 5, p99_ms: 8, min_rows_per_s: 2000 }\n', 'gate.yml');
    const stats = summarize(8, Array.from({ length: 100 }, (_, i) => i / 10)); // 0 .. 9.9 ms
    const c = judgeLatency(stats, config);
    expect(c.threshold).toBe('p50 <= 5 ms, p99 <= 8 ms, >= 2000 rows/s (percentiles judged on their interval)');
    expect(c.status).toBe('fail');
    // p50 4.95 ms: its interval contains 5 ms, so only the p99 (interval above 8 ms) and rows/s fail.
    expect(c.message).toMatch(/^batch 8: p99 9\.801 ms \(95% CI 9\.6–∞ ms lies above 8 ms\), 1616 rows\/s < 2000 \(/);
  });

  it('a batch size without limits is reported for information', () => {
    expect(judgeLatency(summarize(32, [1, 2, 3]), defaultConfig())).toMatchObject({ severity: 'info', status: 'pass' });
  });
});

describe('mapping columns to inputs', () => {
  const dataset: Dataset = {
    path: 'data.csv',
    format: 'csv',
    malformed: [],
    malformedFirst: [],
    notes: [],
    rows: 2,
    columns: [
      { name: 'a', kind: 'numeric', values: Float64Array.from([1, 2]), text: null, missing: 0, invalid: [] },
      { name: 'b', kind: 'numeric', values: Float64Array.from([3, 4]), text: null, missing: 0, invalid: [] },
      { name: 'city', kind: 'text', values: null, text: ['x', 'y'], missing: 0, invalid: [] },
      { name: 'y', kind: 'numeric', values: Float64Array.from([0, 1]), text: null, missing: 0, invalid: [] },
    ],
  };
  const one: ModelSignature = { inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 2] }], outputs: [] };
  const two: ModelSignature = {
    inputs: [
      { name: 'a', dtype: 'float32', shape: ['N', 1] },
      { name: 'extra', dtype: 'int64', shape: ['N', 2] },
    ],
    outputs: [],
  };

  it('defaults to every non-label numeric column, in file order', () => {
    const [b] = bindInputs(one, dataset, undefined, new Set(['y']));
    expect(b).toEqual({
      name: 'x',
      dtype: 'float32',
      rowShape: [2],
      batchAxis: 0,
      declared: ['N', 2],
      source: { kind: 'columns', columns: ['a', 'b'] },
      columns: ['a', 'b'],
    });
  });

  it('maps columns per input from the config, converting to the input type', () => {
    const bindings = bindInputs(two, dataset, { extra: { columns: ['b', 'y'] } }, new Set(['y']));
    expect(bindings.map((b) => b.columns)).toEqual([['a'], ['b', 'y']]);
    const rows = featureRows(bindings, 2, [Float64Array.from([1, 2]), Float64Array.from([3, 0, 4, 1])], 'data.csv');
    const feeds = feedsFor(rows, 1, 2); // wraps around to row 0
    expect(Array.from(feeds.a!.data as Float32Array)).toEqual([2, 1]);
    expect(Array.from(feeds.extra!.data as BigInt64Array)).toEqual([4n, 1n, 3n, 0n]);
    expect(feeds.extra!.dims).toEqual([2, 2]);
  });

  it('says what to configure when it cannot tell', () => {
    expect(() => bindInputs(two, dataset, undefined, new Set(['y']))).toThrow(
      'cannot tell which columns feed input "extra" of a model with 2 inputs; set model.inputs.extra.columns in the config',
    );
    expect(() => bindInputs(one, dataset, { x: { columns: ['a', 'city'] } }, new Set())).toThrow('column "city" in data.csv is not numeric');
    expect(() => bindInputs(one, dataset, { z: { columns: ['a'] } }, new Set())).toThrow('model.inputs names "z"');
  });
});
