#!/usr/bin/env node
// A small model server for the examples and tests: one ONNX model (onnxruntime-node) behind the
// Open Inference Protocol (V2), TensorFlow Serving's REST API and MLflow's scoring server, on one
// port. It answers bad requests the way a good server does: 4xx with {"error": "..."}.
//
//   node examples/serving/onnx-server.mjs --model examples/iris/model.onnx --name iris --port 8000
//
// Options: --delay-ms N (added to every inference), --error-rate R (share of inferences that
// answer 500, spread evenly), --max-body-mb N (larger bodies answer 413), --version V (the model version),
// --token T (requests need `Authorization: Bearer T`), --hang (inference requests never answer).
// It also serves Prometheus metrics at /metrics (request counts and a latency histogram).
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const V2_TYPES = { float32: 'FP32', float64: 'FP64', int64: 'INT64', int32: 'INT32', bool: 'BOOL', string: 'BYTES' };
const TF_TYPES = { float32: 'DT_FLOAT', float64: 'DT_DOUBLE', int64: 'DT_INT64', int32: 'DT_INT32', string: 'DT_STRING' };
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array };
const BUCKETS = [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

class BadRequest extends Error {
  constructor(message, status = 400) {
    super(message);
    this.status = status;
  }
}

/** Python's json writes NaN / Infinity; so do many clients. Read them as numbers. */
function parseLenient(text) {
  try {
    return JSON.parse(text);
  } catch {
    const fixed = text.replace(/"(?:[^"\\]|\\.)*"|-Infinity|Infinity|NaN/g, (m) => (m.startsWith('"') ? m : m === 'NaN' ? 'null' : m === 'Infinity' ? '1e999' : '-1e999'));
    return JSON.parse(fixed);
  }
}

const numberText = (x) => (Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity');
const flat = (v, out = []) => {
  if (Array.isArray(v)) for (const x of v) flat(x, out);
  else out.push(v === null ? NaN : v);
  return out;
};
const shapeOf = (v) => {
  const dims = [];
  for (let cur = v; Array.isArray(cur); cur = cur[0]) dims.push(cur.length);
  return dims;
};
function nest(values, dims) {
  if (dims.length <= 1) return values;
  const width = dims.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: dims[0] }, (_, i) => nest(values.slice(i * width, (i + 1) * width), dims.slice(1)));
}

