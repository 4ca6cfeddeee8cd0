/**
 * How each serving protocol asks for readiness and metadata, and encodes a request and decodes
 * its answer. Pure: the runner does the HTTP. One object per protocol, chosen by name.
 */
import type { DType, Dim, Feeds, ModelSignature, Outputs, Tensor, TensorSpec } from '../types.ts';
import { TensorDecodeError, dtypeOfV2, outputsFromV2, rowsText, shapeOf, tensorFromValues, tensorText } from '../tensor-json.ts';

export const PROTOCOLS = ['v2', 'tfserving', 'mlflow', 'custom'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

export interface EndpointConfig {
  url: string;
  protocol: ProtocolName;
  /** Model name on the server (V2, TF Serving). */
  name?: string;
  version?: string;
  headers: Record<string, string>;
  timeout_ms: number;
  ready_timeout_s: number;
  /** TF Serving: `instances` (row) or `inputs` (columnar) requests. */
  tfserving_format: 'instances' | 'inputs';
  /** TF Serving: the signature to read from the metadata. */
  signature_name: string;
  /** MLflow: `dataframe_split` (with column names) or `inputs` (a plain array). */
  mlflow_format: 'dataframe_split' | 'inputs';
  /** custom: request and answer mapping. */
  custom?: {
    path: string;
    ready_path?: string;
    /** JSON text with `${rows}` (rows of the first input) or `${inputs}` (V2 inputs array). */
    template: string;
    /** Output name -> JSON Pointer into the answer (RFC 6901). */
    outputs: Record<string, string>;
  };
}

export interface RequestSpec {
  path: string;
  body: string;
}

export interface Protocol {
  /** Paths that must answer 2xx before the model counts as ready. */
  readyPaths: string[];
  /** Where the model's metadata is, or null when the protocol has none. */
  metadataPath: string | null;
  signatureOf(metadata: unknown): ModelSignature | null;
  encode(feeds: Feeds, columns: readonly string[] | null): RequestSpec;
  decode(answer: unknown, signature: ModelSignature | null): Outputs;
  /** The path inference requests go to (for the HTTP-level error scenarios). */
  inferPath: string;
  /** Whether requests carry element types and input names (V2 does; row-oriented JSON does not). */
  expresses: { dtype: boolean; names: boolean };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const only = (feeds: Feeds): [string, Tensor] => {
  const entries = Object.entries(feeds);
  if (entries.length !== 1) throw new TensorDecodeError(`this protocol sends one input; the model binding has ${entries.length}`);
  return entries[0]!;
};
/** A declared shape: -1 is the batch dimension when first, unknown elsewhere. */
const dims = (shape: unknown[]): Dim[] => shape.map((d, i) => (Number(d) >= 0 ? Number(d) : i === 0 ? 'N' : null));

function v2(c: EndpointConfig): Protocol {
  const model = `/v2/models/${encodeURIComponent(c.name ?? '')}${c.version ? `/versions/${encodeURIComponent(c.version)}` : ''}`;
  const spec = (t: unknown): TensorSpec => {
    const o = obj(t) ?? {};
    return { name: String(o.name), dtype: typeof o.datatype === 'string' ? dtypeOfV2(o.datatype) : null, shape: Array.isArray(o.shape) ? dims(o.shape) : [] };
  };
  return {
    readyPaths: ['/v2/health/ready', `${model}/ready`],
    expresses: { dtype: true, names: true },
    metadataPath: model,
    inferPath: `${model}/infer`,
    signatureOf(metadata) {
      const m = obj(metadata);
      if (!m || !Array.isArray(m.inputs)) return null;
      return { inputs: m.inputs.map(spec), outputs: Array.isArray(m.outputs) ? m.outputs.map(spec) : [] };
    },
    encode(feeds) {
      return { path: `${model}/infer`, body: `{"inputs":[${Object.entries(feeds).map(([n, t]) => tensorText(n, t)).join(',')}]}` };
    },
    decode(answer) {
      return outputsFromV2(obj(answer)?.outputs);
    },
  };
}

const TF_DTYPES: Record<string, DType> = {
  DT_FLOAT: 'float32',
  DT_DOUBLE: 'float64',
  DT_INT32: 'int32',
  DT_INT64: 'int64',
  DT_INT8: 'int8',
  DT_UINT8: 'uint8',
  DT_BOOL: 'bool',
  DT_STRING: 'string',
};

function tfserving(c: EndpointConfig): Protocol {
  const model = `/v1/models/${encodeURIComponent(c.name ?? '')}${c.version ? `/versions/${encodeURIComponent(c.version)}` : ''}`;
  const specs = (m: unknown): TensorSpec[] =>
    Object.entries(obj(m) ?? {}).map(([name, t]) => {
      const o = obj(t) ?? {};
      const dim = obj(o.tensor_shape)?.dim;
      return { name, dtype: TF_DTYPES[String(o.dtype)] ?? null, shape: Array.isArray(dim) ? dims(dim.map((d) => obj(d)?.size ?? -1)) : [] };
    });
  return {
    readyPaths: [model],
    expresses: { dtype: false, names: c.tfserving_format === 'inputs' },
    metadataPath: `${model}/metadata`,
    inferPath: `${model}:predict`,
    signatureOf(metadata) {
      const defs = obj(obj(obj(obj(metadata)?.metadata)?.signature_def)?.signature_def);
      const sig = obj(defs?.[c.signature_name]);
      if (!sig) return null;
      return { inputs: specs(sig.inputs), outputs: specs(sig.outputs) };
    },
    encode(feeds) {
      const entries = Object.entries(feeds);
      let body: string;
      if (c.tfserving_format === 'inputs') {
        body = `{"inputs":{${entries.map(([n, t]) => `${JSON.stringify(n)}:${rowsText(t)}`).join(',')}}}`;
      } else if (entries.length === 1) {
        body = `{"instances":${rowsText(entries[0]![1])}}`;
      } else {
        // Row format with several inputs: one object per row.
        const rows = entries.map(([n, t]) => [n, JSON.parse(rowsText(t).replace(/\bNaN\b/g, 'null').replace(/-?Infinity/g, 'null')) as unknown[]] as const);
        const n = rows[0]![1].length;
        body = `{"instances":${JSON.stringify(Array.from({ length: n }, (_, i) => Object.fromEntries(rows.map(([k, v]) => [k, v[i]]))))}}`;
      }
      return { path: `${model}:predict`, body };
    },
    decode(answer, signature) {
      const a = obj(answer);
      if (!a) throw new TensorDecodeError('the answer is not a JSON object');
      const single = signature?.outputs[0]?.name ?? 'predictions';
      // JSON numbers carry no type: read each output as the metadata declares it.
      const declared = (name: string) => {
        const d = signature?.outputs.find((o) => o.name === name)?.dtype ?? null;
        return d === 'float32' || d === 'int64' || d === 'int32' || d === 'bool' || d === 'string' ? d : null;
      };
      if (Array.isArray(a.predictions)) {
        const preds = a.predictions;
        if (preds.length > 0 && obj(preds[0])) {
          const keys = Object.keys(obj(preds[0])!);
          return Object.fromEntries(keys.map((k) => [k, tensorFromValues(k, preds.map((p) => obj(p)?.[k]), null, declared(k))]));
        }
        return { [single]: tensorFromValues(single, preds, null, declared(single)) };
      }
      if (a.outputs !== undefined) {
        const o = obj(a.outputs);
        if (o) return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, tensorFromValues(k, v, null, declared(k))]));
        return { [single]: tensorFromValues(single, a.outputs, null, declared(single)) };
      }
      throw new TensorDecodeError('the answer has neither "predictions" nor "outputs"');
    },
  };
}

