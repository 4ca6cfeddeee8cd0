/**
 * Python models without ONNX, and any runner as the baseline, end to end with real processes:
 * pickles, an XGBoost model and a TorchScript module through examples/serving/python_adapter.py,
 * an endpoint (examples/serving/onnx-server.mjs) against an ONNX file and back, and the README's
 * inline adapters run as written. Metrics are compared with the libraries' own (sklearn.metrics
 * on the frameworks' predictions, computed by scripts/models/make_python_models.py at setup).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/json.ts';
import { byId, cli } from '../support/cli.ts';
import { PYTHON, skipWithout } from '../support/tools.ts';
// @ts-expect-error: the example server is plain JavaScript
import { startServer } from '../../examples/serving/onnx-server.mjs';

const ADAPTER = 'examples/serving/python_adapter.py';
const dir = mkdtempSync(join(tmpdir(), 'mg-python-models-'));
const at = (name: string) => join(dir, name);
const adapter = (file: string, extra = '') => `${PYTHON} ${ADAPTER} ${at(file)}${extra}`;
const has = (tool: 'python' | 'xgboost' | 'torch') => {
  try {
    return !skipWithout(tool);
  } catch {
    return false; // the test that needs it fails by itself (skipWithout throws there)
  }
};

type Expected = Record<string, Record<string, number>>;
let expected: Expected = {};

beforeAll(() => {
  if (!has('python')) return;
  const kinds = ['sklearn', ...(has('xgboost') ? ['xgboost'] : []), ...(has('torch') ? ['torch'] : [])];
  execFileSync(PYTHON, ['scripts/models/make_python_models.py', dir, ...kinds], { timeout: 240_000 });
  expected = JSON.parse(readFileSync(at('expected.json'), 'utf8')) as Expected;
}, 240_000);

async function validate(args: string[]) {
  const r = await cli(['validate', '--out', mkdtempSync(join(tmpdir(), 'mg-py-out-')), '--json', ...args]);
  return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as Report) : null };
}

function config(name: string, yaml: string): string {
  writeFileSync(at(name), yaml);
  return at(name);
}

/** The report's metric values equal the library's, to rounding. */
function expectMetrics(values: Record<string, unknown> | null | undefined, want: Record<string, number>, names: string[]) {
  expect(values, 'metrics').toBeTruthy();
  for (const name of names) expect(values![name] as number, name).toBeCloseTo(want[name]!, 10);
}

/** Latency limits are this machine's business (2 shared cores): the tests here judge everything else. */
const NO_LATENCY_LIMITS = 'checks:\n  latency:\n    limits: {}\n';

const failing = (report: Report) => report.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => `${c.id}: ${c.message}`);

