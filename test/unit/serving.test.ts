/** The pure parts of serving: tensors as JSON, the protocols' requests and answers, the SLO verdict. */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.ts';
import type { LoadRun } from '../../src/runners/load/generate.ts';
import { healthOf, judgeLoadTest } from '../../src/load/judge.ts';
import { pointer, protocolFor, type EndpointConfig } from '../../src/runners/http/protocols.ts';
import { dataText, parseJson, rowsText, tensorFromValues } from '../../src/runners/tensor-json.ts';
import type { Tensor } from '../../src/runners/types.ts';
import { expandHeaders } from '../../src/validate.ts';

const t: Tensor = { dtype: 'float32', dims: [2, 2], data: Float32Array.from([1.5, Number.NaN, Number.POSITIVE_INFINITY, -2]) };
const endpoint = (over: Partial<EndpointConfig>): EndpointConfig => ({
  url: 'http://x',
  protocol: 'v2',
  name: 'm',
  headers: {},
  timeout_ms: 1000,
  ready_timeout_s: 1,
  tfserving_format: 'instances',
  signature_name: 'serving_default',
  mlflow_format: 'dataframe_split',
  ...over,
});

describe('tensors as JSON', () => {
  it('write NaN and Infinity as Python does, and read them back', () => {
    expect(dataText(t.data)).toBe('[1.5,NaN,Infinity,-2]');
    expect(rowsText(t)).toBe('[[1.5,NaN],[Infinity,-2]]');
    expect(parseJson('{"a":[NaN,-Infinity,"NaN in a string"]}')).toEqual({ a: [null, Number.NEGATIVE_INFINITY, 'NaN in a string'] });
    const back = tensorFromValues('x', parseJson('[[1.5,NaN],[Infinity,-2]]'), null, null);
    expect(back.dims).toEqual([2, 2]);
    expect(Array.from(back.data as Float64Array)).toEqual([1.5, Number.NaN, Number.POSITIVE_INFINITY, -2]);
    expect(() => tensorFromValues('x', [1, 2, 3], [2, 2], null)).toThrow('output "x": shape [2, 2] does not hold 3 values');
  });
});

describe('the protocols', () => {
  it('V2: typed tensors to the versioned path; the signature from metadata, -1 as the batch', () => {
    const p = protocolFor(endpoint({ version: '3' }));
    expect(p.readyPaths).toEqual(['/v2/health/ready', '/v2/models/m/versions/3/ready']);
    expect(p.encode({ x: t }, null)).toEqual({ path: '/v2/models/m/versions/3/infer', body: '{"inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[1.5,NaN,Infinity,-2]}]}' });
    expect(p.signatureOf({ name: 'm', platform: 'p', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'y', datatype: 'INT64', shape: [-1] }] })).toEqual({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 4] }],
      outputs: [{ name: 'y', dtype: 'int64', shape: ['N'] }],
    });
    const out = p.decode({ model_name: 'm', outputs: [{ name: 'y', datatype: 'INT64', shape: [2], data: [0, 2] }] }, null);
    expect(out.y!.dtype).toBe('int64');
  });

  it('TF Serving: rows, or columns by name; answers read as the metadata declares', () => {
    const rows = protocolFor(endpoint({ protocol: 'tfserving' }));
    expect(rows.encode({ x: t }, null)).toEqual({ path: '/v1/models/m:predict', body: '{"instances":[[1.5,NaN],[Infinity,-2]]}' });
    const cols = protocolFor(endpoint({ protocol: 'tfserving', tfserving_format: 'inputs' }));
    expect(cols.encode({ x: t }, null).body).toBe('{"inputs":{"x":[[1.5,NaN],[Infinity,-2]]}}');
    const sig = { inputs: [], outputs: [{ name: 'probs', dtype: 'float32' as const, shape: [] }, { name: 'label', dtype: 'int64' as const, shape: [] }] };
    const out = rows.decode({ predictions: [{ probs: [0.1, 0.9], label: 1 }, { probs: [0.8, 0.2], label: 0 }] }, sig);
    expect(out.probs).toMatchObject({ dtype: 'float32', dims: [2, 2] });
    expect(out.label).toMatchObject({ dtype: 'int64', dims: [2] });
  });

  it('MLflow: dataframe_split with the column names; custom: a template and JSON Pointers', () => {
    const ml = protocolFor(endpoint({ protocol: 'mlflow' }));
    expect(ml.encode({ input: t }, ['a', 'b']).body).toBe('{"dataframe_split":{"columns":["a","b"],"data":[[1.5,NaN],[Infinity,-2]]}}');
    expect(ml.decode({ predictions: [1, 0] }, null).predictions!.dims).toEqual([2]);
    const custom = protocolFor(endpoint({ protocol: 'custom', custom: { path: '/score', template: '{"rows": ${rows}, "k": 1}', outputs: { p: '/result/0/p~1q' } } }));
    expect(custom.encode({ input: t }, null)).toEqual({ path: '/score', body: '{"rows": [[1.5,NaN],[Infinity,-2]], "k": 1}' });
    expect(pointer({ result: [{ 'p/q': [1, 2] }] }, '/result/0/p~1q')).toEqual([1, 2]);
    expect(custom.decode({ result: [{ 'p/q': [[0.3, 0.7]] }] }, null).p!.dims).toEqual([1, 2]);
  });
});