function mlflow(c: EndpointConfig): Protocol {
  return {
    readyPaths: ['/ping'],
    expresses: { dtype: false, names: false },
    metadataPath: null,
    inferPath: '/invocations',
    signatureOf: () => null,
    encode(feeds, columns) {
      const [, t] = only(feeds);
      const rows = rowsText(t);
      if (c.mlflow_format === 'dataframe_split' && columns && columns.length === (t.dims[1] ?? 1)) {
        return { path: '/invocations', body: `{"dataframe_split":{"columns":${JSON.stringify(columns)},"data":${rows}}}` };
      }
      return { path: '/invocations', body: `{"inputs":${rows}}` };
    },
    decode(answer) {
      // MLflow 2 wraps the answer in {"predictions": …}; MLflow 1 answered the bare list.
      const preds = Array.isArray(answer) ? answer : obj(answer)?.predictions;
      if (!Array.isArray(preds)) throw new TensorDecodeError('the answer has no "predictions"');
      if (preds.length > 0 && obj(preds[0])) {
        const keys = Object.keys(obj(preds[0])!);
        return Object.fromEntries(keys.map((k) => [k, tensorFromValues(k, preds.map((p) => obj(p)?.[k]), null, null)]));
      }
      const o = obj(answer)?.predictions;
      if (obj(o)) return Object.fromEntries(Object.entries(obj(o)!).map(([k, v]) => [k, tensorFromValues(k, v, null, null)]));
      return { predictions: tensorFromValues('predictions', preds, null, null) };
    },
  };
}

/** RFC 6901: `/a/0/b`, with ~1 for `/` and ~0 for `~`. */
export function pointer(doc: unknown, path: string): unknown {
  if (path === '') return doc;
  let cur = doc;
  for (const raw of path.replace(/^\//, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (obj(cur)) cur = obj(cur)![key];
    else return undefined;
  }
  return cur;
}

function custom(c: EndpointConfig): Protocol {
  const cfg = c.custom!;
  return {
    readyPaths: cfg.ready_path ? [cfg.ready_path] : [],
    expresses: { dtype: /\$\{inputs\}/.test(cfg.template), names: /\$\{inputs\}/.test(cfg.template) },
    metadataPath: null,
    inferPath: cfg.path,
    signatureOf: () => null,
    encode(feeds) {
      const [, first] = Object.entries(feeds)[0] ?? [];
      const inputs = `[${Object.entries(feeds).map(([n, t]) => tensorText(n, t)).join(',')}]`;
      const body = cfg.template.replace(/\$\{rows\}/g, () => (first ? rowsText(first) : '[]')).replace(/\$\{inputs\}/g, () => inputs);
      return { path: cfg.path, body };
    },
    decode(answer) {
      return Object.fromEntries(
        Object.entries(cfg.outputs).map(([name, ptr]) => {
          const v = pointer(answer, ptr);
          if (v === undefined) throw new TensorDecodeError(`output "${name}": nothing at ${ptr} in the answer`);
          return [name, tensorFromValues(name, v, shapeOf(v).length === 0 ? [1] : null, null)];
        }),
      );
    },
  };
}

export function protocolFor(c: EndpointConfig): Protocol {
  switch (c.protocol) {
    case 'v2':
      return v2(c);
    case 'tfserving':
      return tfserving(c);
    case 'mlflow':
      return mlflow(c);
    case 'custom':
      return custom(c);
  }
}
