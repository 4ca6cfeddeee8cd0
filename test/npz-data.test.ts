/**
 * Evaluation data as NumPy arrays (`np.savez`), the way vision, speech and array-trained tabular
 * teams hold it: the iris rows saved as X and species give the CSV's verdict and metrics; images
 * saved under the input's name feed a PyTorch CNN with dynamic height and width without any
 * `model.inputs` config; drift between two archives is measured per 1-D array.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';
import { validateConfig } from './support/validate-config.ts';


const validate = validateConfig;

const metricsOf = (r: Report) => (r as unknown as { metrics: { candidate: Record<string, unknown> } }).metrics.candidate;

describe('evaluation data in a NumPy archive', () => {
  it('iris saved as X [60, 4] and species: the same metrics and comparison as from the CSV', async () => {
    const iris = { model: { path: 'examples/iris/model.onnx' }, baseline: 'examples/iris/baseline.onnx' };
    const npz = await validate({ ...iris, data: { eval: 'test/fixtures/npz/iris.npz', label: 'species' } });
    const csv = await validate({ ...iris, data: { eval: 'examples/iris/eval.csv', label: 'species' } });
    expect(byId(npz.report, 'inputs.mapping').message).toMatch(/"float_input" float32\[N, 4\] <- arrays in column X/);
    expect(metricsOf(npz.report)).toEqual(metricsOf(csv.report));
    expect(byId(npz.report, 'comparison.accuracy').message).toBe(byId(csv.report, 'comparison.accuracy').message);
    expect(npz.report.decision).toBe('GO');
    expect(npz.code).toBe(0);
  });

  it('drift: a 1-D array is a feature, and so is each element of X [N, 4]', async () => {
    const iris = { model: { path: 'examples/iris/model.onnx' } };
    const ids = async (data: Record<string, string>) =>
      (await validate({ ...iris, data: { label: 'species', ...data } })).report.checks.filter((c) => c.id.startsWith('drift.feature.')).map((c) => [c.id, c.status]);
    expect(await ids({ eval: 'test/fixtures/npz/iris_columns.npz', reference: 'test/fixtures/npz/iris_columns.npz' })).toEqual(
      ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((n) => [`drift.feature.${n}`, 'pass']),
    );
    expect(await ids({ eval: 'test/fixtures/npz/iris.npz', reference: 'test/fixtures/npz/iris.npz' })).toEqual([0, 1, 2, 3].map((j) => [`drift.feature.X[${j}]`, 'pass']));
  });

  it('images saved under the input name feed a CNN with dynamic height and width, no model.inputs needed', async () => {
    const images = 'test/fixtures/npz/images.npz';
    const { code, report } = await validate({ model: { path: 'test/fixtures/models/torch/cnn.onnx' }, data: { eval: images, label: 'label', reference: images } });
    expect(byId(report, 'inputs.mapping').message).toMatch(/"image" float32\[N, 3, 32, 32\] <- arrays in column image \(12 rows/);
    // 3,072 values a row are no features to test one by one: not a DELAY for want of them.
    expect(byId(report, 'drift.dataset')).toMatchObject({ status: 'skip', severity: 'info' });
    expect(byId(report, 'drift.prediction.score').message).toMatch(/12 vs 12 values, fewer than 30 on a side/); // measured; 12 rows are too few to judge
    expect(byId(report, 'metrics.computed').status).toBe('pass');
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('a pickled object array is a clear data error naming the file, the array and the fix; no stack trace', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mg-npz-'));
    const file = join(out, 'gate.yml');
    writeFileSync(file, stringify({ version: 1, model: { path: 'examples/iris/model.onnx' }, data: { eval: 'test/fixtures/npz/object.npz', label: 'y' } }));
    const r = await cli(['validate', '--out', out, '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('object.npz: array "x": dtype |O is object (pickled Python objects), which model-gate does not read: save numbers as a numeric dtype and text as str (np.asarray(x, dtype=str))');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
