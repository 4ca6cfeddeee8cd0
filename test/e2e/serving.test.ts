/**
 * The model where it is served: real HTTP servers on loopback (the example ONNX server speaking
 * V2, TF Serving and MLflow, and servers that misbehave), a real Python command (a pickled
 * scikit-learn model), the whole suite through the CLI, and the load test.
 */
import { PYTHON, skipWithout } from '../support/tools.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/json.ts';
import { byId, cli } from '../support/cli.ts';
// @ts-expect-error: the example server is plain JavaScript
import { startServer } from '../../examples/serving/onnx-server.mjs';

interface Exchange {
  method: string;
  path: string;
  request: string;
  status: number;
  response: string;
  contentType?: string;
}
interface Served {
  url: string;
  set(o: object): void;
  close(): Promise<void>;
}

const IRIS = 'examples/iris/model.onnx';
const PY = PYTHON;
const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), 'mg-serving-')), name);
const exchanges: Exchange[] = [];
let server: Served;

/** The published Open Inference Protocol document, as validators per operation. */
function v2Validators() {
  const doc = parse(readFileSync('test/fixtures/open-inference-rest-v2.yaml', 'utf8')) as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: object }> }; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
    components: object;
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'v2', components: doc.components });
  const fix = (schema: object) => JSON.parse(JSON.stringify(schema).replace(/"#\/components/g, '"v2#/components')) as object;
  return Object.entries(doc.paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([m]) => ['get', 'post'].includes(m))
      .map(([method, op]) => {
        // The version segment is optional in the protocol (the published document spells it out).
        const source = template.replace(/\/versions\/\$\{MODEL_VERSION\}/, '(?:/versions/[^/]+)?').replace(/\$\{MODEL_NAME\}/, '[^/]+');
        const body = op.requestBody?.content['application/json']?.schema;
        return {
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${source}$`),
          request: body ? (ajv.compile(fix(body)) as ValidateFunction) : null,
          responses: Object.fromEntries(
            Object.entries(op.responses).flatMap(([code, r]) => (r.content?.['application/json']?.schema ? [[code, ajv.compile(fix(r.content['application/json'].schema))]] : [])),
          ) as Record<string, ValidateFunction>,
        };
      }),
  );
}

beforeAll(async () => {
  server = (await startServer({ model: IRIS, name: 'iris', version: '1', maxBodyMb: 4, observe: (e: Exchange) => exchanges.push(e) })) as Served;
});

afterAll(async () => {
  await server?.close();
});

async function validate(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const out = tmp('out');
  const r = await cli(['validate', '--out', out, '--json', ...args], env);
  const report = r.stdout ? (JSON.parse(r.stdout) as Report) : null;
  return { ...r, report };
}

describe('the HTTP runner', () => {
  it('runs the whole suite on a V2 endpoint, every request and answer as the published protocol says, with the in-process numbers', async () => {
    exchanges.length = 0;
    const served = await validate(['--config', 'examples/iris/model-gate.yml', '--endpoint', server.url, '--protocol', 'v2', '--model-name', 'iris']);
    expect(served.code, served.stderr).toBe(0);
    const report = served.report!;
    expect(report.decision).toBe('GO');
    expect(report.model.runner).toBe('http');
    expect(report.model.signature?.inputs).toEqual([
      { name: 'float_input', dtype: 'float32', shape: ['N', 4], fed: 'columns sepal_length, sepal_width, petal_length, petal_width', fed_shape: '[N, 4]' },
    ]);
    // Every family ran on the endpoint.
    for (const id of ['smoke.single', 'smoke.batch_32_consistency', 'outputs.probabilities.probabilities', 'metrics.accuracy', 'comparison.accuracy.max_regression', 'drift.prediction.score', 'latency.batch_1', 'errors.nan_input']) {
      expect(byId(report, id).status, id).toBe('pass');
    }
    expect(byId(report, 'comparison.latency.p95_ratio')).toMatchObject({ status: 'skip', message: expect.stringContaining('the candidate runs as http and the baseline as onnx') });
    // The HTTP-level error scenarios: 4xx with an error body.
    expect(byId(report, 'errors.malformed_json').message).toContain('HTTP 400: the body is not valid JSON');
    expect(byId(report, 'errors.wrong_content_type').message).toContain('HTTP 415');
    expect(byId(report, 'errors.oversized_request').message).toContain('HTTP 413');

    const local = await validate(['--config', 'examples/iris/model-gate.yml']);
    expect(report.metrics!.candidate).toEqual(local.report!.metrics!.candidate);
    expect(report.comparison!.metrics).toEqual(local.report!.comparison!.metrics);

    const validators = v2Validators();
    const problems: string[] = [];
    const v2 = exchanges.filter((e) => e.path.startsWith('/v2'));
    expect(v2.filter((e) => e.path.endsWith('/infer')).length).toBeGreaterThan(100);
    for (const e of v2) {
      const op = validators.find((v) => v.method === e.method && v.pattern.test(e.path));
      if (!op) {
        problems.push(`${e.method} ${e.path}: not in the protocol`);
        continue;
      }
      // The deliberately malformed requests are not held to the schema; their answers are.
      const meant = e.contentType === 'application/json' && e.request.length < 2 ** 20 && !e.request.startsWith('{"inputs": [{"name": ');
      if (op.request && meant && e.status === 200 && !op.request(JSON.parse(e.request.replace(/\bNaN\b/g, '0').replace(/-?Infinity/g, '0')))) {
        problems.push(`${e.method} ${e.path} request: ${JSON.stringify(op.request.errors?.slice(0, 2))}`);
      }
      const answer = op.responses[String(e.status)];
      if (answer && e.response && !answer(JSON.parse(e.response.replace(/\bNaN\b/g, '0').replace(/-?Infinity/g, '0')))) {
        problems.push(`${e.method} ${e.path} ${e.status} answer: ${JSON.stringify(answer.errors?.slice(0, 2))}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('speaks TF Serving (both request forms) and MLflow, and says which scenarios a format cannot express', async () => {
    for (const format of ['instances', 'inputs']) {
      const cfg = tmp('tf.yml');
      writeFileSync(cfg, `model:\n  endpoint: { url: "${server.url}", protocol: tfserving, name: iris, tfserving_format: ${format} }\n  outputs:\n    probabilities: { kind: probabilities }\n    label: { kind: labels, classes: [0, 1, 2] }\ndata:\n  eval: examples/iris/eval.csv\n  label: species\n`);
      const r = await validate(['--config', cfg]);
      expect(r.code, r.stderr).toBe(0);
      expect(byId(r.report!, 'metrics.computed').message).toContain('accuracy 0.9667');
      expect(byId(r.report!, 'errors.wrong_dtype')).toMatchObject({ status: 'skip', message: expect.stringContaining('carry no element type') });
      expect(byId(r.report!, 'errors.missing_input').status).toBe(format === 'inputs' ? 'pass' : 'skip');
    }
    const mlflow = tmp('mlflow.yml');
    writeFileSync(mlflow, `model:\n  endpoint: { url: "${server.url}", protocol: mlflow }\n  outputs:\n    predictions: { kind: labels, classes: [0, 1, 2] }\ndata:\n  eval: examples/iris/eval.csv\n  label: species\nmetrics:\n  task: multiclass\n  label_output: predictions\n`);
    exchanges.length = 0;
    const r = await validate(['--config', mlflow]);
    expect(byId(r.report!, 'metrics.computed').message).toContain('accuracy 0.9667');
    const sent = JSON.parse(exchanges.find((e) => e.path === '/invocations' && e.status === 200)!.request);
    expect(sent.dataframe_split.columns).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  });

  it('sends a custom template and reads outputs by JSON Pointer', async () => {
    const cfg = tmp('custom.yml');
    writeFileSync(cfg, `model:\n  endpoint:\n    url: "${server.url}"\n    protocol: custom\n    custom: { path: /invocations, ready_path: /ping, template: '{"inputs": \${rows}}', outputs: { label: /predictions } }\n  outputs:\n    label: { kind: labels, classes: [0, 1, 2] }\ndata:\n  eval: examples/iris/eval.csv\n  label: species\nmetrics:\n  task: multiclass\n  label_output: label\n`);
    const r = await validate(['--config', cfg]);
    expect(r.stderr).not.toContain('unexpected');
    expect(byId(r.report!, 'metrics.computed').message).toContain('accuracy 0.9667');
  });

  it('sends auth headers read from the environment and never prints the secret', async () => {
    server.set({ token: 's3cr3t-t0ken' });
    try {
      const t0 = Date.now();
      const denied = await validate(['--endpoint', server.url, '--model-name', 'iris']);
      expect(denied.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(10_000); // no waiting out the readiness timeout on a 401
      expect(byId(denied.report!, 'smoke.load').message).toMatch(/refused the credentials: GET \/v2\/health\/ready answered 401: missing or wrong bearer token/);
      const r = await validate(['--endpoint', server.url, '--model-name', 'iris', '--header', 'Authorization: Bearer ${MODEL_TOKEN}'], { ...process.env, MODEL_TOKEN: 's3cr3t-t0ken' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('s3cr3t-t0ken');
      const unset = await cli(['validate', '--endpoint', server.url, '--model-name', 'iris', '--header', 'Authorization: Bearer ${NOPE_TOKEN}'], process.env);
      expect(unset.code).toBe(2);
      expect(unset.stderr).toContain('header "Authorization" reads ${NOPE_TOKEN}, which is not set in the environment');
    } finally {
      server.set({ token: undefined });
    }
  });
});

/** A server that answers every path with the same thing, or never answers. */
async function oddServer(handler: (res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const s: Server = createHttpServer((req, res) => {
    req.resume();
    handler(res);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        s.close(() => r());
        s.closeAllConnections();
      }),
  };
}

describe('the action with an endpoint', () => {
  it('validates the served model from the action inputs, the header secret masked', async () => {
    const { runAction } = await import('../support/action.ts');
    const { node24, trackedCopy } = await import('../support/tracked-copy.ts');
    server.set({ token: 'act10n-s3cret' });
    try {
      const r = await runAction({
        copy: trackedCopy(),
        node: node24(),
        inputs: { endpoint: server.url, 'model-name': 'iris', headers: 'Authorization: Bearer ${MODEL_TOKEN}\nX-Team: ml', data: 'examples/iris/eval.csv', label: 'species', comment: 'never' },
        env: { MODEL_TOKEN: 'act10n-s3cret' },
      });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.decision).toBe('GO');
      expect(r.stdout).toContain('::add-mask::act10n-s3cret');
      expect(JSON.parse(readFileSync(r.outputs.report!, 'utf8')).model.runner).toBe('http');
    } finally {
      server.set({ token: undefined });
    }
  });
});

describe('a bad endpoint is a failing check with a clear message, never a hang or a crash', () => {
  it('an unknown host', async () => {
    const cfg = tmp('nohost.yml');
    writeFileSync(cfg, `model:\n  endpoint: { url: "http://model-server.invalid:8000", name: iris, ready_timeout_s: 0.5 }\n`);
    const r = await validate(['--config', cfg]);
    expect(r.code).toBe(1);
    expect(byId(r.report!, 'smoke.load').message).toContain('cannot resolve the host of http://model-server.invalid:8000/v2/health/ready');
  });

  it('connection refused', async () => {
    const gone = await oddServer(() => undefined);
    await gone.close();
    const cfg = tmp('refused.yml');
    writeFileSync(cfg, `model:\n  endpoint: { url: "${gone.url}", name: iris, ready_timeout_s: 1 }\n`);
    const r = await validate(['--config', cfg]);
    expect(r.code).toBe(1);
    expect(byId(r.report!, 'smoke.load').message).toMatch(/was not ready within 1 s: connection refused by http:\/\/127\.0\.0\.1:\d+\/v2\/health\/ready: nothing listens there/);
    expect(r.report!.decision).toBe('NO-GO');
  });

  it('an answer that is not JSON, and a server that never answers', async () => {
    const html = await oddServer((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>it works</html>');
    });
    const silent = await oddServer(() => undefined);
    try {
      const a = tmp('html.yml');
      writeFileSync(a, `model:\n  endpoint: { url: "${html.url}", protocol: mlflow }\n`);
      const r = await validate(['--config', a, '--data', 'examples/iris/eval.csv', '--label', 'species']);
      expect(r.code).toBe(1);
      expect(byId(r.report!, 'smoke.single').message).toContain('the answer is not JSON: <html>it works</html>');
      const b = tmp('silent.yml');
      writeFileSync(b, `model:\n  endpoint: { url: "${silent.url}", name: iris, ready_timeout_s: 1, timeout_ms: 300 }\n`);
      const t0 = Date.now();
      const s = await validate(['--config', b]);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(byId(s.report!, 'smoke.load').message).toMatch(/not ready within 1 s: GET http:\/\/127\.0\.0\.1:\d+\/v2\/health\/ready got no answer within 300 ms/);
    } finally {
      await html.close();
      await silent.close();
    }
  });

  it('an inference request that hangs times out as an error, not a pass', async () => {
    server.set({ hang: true });
    try {
      const cfg = tmp('hang.yml');
      writeFileSync(cfg, `model:\n  endpoint: { url: "${server.url}", name: iris, timeout_ms: 300 }\n`);
      const r = await validate(['--config', cfg]);
      expect(r.code).toBe(1);
      expect(byId(r.report!, 'smoke.single').message).toMatch(/got no answer within 300 ms/);
    } finally {
      server.set({ hang: false });
    }
  });

  it.skipIf(skipWithout('openssl'))('a TLS certificate the machine does not trust', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore', timeout: 30_000 });
    const s = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const cfg = tmp('tls.yml');
      writeFileSync(cfg, `model:\n  endpoint: { url: "https://127.0.0.1:${(s.address() as AddressInfo).port}", name: iris, ready_timeout_s: 0.5 }\n`);
      const r = await validate(['--config', cfg]);
      expect(r.code).toBe(1);
      expect(byId(r.report!, 'smoke.load').message).toMatch(/TLS error talking to https:\/\/127\.0\.0\.1:\d+\/v2\/health\/ready: self[- ]signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\); if the server's certificate authority is yours, name its PEM file in NODE_EXTRA_CA_CERTS/);
    } finally {
      s.close();
    }
  });
});

describe('the command runner', () => {
  let pickle: string;
  beforeAll(() => {
    pickle = tmp('iris.pkl');
    execFileSync(PY, ['examples/serving/train_sklearn.py', pickle], { timeout: 120_000 });
  });

  it.skipIf(skipWithout('python'))('runs a pickled scikit-learn model through the documented Python adapter: the whole suite, GO', async () => {
    const cfg = tmp('cmd.yml');
    writeFileSync(cfg, `model:\n  command: { run: "${PY} examples/serving/python_adapter.py ${pickle}" }\n  outputs:\n    probabilities: { kind: probabilities }\n    label: { kind: labels, classes: [0, 1, 2] }\ndata:\n  eval: examples/iris/eval.csv\n  label: species\n  reference: examples/iris/reference.csv\nmetrics:\n  thresholds:\n    accuracy: { min: 0.9 }\n`);
    const r = await validate(['--config', cfg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.model.runner).toBe('command');
    expect(byId(r.report!, 'metrics.accuracy').status).toBe('pass');
    expect(byId(r.report!, 'errors.nan_input').message).toContain('the model rejected it (ValueError: Input X contains NaN');
    expect(byId(r.report!, 'version.id').message).toContain('from what the command reports about the model');
  });

  it('a command that exits at once, or never says ready: NO-GO naming the cause, within the timeout', async () => {
    const crash = await validate(['--command', `${PY} -c "import sys; sys.stderr.write('ModuleNotFoundError: No module named torch\\n'); sys.exit(3)"`]);
    expect(crash.code).toBe(1);
    expect(byId(crash.report!, 'smoke.load').message).toMatch(/exited with code 3; its stderr ends with:\nModuleNotFoundError: No module named torch/);
    const cfg = tmp('mute.yml');
    writeFileSync(cfg, `model:\n  command: { run: "sleep 30", ready_timeout_s: 1 }\n`);
    const t0 = Date.now();
    const mute = await validate(['--config', cfg]);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(byId(mute.report!, 'smoke.load').message).toContain('did not print its ready line within 1 s');
    const chatty = await validate(['--command', 'echo hello']);
    expect(byId(chatty.report!, 'smoke.load').message).toMatch(/first line must be \{"ready": true, …\}; it printed: hello|printed a line that is not JSON on stdout/);
  });
});

describe('the load test', () => {
  it('measures closed and open loop runs and reports per-status counts; JSON report for the CLI', async () => {
    const out = tmp('load');
    const r = await cli(['load', '--endpoint', server.url, '--model-name', 'iris', '--concurrency', '1,4', '--rate', '200', '--duration', '1', '--warmup', '0.2', '--json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.load!.runs.map((x) => [x.mode, x.concurrency, x.rate])).toEqual([
      ['closed', 1, null],
      ['closed', 4, null],
      ['open', null, 200],
    ]);
    const open = report.load!.runs[2]!;
    expect(open.requests).toBeGreaterThan(150);
    expect(open.requests).toBeLessThan(250);
    expect(open.status_counts).toEqual({ 200: open.requests });
    expect(report.load!.health).toBe('healthy');
    expect(byId(report, 'load.latency').status).toBe('pass');
    // Only the smoke test and the load test run in `model-gate load` (plus the run's memory, for information).
    expect(report.checks.map((c) => c.category).filter((c, i, a) => a.indexOf(c) === i).sort()).toEqual(['artifact', 'inputs', 'load', 'resources', 'smoke', 'version']);
  });

  it('runs inside validate after the other families, with the load section of the config', async () => {
    const cfg = tmp('with-load.yml');
    writeFileSync(cfg, `model:\n  endpoint: { url: "${server.url}", name: iris }\ndata:\n  eval: examples/iris/eval.csv\n  label: species\nload:\n  enabled: true\n  concurrency: [2]\n  duration_s: 0.5\n  warmup_s: 0\n  slo: { min_rps: 10 }\n`);
    const r = await validate(['--config', cfg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.load!.runs).toHaveLength(1);
    expect(r.report!.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['metrics.computed', 'errors.malformed_json', 'load.latency', 'load.throughput', 'load.health']));
  });

  it('fails the SLO on errors and latency, and calls the endpoint unhealthy', async () => {
    server.set({ errorRate: 0.3, delayMs: 120 });
    try {
      const r = await cli(['load', '--endpoint', server.url, '--model-name', 'iris', '--concurrency', '4', '--duration', '1', '--warmup', '0', '--json', '--out', tmp('load')]);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as Report;
      expect(byId(report, 'load.errors')).toMatchObject({ status: 'fail', severity: 'blocker' });
      expect(byId(report, 'load.errors').message).toMatch(/500: \d+/);
      expect(byId(report, 'load.latency').status).toBe('fail');
      expect(report.load!.health).toBe('unhealthy');
    } finally {
      server.set({ errorRate: 0, delayMs: 0 });
    }
  });
});
