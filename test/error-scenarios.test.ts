/**
 * Error scenarios pass only for their own reason, with real processes: a command adapter that
 * crashes on NaN (error, not a pass), one that refuses cleanly with error lines (rejected: pass),
 * HTTP servers that answer bad input with 500 (error) or 400 (pass), a model that runs out of
 * memory under an address-space limit (the command under prlimit, and onnxruntime's own
 * bfc_arena failure in the ONNX child), a model that refuses everything (the unperturbed request
 * fails first: error), a dynamic-width model (wrong_feature_count skipped with the reason), and the
 * suite's time budget.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runErrorScenarios, refusalOf } from '../src/checks/error-scenarios.ts';
import { systemClock } from '../src/clock.ts';
import { parseConfig } from '../src/config/load.ts';
import { bindInputs } from '../src/data/features.ts';
import { generateRows } from '../src/data/generate.ts';
import { decide } from '../src/decision.ts';
import type { Report } from '../src/report/json.ts';
import { onnxCallError, openIsolatedOnnxRunner } from '../src/runners/onnx-process.ts';
import { RunnerCrashError, RunnerRejectedError } from '../src/runners/types.ts';
import { byId, cli } from './support/cli.ts';
import { writeModel } from './support/models.ts';
import { buildModel } from './support/onnx-builder.ts';

const FIXTURES = 'test/fixtures/error-scenarios';
const PY = '/usr/bin/python3';
const NODE = process.execPath;
let work: string;
let fast: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-errors-'));
  fast = join(work, 'fast.yml');
  // No latency limit: on a loaded machine it would decide the verdicts this file is about.
  writeFileSync(fast, 'data:\n  generated_rows: 64\nchecks:\n  latency:\n    warmup: 2\n    iterations: 10\n    limits: {}\n');
});

async function validate(args: string[], config = fast): Promise<{ code: number; report: Report }> {
  const out = mkdtempSync(join(work, 'out-'));
  const r = await cli(['validate', '--json', '--out', out, '--config', config, ...args]);
  expect(r.stdout, r.stderr).not.toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

/** Each error scenario's id (without `errors.`) and status. */
const verdicts = (report: Report) => Object.fromEntries(report.checks.filter((c) => c.id.startsWith('errors.')).map((c) => [c.id.slice('errors.'.length), c.status]));

/** A config file: 64 generated rows and the given `checks:` body (latency kept short unless given). */
function config(checks: string): string {
  const path = join(work, `cfg-${Math.random().toString(36).slice(2)}.yml`);
  const latency = checks.includes('  latency:') ? '' : '  latency:\n    warmup: 2\n    iterations: 10\n    limits: {}\n';
  writeFileSync(path, `data:\n  generated_rows: 64\nchecks:\n${latency}${checks}`);
  return path;
}