describe('headers from the environment', () => {
  it('expands ${NAME}, reports every value as a secret, refuses an unset name', () => {
    const secrets: string[] = [];
    expect(expandHeaders({ Authorization: 'Bearer ${TOKEN}', 'X-Team': 'ml' }, { TOKEN: 'abc' }, (v) => secrets.push(v))).toEqual({ Authorization: 'Bearer abc', 'X-Team': 'ml' });
    expect(secrets).toEqual(['abc', 'Bearer abc']);
    expect(() => expandHeaders({ A: '${NOPE}' }, {}, () => undefined)).toThrow('header "A" reads ${NOPE}, which is not set in the environment');
  });
});

describe('the SLO verdict', () => {
  const run = (over: Partial<LoadRun>): LoadRun => ({
    mode: 'closed', concurrency: 8, rate: null, duration_s: 10, requests: 10_000, ok: 10_000, errors: 0, timeouts: 0, dropped: 0, error_rate: 0,
    achieved_rps: 1000, p50_ms: 5, p95_ms: 20, p99_ms: 40, max_ms: 90, mean_ms: 6, status_counts: { 200: 10_000 }, since_last_ok_s: 0, ...over,
  });
  const cfg = defaultConfig().load;

  it('passes at the defaults, fails each item past its limit, and says which run', () => {
    const good = [run({ concurrency: 1, achieved_rps: 400 }), run({ achieved_rps: 1200 })];
    const report = { batch_size: 1, runs: good, ...(({ health, reason }) => ({ health, health_reason: reason }))(healthOf(good, cfg)) };
    expect(judgeLoadTest(report, cfg).map((c) => [c.id, c.status])).toEqual([
      ['load.latency', 'pass'],
      ['load.errors', 'pass'],
      ['load.throughput', 'pass'],
      ['load.health', 'pass'],
    ]);
    const bad = [run({ p95_ms: 150, error_rate: 0.01, errors: 100, status_counts: { 200: 9900, 503: 100 }, achieved_rps: 800 })];
    const verdict = judgeLoadTest({ batch_size: 1, runs: bad, health: 'unhealthy', health_reason: 'x' }, cfg);
    expect(verdict.find((c) => c.id === 'load.latency')).toMatchObject({ status: 'fail', severity: 'blocker', message: expect.stringContaining('concurrency 8: p50 5 ms, p95 150 ms') });
    expect(verdict.find((c) => c.id === 'load.errors')).toMatchObject({ status: 'fail', message: expect.stringContaining('503: 100') });
    expect(verdict.find((c) => c.id === 'load.throughput')).toMatchObject({ status: 'fail', severity: 'warning' });
    expect(healthOf(bad, cfg).health).toBe('unhealthy');
  });

  it('calls the endpoint unknown without a recent success; an open loop below the target does not judge throughput', () => {
    expect(healthOf([run({ requests: 0, ok: 0, error_rate: 0, since_last_ok_s: null })], cfg).health).toBe('unknown');
    const slow = [run({ mode: 'open', concurrency: null, rate: 50, achieved_rps: 50 })];
    expect(judgeLoadTest({ batch_size: 1, runs: slow, health: 'healthy', health_reason: '' }, cfg).find((c) => c.id === 'load.throughput')).toMatchObject({ status: 'skip' });
  });
});