describe('a pickle candidate against a pickle baseline (both commands)', () => {
  it.skipIf(skipWithout('python'))('compares them on the same rows: GO, metrics equal scikit-learn\'s, McNemar, interleaved latency, the baseline versioned by what it reports', async () => {
    const cfg = config(
      'pickles.yml',
      `model:\n  command: { run: "${adapter('candidate.pkl')}" }\nbaseline:\n  command: { run: "${adapter('stump.joblib')}" }\ndata:\n  eval: ${at('eval_named.csv')}\n  label: species\nmetrics:\n  thresholds:\n    accuracy: { min: 0.9, max_regression: 0.02 }\ncomparison:\n  latency: { warning_ratio: 1000, blocker_ratio: 1000 }\n${NO_LATENCY_LIMITS}`,
    );
    const r = await validate(['--config', cfg]);
    expect(r.code, `${r.stderr}\n${failing(r.report!).join('\n')}`).toBe(0);
    const report = r.report!;
    expect(report.decision).toBe('GO');
    expectMetrics(report.metrics!.candidate as unknown as Record<string, number>, expected.candidate!, ['accuracy', 'f1_macro', 'log_loss']);
    expectMetrics(report.metrics!.baseline as unknown as Record<string, number>, expected.stump!, ['accuracy', 'f1_macro', 'log_loss']);
    expect(report.metrics!.candidate.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(byId(report, 'metrics.classes').status).toBe('pass');
    expect(byId(report, 'comparison.accuracy.max_regression').message).toMatch(/accuracy 0\.9333 vs 0\.6667\b.*McNemar p=/);
    const latency = byId(report, 'comparison.latency.p95_ratio');
    expect(latency.status).toBe('pass');
    expect(latency.message).not.toContain('runs as');
    expect(report.version.baseline?.path).toBe(`command: ${adapter('stump.joblib')}`);
    expect(report.version.baseline?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.skipIf(skipWithout('python'))('the same from flags (--command, --baseline-command)', async () => {
    const r = await validate(['--command', adapter('candidate.pkl'), '--baseline-command', adapter('stump.joblib'), '--data', at('eval_named.csv'), '--label', 'species']);
    expect(r.report, r.stderr).toBeTruthy();
    expect(failing(r.report!).filter((f) => !f.startsWith('latency.')), 'failing checks').toEqual([]); // latency limits are the machine's
    expect(byId(r.report!, 'comparison.agreement').status).toBe('pass');
    expectMetrics(r.report!.metrics!.baseline as unknown as Record<string, number>, expected.stump!, ['accuracy', 'f1_macro', 'log_loss']);
  });

  it.skipIf(skipWithout('python'))('--baseline stump.pkl says how to run it, instead of "Protobuf parsing failed"; so does --model xgb.json', async () => {
    writeFileSync(at('stump.pkl'), readFileSync(at('stump.joblib')));
    const r = await validate(['--model', 'examples/iris/model.onnx', '--baseline', at('stump.pkl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/Protobuf|\n\s+at /);
    expect(r.stderr).toContain(`stump.pkl: the baseline is not an ONNX model`);
    expect(r.stderr).toContain(`--baseline-command 'python3 examples/serving/python_adapter.py ${at('stump.pkl')}'`);
    writeFileSync(at('model.json'), '{"learner": {"gradient_booster": {}}, "version": [1, 7, 4]}');
    const m = await validate(['--model', at('model.json')]);
    expect(m.code).toBe(1);
    expect(byId(m.report!, 'smoke.load').message).toContain(`it looks like an XGBoost model; run it through the Python adapter model-gate ships: --command 'python3 examples/serving/python_adapter.py ${at('model.json')}'`);
  });

  it.skipIf(skipWithout('python'))('metrics.classes in the wrong order contradicts the model\'s own labels: a blocker says so', async () => {
    const cfg = config(
      'wrong-order.yml',
      `model:\n  command: { run: "${adapter('candidate.pkl')}" }\ndata:\n  eval: ${at('eval_named.csv')}\n  label: species\nmetrics:\n  classes: [virginica, setosa, versicolor]\n`,
    );
    const r = await validate(['--config', cfg]);
    expect(r.code).toBe(1);
    const check = byId(r.report!, 'metrics.classes');
    expect(check).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(check.message).toContain("the classes [virginica, setosa, versicolor] (metrics.classes) contradict the model's own label output \"label\"");
    expect(check.message).toContain('the labels say the probability columns are [setosa, versicolor, virginica]');
  });

  it.skipIf(skipWithout('python'))('a regressor: rmse, mae and r2 equal scikit-learn\'s', async () => {
    const r = await validate(['--command', adapter('regressor.pkl'), '--data', at('eval_reg.csv'), '--label', 'petal_width']);
    expect(r.report, r.stderr).toBeTruthy();
    expect(r.report!.metrics!.task).toBe('regression');
    expectMetrics(r.report!.metrics!.candidate as unknown as Record<string, number>, expected.regressor!, ['rmse', 'mae', 'r2']);
  });
});

describe('an endpoint against an ONNX file, and an ONNX file against an endpoint', () => {
  let candidate: { url: string; close(): Promise<void> };
  let baseline: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    candidate = await startServer({ model: 'examples/iris/model.onnx', name: 'iris' });
    baseline = await startServer({ model: 'examples/iris/baseline.onnx', name: 'iris_base' });
  });
  afterAll(async () => {
    await candidate?.close();
    await baseline?.close();
  });

  it('every pair gives the comparison of the two ONNX files', async () => {
    const files = await validate(['--config', 'examples/iris/model-gate.yml']);
    const served = await validate(['--config', 'examples/iris/model-gate.yml', '--endpoint', candidate.url, '--model-name', 'iris']);
    const servedBaseline = await validate(['--config', 'examples/iris/model-gate.yml', '--baseline-endpoint', baseline.url, '--baseline-model-name', 'iris_base']);
    for (const r of [files, served, servedBaseline]) {
      expect(r.code, `${r.stderr}\n${failing(r.report!).join('\n')}`).toBe(0);
      expect(r.report!.comparison!.metrics).toEqual(files.report!.comparison!.metrics);
      expect(r.report!.metrics!.baseline).toEqual(files.report!.metrics!.baseline);
    }
    expect(byId(servedBaseline.report!, 'comparison.latency.p95_ratio').message).toContain('the candidate runs as onnx and the baseline as http');
    // The served baseline names its file (baseline: in the config): that file versions it.
    expect(servedBaseline.report!.version.baseline).toEqual(files.report!.version.baseline);
  });

  it.skipIf(skipWithout('python'))('a pickle whose input differs from the ONNX baseline\'s (FP64 "input" vs float32 "float_input"): each is fed the same rows its own way', async () => {
    execFileSync(PYTHON, ['examples/serving/train_sklearn.py', at('iris_int.pkl')], { timeout: 120_000 });
    const files = await validate(['--config', 'examples/iris/model-gate.yml']);
    const r = await validate(['--config', 'examples/iris/model-gate.yml', '--command', adapter('iris_int.pkl')]);
    expect(r.report, r.stderr).toBeTruthy();
    expect(r.report!.checks.map((c) => c.id)).not.toContain('comparison.signature');
    expect(r.report!.model.signature?.inputs[0]).toMatchObject({ name: 'input', dtype: 'float64' });
    expect(r.report!.metrics!.baseline).toEqual(files.report!.metrics!.baseline);
    expect(byId(r.report!, 'comparison.agreement').status).toBe('pass');
    expect(byId(r.report!, 'comparison.accuracy.max_regression').message).toContain('McNemar');
  });
});

describe('the shipped adapter on other frameworks', () => {
  it.skipIf(skipWithout('python', 'xgboost'))('an XGBoost model (JSON and UBJ): metrics equal XGBoost\'s own; NaN is its missing value, Inf is refused', async () => {
    for (const file of ['xgb.json', 'xgb.ubj']) {
      const r = await validate(['--command', adapter(file), '--data', 'examples/iris/eval.csv', '--label', 'species']);
      expect(r.report, r.stderr).toBeTruthy();
      const report = r.report!;
      expectMetrics(report.metrics!.candidate as unknown as Record<string, number>, expected.xgboost!, ['accuracy', 'f1_macro', 'log_loss']);
      expect(byId(report, 'metrics.classes').status).toBe('pass');
      expect(byId(report, 'errors.inf_input').message).toContain('Input data contains `inf`');
      expect(byId(report, 'errors.inf_input').message).not.toContain('Stack trace');
    }
  });

  it.skipIf(skipWithout('python', 'torch'))('a TorchScript module returning logits (--output logits): metrics equal torch\'s softmax', async () => {
    const r = await validate(['--command', adapter('mlp.pt', ' --output logits --features 4'), '--data', 'examples/iris/eval.csv', '--label', 'species']);
    expect(r.report, r.stderr).toBeTruthy();
    expect(r.report!.model.signature?.inputs[0]).toMatchObject({ name: 'input', dtype: 'float32' });
    expectMetrics(r.report!.metrics!.candidate as unknown as Record<string, number>, expected.torch!, ['accuracy', 'f1_macro']);
    expect((r.report!.metrics!.candidate as unknown as Record<string, number>).log_loss).toBeCloseTo(expected.torch!.log_loss!, 6); // float32 probabilities
  });

  it.skipIf(skipWithout('python'))('refuses what it was not declared to take, answers NaN tokens, keeps serving after a bad line', () => {
    const lines = [
      '{"id": "1", "inputs": [{"name": "x", "datatype": "FP64", "shape": [1, 4], "data": [1, 2, 3, 4]}]}',
      '{"id": "2", "inputs": [{"name": "input", "datatype": "FP64", "shape": [1, 3], "data": [1, 2, 3]}]}',
      'not json',
      '{"id": "3", "inputs": [{"name": "input", "datatype": "FP64", "shape": [1, 4], "data": [NaN, 3.5, 1.6, 0.6]}]}',
      '{"id": "4", "inputs": [{"name": "input", "datatype": "FP64", "shape": [1, 4], "data": [5.0, 3.5, 1.6, 0.6]}]}',
    ];
    const r = spawnSync(PYTHON, [ADAPTER, at('candidate.pkl')], { input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const answers = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(answers[0]).toMatchObject({ ready: true, inputs: [{ name: 'input', datatype: 'FP64', shape: [-1, 4] }] });
    expect(answers[1]).toEqual({ id: '1', error: 'unknown input "x"; the model takes "input"' });
    expect(answers[2]).toEqual({ id: '2', error: 'input "input" must have shape [n, 4], got [1, 3]' });
    expect(answers[3]).toMatchObject({ id: null, error: expect.stringContaining('JSONDecodeError') });
    expect(answers[4]).toMatchObject({ id: '3', error: expect.stringContaining('Input X contains NaN') });
    expect(answers[5]).toMatchObject({ id: '4', outputs: [{ name: 'label', datatype: 'BYTES', data: ['setosa'] }, { name: 'probabilities', shape: [1, 3] }] });
  });
});

describe("the README's inline adapters, as written", () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### A command'), readme.indexOf('### When the endpoint is bad'));
  const block = (lang: string) => {
    const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n\\s*```').exec(section);
    if (!m) throw new Error(`no \`\`\`${lang} block in the README's "A command" section`);
    return lang === 'js' ? m[1]!.replace(/^ {2}/gm, '') : m[1]!; // the js block sits in a list item
  };

  it.skipIf(skipWithout('python'))('the scikit-learn adapter gets GO on a healthy model with text classes, metrics equal scikit-learn\'s', async () => {
    writeFileSync(at('readme_adapter.py'), block('python'));
    const cfg = config('readme.yml', NO_LATENCY_LIMITS);
    const r = await validate(['--config', cfg, '--command', `${PYTHON} ${at('readme_adapter.py')} ${at('candidate.pkl')}`, '--data', at('eval_named.csv'), '--label', 'species']);
    expect(r.code, `${r.stderr}\n${r.report ? failing(r.report).join('\n') : ''}`).toBe(0);
    expect(r.report!.decision).toBe('GO');
    expectMetrics(r.report!.metrics!.candidate as unknown as Record<string, number>, expected.candidate!, ['accuracy', 'f1_macro', 'log_loss']);
    for (const id of ['errors.missing_input', 'errors.wrong_dtype', 'errors.wrong_feature_count', 'errors.nan_input', 'metrics.classes']) expect(byId(r.report!, id).status, id).toBe('pass');
  });

  it('the JavaScript reader of NaN and Infinity tokens', () => {
    const parseLine = new Function(`${block('js')}; return parseLine;`)() as (line: string) => unknown;
    expect(parseLine('{"id": "NaN", "data": [NaN, Infinity, -Infinity, 1.5, "Infinity"]}')).toEqual({ id: 'NaN', data: [null, Infinity, -Infinity, 1.5, 'Infinity'] });
  });
});

describe('the examples under examples/frameworks, as a user copies them', () => {
  /** The example's config with the models where the setup wrote them and the tests' Python. */
  const example = (name: string) =>
    config(name, readFileSync(`examples/frameworks/${name}`, 'utf8').replaceAll('examples/frameworks/models/', `${dir}/`).replaceAll('"python3 ', `"${PYTHON} `));
  const cases: [string, 'python' | 'xgboost' | 'torch', string][] = [
    ['sklearn.yml', 'python', 'candidate'],
    ['xgboost.yml', 'xgboost', 'xgboost'],
    ['pytorch-torchscript.yml', 'torch', 'torch'],
    ['pytorch-onnx.yml', 'torch', 'torch'],
  ];
  for (const [name, tool, reference] of cases) {
    it.skipIf(skipWithout('python', tool))(`${name}: GO, metrics equal the framework's`, async () => {
      const r = await validate(['--config', example(name)]);
      expect(r.report, r.stderr).toBeTruthy();
      expect(failing(r.report!).filter((f) => !f.startsWith('latency.')), 'failing checks').toEqual([]); // latency limits are the machine's
      expectMetrics(r.report!.metrics!.candidate as unknown as Record<string, number>, expected[reference]!, ['accuracy', 'f1_macro']);
      expect((r.report!.metrics!.candidate as unknown as Record<string, number>).log_loss).toBeCloseTo(expected[reference]!.log_loss!, 6);
      if (name === 'xgboost.yml') expect(byId(r.report!, 'comparison.agreement').status).toBe('pass'); // against the ONNX baseline
    });
  }
});
