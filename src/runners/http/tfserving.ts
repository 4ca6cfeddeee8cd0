/** TensorFlow Serving's REST API: rows (`instances`) or columns (`inputs`); types from the signature. */
import { TensorDecodeError, rowsText, tensorFromValues } from '../tensor-json.ts';
import type { DType, TensorSpec } from '../types.ts';
import { dims, obj } from './json-shape.ts';
import { modelPath, needsName, type EndpointBase, type ProtocolDescriptor } from './protocol.ts';

export interface TfServingSettings {
  /** TF Serving: `instances` (row) or `inputs` (columnar) requests. */
  tfserving_format: 'instances' | 'inputs';
  /** TF Serving: the signature to read from the metadata. */
  signature_name: string;
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

export const tfserving: ProtocolDescriptor<EndpointBase & TfServingSettings> = {
  problem: needsName,
  build(c) {
    const model = modelPath('/v1/models', c);
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
  },
};
