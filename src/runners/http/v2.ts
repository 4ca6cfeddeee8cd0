/** The Open Inference Protocol (V2: KServe, Triton, MLServer, TorchServe): typed tensors by name. */
import { dtypeOfV2, outputsFromV2, tensorText } from '../tensor-json.ts';
import type { TensorSpec } from '../types.ts';
import { dims, obj } from './json-shape.ts';
import { modelPath, needsName, type ProtocolDescriptor } from './protocol.ts';

export const v2: ProtocolDescriptor = {
  problem: needsName,
  build(c) {
    const model = modelPath('/v2/models', c);
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
  },
};