export async function startServer(options) {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(options.model, { logSeverityLevel: 4 });
  const name = options.name ?? 'model';
  const version = options.version ?? '1';
  const maxBody = (options.maxBodyMb ?? 8) * 2 ** 20;
  const inputs = session.inputMetadata.map((m) => ({ name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' ? d : -1)) }));
  const outputs = session.outputMetadata.map((m) => ({ name: m.name, type: m.type, shape: (m.shape ?? []).map((d) => (typeof d === 'number' ? d : -1)) }));
  const stats = { requests: new Map(), histogram: new Array(BUCKETS.length + 1).fill(0), sum: 0, count: 0 };

  async function run(feeds) {
    const ortFeeds = {};
    for (const input of inputs) {
      const f = feeds[input.name];
      if (!f) throw new BadRequest(`missing input "${input.name}"; the model's inputs are: ${inputs.map((i) => i.name).join(', ')}`);
      if (f.type && f.type !== input.type) throw new BadRequest(`input "${input.name}" must be ${V2_TYPES[input.type]}, got ${V2_TYPES[f.type] ?? f.type}`);
      const Array_ = ARRAYS[input.type];
      if (!Array_) throw new BadRequest(`input type ${input.type} is not served`);
      const values = flat(f.data);
      if (values.some((x) => typeof x !== 'number')) throw new BadRequest(`input "${input.name}" holds values that are not numbers`);
      const expected = input.shape.slice(1);
      const got = f.shape.slice(1);
      if (f.shape.length !== input.shape.length || expected.some((d, i) => d >= 0 && d !== got[i])) {
        throw new BadRequest(`input "${input.name}" has shape [${f.shape}], the model takes [${input.shape}]`);
      }
      if (values.length !== f.shape.reduce((a, b) => a * b, 1)) throw new BadRequest(`input "${input.name}": shape [${f.shape}] does not hold ${values.length} values`);
      ortFeeds[input.name] = new ort.Tensor(input.type, Array_.from(values), f.shape);
    }
    for (const k of Object.keys(feeds)) if (!inputs.some((i) => i.name === k)) throw new BadRequest(`unknown input "${k}"`);
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    const results = await session.run(ortFeeds);
    return outputs.map((o) => {
      const t = results[o.name];
      const values = Array.from(t.data, (v) => (typeof v === 'bigint' ? Number(v) : v));
      return { name: o.name, type: t.type, dims: t.dims.map(Number), values };
    });
  }

  const v2Tensor = (o) => `{"name":${JSON.stringify(o.name)},"datatype":"${V2_TYPES[o.type] ?? 'BYTES'}","shape":${JSON.stringify(o.dims)},"data":[${o.values.map(numberText).join(',')}]}`;
  const only = () => {
    if (inputs.length !== 1) throw new BadRequest('this endpoint takes models with one input');
    return inputs[0];
  };

  const routes = [
    ['GET', /^\/v2\/health\/(live|ready)$/, () => ({ status: 200, body: '' })],
    ['GET', /^\/v2\/?$/, () => ({ status: 200, body: JSON.stringify({ name: 'model-gate-example', version: '1', extensions: [] }) })],
    ['GET', /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/ready$/, (m) => model(m) && { status: 200, body: '' }],
    [
      'GET',
      /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?$/,
      (m) =>
        model(m) && {
          status: 200,
          body: JSON.stringify({
            name,
            versions: [version],
            platform: 'onnxruntime_onnx',
            inputs: inputs.map((i) => ({ name: i.name, datatype: V2_TYPES[i.type], shape: i.shape })),
            outputs: outputs.map((o) => ({ name: o.name, datatype: V2_TYPES[o.type] ?? 'BYTES', shape: o.shape })),
          }),
        },
    ],
    [
      'POST',
      /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/,
      async (m, req) => {
        model(m);
        if (!Array.isArray(req?.inputs)) throw new BadRequest('the request needs an "inputs" array');
        const feeds = {};
        for (const i of req.inputs) {
          if (typeof i?.name !== 'string' || !Array.isArray(i.shape) || typeof i.datatype !== 'string' || !Array.isArray(i.data)) {
            throw new BadRequest('every input needs "name", "shape", "datatype" and "data"');
          }
          const type = Object.entries(V2_TYPES).find(([, v]) => v === i.datatype)?.[0] ?? i.datatype;
          feeds[i.name] = { type, shape: i.shape, data: i.data };
        }
        const out = await run(feeds);
        return { status: 200, body: `{"model_name":${JSON.stringify(name)},"model_version":"${version}","outputs":[${out.map(v2Tensor).join(',')}]}` };
      },
    ],
    ['GET', /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?$/, (m) => model(m) && { status: 200, body: JSON.stringify({ model_version_status: [{ version, state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] }) }],
    [
      'GET',
      /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?\/metadata$/,
      (m) => {
        model(m);
        const spec = (list) => Object.fromEntries(list.map((t) => [t.name, { dtype: TF_TYPES[t.type] ?? 'DT_INVALID', tensor_shape: { dim: t.shape.map((d) => ({ size: String(d), name: '' })), unknown_rank: false }, name: `${t.name}:0` }]));
        return { status: 200, body: JSON.stringify({ model_spec: { name, signature_name: '', version }, metadata: { signature_def: { signature_def: { serving_default: { inputs: spec(inputs), outputs: spec(outputs), method_name: 'tensorflow/serving/predict' } } } } }) };
      },
    ],
    [
      'POST',
      /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?:predict$/,
      async (m, req) => {
        model(m);
        const input = only();
        let rows;
        let columnar = false;
        if (Array.isArray(req?.instances)) rows = req.instances.map((r) => (r && typeof r === 'object' && !Array.isArray(r) ? r[input.name] : r));
        else if (req?.inputs !== undefined) {
          columnar = true;
          rows = Array.isArray(req.inputs) ? req.inputs : req.inputs[input.name];
        } else throw new BadRequest('the request needs "instances" or "inputs"');
        if (!Array.isArray(rows)) throw new BadRequest(`no values for input "${input.name}"`);
        const out = await run({ [input.name]: { type: input.type, shape: shapeOf(rows), data: rows } });
        if (columnar) return { status: 200, body: JSON.stringify({ outputs: Object.fromEntries(out.map((o) => [o.name, nest(o.values, o.dims)])) }) };
        const n = out[0]?.dims[0] ?? 0;
        const predictions = Array.from({ length: n }, (_, r) => Object.fromEntries(out.map((o) => [o.name, nest(o.values, o.dims)[r]])));
        return { status: 200, body: JSON.stringify({ predictions }) };
      },
    ],
    ['GET', /^\/ping$/, () => ({ status: 200, body: '\n' })],
    ['GET', /^\/version$/, () => ({ status: 200, body: '2.17.0' })],
    [
      'POST',
      /^\/invocations$/,
      async (_m, req) => {
        const input = only();
        let rows;
        if (req?.dataframe_split) rows = req.dataframe_split.data;
        else if (req?.inputs !== undefined) rows = req.inputs;
        else if (req?.instances !== undefined) rows = req.instances;
        else throw new BadRequest('the request needs "dataframe_split", "inputs" or "instances"');
        if (!Array.isArray(rows)) throw new BadRequest('the rows must be a list');
        const out = await run({ [input.name]: { type: input.type, shape: shapeOf(rows), data: rows } });
        const label = out.find((o) => o.dims.length === 1) ?? out[0];
        return { status: 200, body: JSON.stringify({ predictions: label.values }) };
      },
    ],
    ['GET', /^\/metrics$/, () => ({ status: 200, body: metrics(), type: 'text/plain; version=0.0.4' })],
  ];

  function model(m) {
    if (decodeURIComponent(m[1]) !== name) throw new BadRequest(`no model "${decodeURIComponent(m[1])}"; this server has "${name}"`, 404);
    if (m[2] && decodeURIComponent(m[2]) !== version) throw new BadRequest(`no version ${m[2]} of "${name}"`, 404);
    return true;
  }

  function metrics() {
    const lines = ['# HELP model_requests_total Inference requests by status code.', '# TYPE model_requests_total counter'];
    for (const [code, n] of stats.requests) lines.push(`model_requests_total{model="${name}",code="${code}"} ${n}`);
    lines.push('# HELP model_request_seconds Inference latency.', '# TYPE model_request_seconds histogram');
    let cumulative = 0;
    BUCKETS.forEach((b, i) => {
      cumulative += stats.histogram[i];
      lines.push(`model_request_seconds_bucket{model="${name}",le="${b}"} ${cumulative}`);
    });
    lines.push(`model_request_seconds_bucket{model="${name}",le="+Inf"} ${stats.count}`);
    lines.push(`model_request_seconds_sum{model="${name}"} ${stats.sum}`, `model_request_seconds_count{model="${name}"} ${stats.count}`);
    return `${lines.join('\n')}\n`;
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const chunks = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c) => {
      size += c.length;
      if (size > maxBody) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', async () => {
      const url = new URL(req.url, 'http://localhost');
      const send = (status, body, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        if (req.method === 'POST') {
          stats.requests.set(status, (stats.requests.get(status) ?? 0) + 1);
          const s = (performance.now() - started) / 1000;
          const i = BUCKETS.findIndex((b) => s <= b);
          stats.histogram[i < 0 ? BUCKETS.length : i]++;
          stats.sum += s;
          stats.count++;
        }
        options.observe?.({ method: req.method, path: url.pathname, request: Buffer.concat(chunks).toString('utf8'), status, response: body, contentType: req.headers['content-type'] });
      };
      try {
        if (options.token && req.headers.authorization !== `Bearer ${options.token}`) throw new BadRequest('missing or wrong bearer token', 401);
        const route = routes.find(([method, re]) => method === req.method && re.test(url.pathname));
        if (!route) return send(404, JSON.stringify({ error: `no route ${req.method} ${url.pathname}` }));
        if (req.method === 'POST') {
          if (tooBig) throw new BadRequest(`the request is larger than ${options.maxBodyMb ?? 8} MB`, 413);
          if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new BadRequest(`content type must be application/json, got ${req.headers['content-type'] ?? 'none'}`, 415);
          // Exactly errorRate of the requests fail, spread evenly: tests need no luck.
          if (options.errorRate) {
            stats.owed = (stats.owed ?? 0) + options.errorRate;
            if (stats.owed >= 1) {
              stats.owed -= 1;
              return send(500, JSON.stringify({ error: 'injected failure' }));
            }
          }
          if (options.hang) return; // never answers: the client's timeout must end the wait
        }
        let body = null;
        if (req.method === 'POST') {
          try {
            body = parseLenient(Buffer.concat(chunks).toString('utf8'));
          } catch (error) {
            throw new BadRequest(`the body is not valid JSON: ${error.message}`);
          }
        }
        const r = await route[2](route[1].exec(url.pathname), body);
        send(r.status, r.body, r.type);
      } catch (error) {
        send(error.status ?? 500, JSON.stringify({ error: error.message }));
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    stats,
    set(o) {
      Object.assign(options, o);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => session.release().then(resolve, resolve));
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      name: { type: 'string', default: 'model' },
      version: { type: 'string', default: '1' },
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      'delay-ms': { type: 'string' },
      'error-rate': { type: 'string' },
      'max-body-mb': { type: 'string' },
      token: { type: 'string' },
      hang: { type: 'boolean', default: false },
    },
  });
  if (!values.model) {
    console.error('usage: onnx-server.mjs --model FILE [--name NAME] [--port 8000] [--delay-ms N] [--error-rate R] [--max-body-mb N]');
    process.exit(2);
  }
  const s = await startServer({
    model: values.model,
    name: values.name,
    version: values.version,
    port: Number(values.port),
    host: values.host,
    delayMs: values['delay-ms'] ? Number(values['delay-ms']) : 0,
    errorRate: values['error-rate'] ? Number(values['error-rate']) : 0,
    maxBodyMb: values['max-body-mb'] ? Number(values['max-body-mb']) : 8,
    token: values.token,
    hang: values.hang,
  });
  console.log(`listening on ${s.url}`);
  process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
  process.on('SIGINT', () => s.close().then(() => process.exit(0)));
}
