/** A server of your own: a request template filled with the rows or V2 inputs, outputs read by JSON Pointer. */
import { TensorDecodeError, rowsText, shapeOf, tensorFromValues, tensorText } from '../tensor-json.ts';
import { pointer } from './json-shape.ts';
import type { EndpointBase, ProtocolDescriptor } from './protocol.ts';

export interface CustomSettings {
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

export const custom: ProtocolDescriptor<EndpointBase & CustomSettings> = {
  problem: (c, { key, where }) => (c.custom ? null : `protocol custom needs ${key}.endpoint.custom (path, template, outputs) in ${where}`),
  build(c) {
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
  },
};