describe('a command adapter', () => {
  it('that crashes on NaN (JSON.parse meets the NaN token): nan_input and inf_input are errors with the SyntaxError, the command restarts, no GO', async () => {
    const { code, report } = await validate(['--command', `${NODE} ${FIXTURES}/crash_on_nan.mjs`]);
    expect(verdicts(report)).toEqual({
      wrong_feature_count: 'pass',
      wrong_dtype: 'pass',
      nan_input: 'error',
      inf_input: 'error',
      empty_batch: 'pass',
      missing_input: 'pass',
      oversized_batch: 'pass',
    });
    const nan = byId(report, 'errors.nan_input');
    expect(nan.message).toContain('a crash, not a refusal');
    expect(nan.message).toContain('exited with code 1');
    // The whole stderr tail: the exception and where it was thrown, not an empty tail.
    expect(nan.message).toMatch(/SyntaxError: Unexpected token 'N'/);
    expect(nan.message).toContain('crash_on_nan.mjs');
    // Restarted after each crash: the scenarios after it ran against a live command.
    expect(byId(report, 'errors.empty_batch').message).toContain('the model rejected it ("x" must be [N >= 1, 4], got [0,4])');
    expect(report.decision).toBe('DELAY');
    expect(code).not.toBe(0);
  });

  it('that refuses bad requests with error lines: every scenario rejected or answered, GO', async () => {
    const { code, report } = await validate(['--command', `${PY} ${FIXTURES}/clean_adapter.py`]);
    expect(verdicts(report)).toEqual({
      wrong_feature_count: 'pass',
      wrong_dtype: 'pass',
      nan_input: 'pass',
      inf_input: 'pass',
      empty_batch: 'pass',
      missing_input: 'pass',
      oversized_batch: 'pass',
    });
    expect(byId(report, 'errors.nan_input')).toMatchObject({ value: 'rejected', message: expect.stringContaining('"x" contains NaN or infinity') });
    expect(byId(report, 'errors.oversized_batch').message).toMatch(/^a batch of 4096 rows \(0\.06 MiB of input, about 0\.0\d MiB of answer\): the model returned finite values$/);
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('that refuses everything: the unperturbed request fails first, so no refusal counts', async () => {
    const { report } = await validate(['--command', `REFUSE_ALL=1 ${PY} ${FIXTURES}/clean_adapter.py`]);
    for (const [name, status] of Object.entries(verdicts(report))) expect([name, status]).toEqual([name, 'error']);
    expect(byId(report, 'errors.missing_input').message).toContain('not judged, because the same request unperturbed failed first: this model refuses every request');
    expect(report.decision).toBe('NO-GO');
  });

  it('that runs out of memory under prlimit --as on the oversized batch: an error with the MemoryError, not "rejected"', async () => {
    const cfg = config('  errors:\n    oversized_batch: { size: 2048 }\n');
    const { report } = await validate(['--command', `MB_PER_ROW=1 prlimit --as=${1024 * 2 ** 20} ${PY} ${FIXTURES}/clean_adapter.py`], cfg);
    expect(verdicts(report)).toMatchObject({ nan_input: 'pass', missing_input: 'pass', oversized_batch: 'error' });
    const oversized = byId(report, 'errors.oversized_batch');
    expect(oversized.message).toContain('a batch of 2048 rows');
    expect(oversized.message).toContain('a crash, not a refusal');
    expect(oversized.message).toContain('MemoryError');
    expect(report.decision).toBe('DELAY');
  });

  it('past the time budget: the scenarios not run are skipped and a failing warning names them', async () => {
    // No latency checks: a model this slow would fail their limits.
    const cfg = config('  latency:\n    enabled: false\n  errors:\n    time_budget_s: 0.5\n');
    const { report } = await validate(['--command', `SLEEP_S=0.3 ${PY} ${FIXTURES}/clean_adapter.py`], cfg);
    const budget = byId(report, 'errors.time_budget');
    expect(budget).toMatchObject({ status: 'fail', severity: 'warning', value: ['wrong_dtype', 'nan_input', 'inf_input', 'empty_batch', 'missing_input', 'oversized_batch'] });
    expect(budget.message).toContain('not run: wrong_dtype, nan_input, inf_input, empty_batch, missing_input, oversized_batch');
    expect(byId(report, 'errors.wrong_feature_count').status).toBe('pass');
    expect(byId(report, 'errors.nan_input')).toMatchObject({ status: 'skip', message: expect.stringContaining('time budget (errors.time_budget_s, 0.5 s) ran out') });
    expect(report.decision).toBe('DELAY');
  });
});

/** A V2 server of the sum of 4 features; `careful` refuses bad requests with 4xx, else anything bad is a 500. */
function v2Server(careful: boolean): Promise<{ url: string; server: Server }> {
  const meta = { name: 'sum4', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'score', datatype: 'FP32', shape: [-1, 1] }] };
  class Refusal extends Error {
    readonly status: number;
    constructor(status: number, message: string) {
      super(message);
      this.status = status;
    }
  }
  const refuse = (status: number, message: string) => {
    // The careless server has no validation of its own: whatever breaks is a 500.
    throw careful ? new Refusal(status, message) : new Error(message);
  };
  const handle = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method === 'GET') return req.url === '/v2/models/sum4' ? json(200, meta) : json(200, { ready: true });
    if (!req.headers['content-type']?.startsWith('application/json')) refuse(415, 'expected application/json');
    if (body.length > 2 ** 20) refuse(413, 'request body over 1 MiB');
    let request: { inputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] };
    try {
      request = JSON.parse(body.toString());
    } catch (error) {
      return refuse(400, `the body is not valid JSON: ${(error as Error).message}`);
    }
    const t = request.inputs.find((i) => i.name === 'x');
    if (!t || request.inputs.length !== 1) return refuse(400, 'expected one input "x"');
    if (t.datatype !== 'FP32') return refuse(400, `"x" must be FP32, got ${t.datatype}`);
    const [rows, width] = t.shape as [number, number];
    if (t.shape.length !== 2 || width !== 4 || rows < 1) return refuse(400, `"x" must be [N >= 1, 4], got [${t.shape}]`);
    const data = (t.data as number[]).flat(Infinity as 1) as number[];
    const score = Array.from({ length: rows }, (_, r) => data.slice(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0));
    json(200, { model_name: 'sum4', outputs: [{ name: 'score', datatype: 'FP32', shape: [rows, 1], data: score }] });
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, Buffer.concat(chunks), res);
      } catch (error) {
        if (error instanceof Refusal) res.writeHead(error.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
        else res.writeHead(500, { 'content-type': 'text/plain' }).end(`Internal Server Error: ${(error as Error).message}`);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

describe('an HTTP endpoint', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  it('that answers bad input with 500: every perturbed scenario is an error, no GO', async () => {
    const { url, server } = await v2Server(false);
    servers.push(server);
    const { report } = await validate(['--endpoint', url, '--protocol', 'v2', '--model-name', 'sum4']);
    expect(verdicts(report)).toEqual({
      wrong_feature_count: 'error',
      wrong_dtype: 'error',
      nan_input: 'error',
      inf_input: 'error',
      empty_batch: 'error',
      missing_input: 'error',
      oversized_batch: 'pass',
      // The HTTP-level probes are judged on the status: a 5xx is the outcome server_error.
      malformed_json: 'fail',
      wrong_content_type: 'fail',
      oversized_request: 'fail',
    });
    expect(byId(report, 'errors.nan_input').message).toMatch(/the call failed without refusing the request .*HTTP 500: Internal Server Error: the body is not valid JSON: Unexpected token 'N'/);
    expect(report.decision).toBe('NO-GO');
  });

  it('that answers bad input with 400 and an error body: every scenario passes, GO', async () => {
    const { url, server } = await v2Server(true);
    servers.push(server);
    const { code, report } = await validate(['--endpoint', url, '--protocol', 'v2', '--model-name', 'sum4']);
    expect(new Set(Object.values(verdicts(report)))).toEqual(new Set(['pass']));
    expect(Object.keys(verdicts(report))).toHaveLength(10);
    expect(byId(report, 'errors.nan_input').message).toContain('the model rejected it (HTTP 400: the body is not valid JSON');
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });
});

describe('an ONNX model', () => {
  it('that runs out of memory in onnxruntime (bfc_arena) under an address-space limit: oversized_batch is an error, the scenarios around it are not', async () => {
    // x [N, 4] tiled to [N, 262144]: 1 MiB a row, 4 GiB for the oversized batch of 4096 rows.
    const model = join(work, 'tile.onnx');
    writeFileSync(
      model,
      buildModel({
        inputs: [{ name: 'x', type: 'float32', shape: ['N', 4] }],
        outputs: [{ name: 'score', type: 'float32', shape: ['N', 1] }],
        nodes: [
          { op: 'Tile', inputs: ['x', 'repeats'], outputs: ['wide'] },
          { op: 'ReduceSum', inputs: ['wide', 'axes'], outputs: ['score'], attrs: { keepdims: 1 } },
        ],
        initializers: [
          { name: 'repeats', dims: [2], values: [1, 65536], type: 'int64' },
          { name: 'axes', dims: [1], values: [1], type: 'int64' },
        ],
      }),
    );
    // 4000 MiB: node and onnxruntime start within it (below ~3 GiB they do not), 4 GiB more does not fit.
    const runner = await openIsolatedOnnxRunner(model, { callTimeoutMs: 120_000, memoryLimitMb: 4000 });
    try {
      const cfg = parseConfig('', 'inline');
      const bindings = bindInputs(runner.signature, null, undefined, new Set());
      const rows = generateRows(bindings, 16, 7, null);
      const { checks } = await runErrorScenarios({ config: cfg, runner, rows, mode: 'validate', labels: null, baseline: null, drift: null, clock: systemClock, progress: () => undefined });
      const status = Object.fromEntries(checks.map((c) => [c.id, c.status]));
      expect(status).toEqual({
        'errors.wrong_feature_count': 'pass',
        'errors.wrong_dtype': 'pass',
        'errors.nan_input': 'pass',
        'errors.inf_input': 'pass',
        'errors.empty_batch': 'pass',
        'errors.missing_input': 'pass',
        'errors.oversized_batch': 'error',
      });
      const oversized = checks.find((c) => c.id === 'errors.oversized_batch')!;
      expect(oversized.message).toContain('a batch of 4096 rows (0.06 MiB of input, about 0.02 MiB of answer)');
      expect(oversized.message).toContain('onnxruntime ran out of memory');
      expect(oversized.message).toContain('bfc_arena');
      expect(decide(checks).decision).toBe('DELAY');
      expect((await runner.memory!())!.peakMb).toBeGreaterThan(20);
    } finally {
      await runner.close();
    }
  }, 120_000);

  it('with a dynamic feature count: wrong_feature_count is skipped with the reason', async () => {
    const { report } = await validate(['--model', writeModel('anyWidth'), '--data', 'examples/iris/eval.csv', '--label', 'species']);
    expect(byId(report, 'errors.wrong_feature_count')).toMatchObject({ status: 'skip', message: '"x" [N, F] has no fixed size after the batch: any count is valid' });
  });

  it('iris: each scenario for its own reason; memory figures reported, and a limit fails them', async () => {
    const cfg = config('  resources:\n    max_rss_mb: 1\n    max_rss_growth_mb: 10000\n');
    const { report } = await validate(['--model', 'examples/iris/model.onnx'], cfg);
    expect(byId(report, 'errors.wrong_feature_count').message).toContain('the model rejected it (Got invalid dimensions for input: float_input');
    expect(byId(report, 'errors.nan_input')).toMatchObject({ status: 'pass', value: 'non_finite' });
    const peak = byId(report, 'resources.peak_rss_mb');
    expect(peak).toMatchObject({ status: 'fail', severity: 'warning', threshold: '<= 1 MiB' });
    expect(peak.message).toMatch(/^peak resident memory \d+ MiB: the gate \d+ MiB \+ the model's process \d+ MiB: over the limit of 1 MiB/);
    expect(byId(report, 'resources.rss_growth_mb')).toMatchObject({ status: 'pass', severity: 'warning' });
    expect(report.decision).toBe('DELAY');
  });
});

describe('what counts as a refusal', () => {
  it('onnxruntime validation errors are refusals naming their input, a node refusing its input is one too; out of memory is not', () => {
    const dims = onnxCallError('Got invalid dimensions for input: float_input for the following indices\n index: 1 Got: 3 Expected: 4');
    expect(dims).toBeInstanceOf(RunnerRejectedError);
    expect((dims as RunnerRejectedError).input).toBe('float_input');
    expect((onnxCallError("input 'x' is missing in 'feeds'.") as RunnerRejectedError).input).toBe('x');
    expect((onnxCallError('Unexpected input data type. Actual: (tensor(double)) , expected: (tensor(float))') as RunnerRejectedError).input).toBeNull();
    const oom = onnxCallError("Non-zero status code returned while running Tile node. Name:'n0' Status Message: bfc_arena.cc:360 Failed to allocate memory for requested buffer of size 4294967296");
    expect(oom).not.toBeInstanceOf(RunnerRejectedError);
    expect(oom.message).toMatch(/^onnxruntime ran out of memory: /);
    expect(onnxCallError("Non-zero status code returned while running Reshape node. Name:'r' Status Message: reshape_helper.h:84 …")).toBeInstanceOf(RunnerRejectedError);
    expect(onnxCallError('the model has no output that can be read: …')).not.toBeInstanceOf(RunnerRejectedError);
  });

  it('a refusal about another input, a crash or a plain failure never counts as the scenario rejecting it', () => {
    expect(refusalOf(new RunnerRejectedError('Got invalid dimensions for input: state', 'state'), 'input')).toEqual({
      failed: 'the refusal is about another input, "state", not "input": Got invalid dimensions for input: state',
    });
    expect(refusalOf(new RunnerRejectedError("input 'x' is missing", 'x'), 'x')).toEqual({ rejected: "input 'x' is missing" });
    expect(refusalOf(new RunnerRejectedError('Invalid input name: x_misnamed', 'x_misnamed'), 'x')).toEqual({ rejected: 'Invalid input name: x_misnamed' });
    expect(refusalOf(new RunnerCrashError('died'), 'x')).toEqual({ failed: 'a crash, not a refusal: died' });
    expect(refusalOf(new Error('HTTP 500: boom'), 'x')).toMatchObject({ failed: expect.stringContaining('failed without refusing') });
  });
});
