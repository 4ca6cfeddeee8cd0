/**
 * What to write in the config when an input cannot be fed: a ready-to-paste `model.inputs`
 * snippet for the model at hand, one line per input that needs something, saying why.
 */
import type { Dim, TensorSpec } from '../runners/types.ts';
import { describeColumns } from './dataset.ts';
import { formatShape } from './layout.ts';

export interface InputNeed {
  spec: TensorSpec;
  batchAxis: number | null;
  reason: string;
  /**
   * What the config must give: a constant, sizes for dynamic dims, columns, or data at all; `rest`:
   * nothing, the data's remaining columns (`columns`) feed it once the other lines are pasted.
   */
  need: 'value' | 'shape' | 'columns' | 'data' | 'unsupported' | 'rest';
  columns?: string[];
}

/** Inputs named like recurrent state: a zero state is what a fresh stream starts from. */
export const STATE_NAME = /state|hidden|cache|past|^[hc]\d*$|^[hc]_?(in|0)$/i;

/** Inputs named like masks (`attention_mask`): 1 where a token is, 0 where the row is padded. */
export const MASK_NAME = /mask/i;

/** Inputs named like token types (segment ids): all 0 for one segment, as a tokenizer gives for one sentence. */
export const TOKEN_TYPE_NAME = /token_type|segment/i;

/** An input without a column whose hint is a zero constant rather than columns: a state, token types. */
export const zeroByDefault = (name: string): boolean => STATE_NAME.test(name) || TOKEN_TYPE_NAME.test(name);

/** A YAML snippet (under `model: inputs:`) that feeds every input named in `needs`. */
export function inputsSnippet(needs: readonly InputNeed[], symbol: string | null): string {
  const lines = needs
    .filter((n) => n.need !== 'unsupported')
    .map((n) => {
      const { spec, batchAxis } = n;
      if (n.need === 'rest') return `    # ${spec.name}: fed by the remaining columns, ${describeColumns(n.columns ?? [])}`;
      const rest = batchAxis === null ? spec.shape : spec.shape.filter((_, i) => i !== batchAxis);
      const keys: string[] = [];
      if (n.need === 'value' || (n.need === 'columns' && zeroByDefault(spec.name))) {
        keys.push(`value: ${spec.scalar || rest.length === 0 ? '<value>' : '0'}`);
        if (rest.some((d) => typeof d !== 'number')) keys.push(`shape: ${sizes(rest)}`);
      } else if (n.need === 'shape') keys.push(`shape: ${sizes(rest)}`);
      else if (n.need === 'columns') keys.push('columns: [<column>, …]');
      else keys.push('columns: [<text column>]');
      const declaredAxis = inferredNote(spec, batchAxis, symbol);
      return `    ${yamlKey(spec.name)}: { ${keys.join(', ')} }   # ${spec.dtype ?? 'non-tensor'}${formatShape(spec.shape)}${declaredAxis}`;
    });
  if (lines.length === 0) return '';
  return ['model:', '  inputs:', ...lines].join('\n');
}

function sizes(dims: readonly Dim[]): string {
  return `[${dims.map((d) => (typeof d === 'number' ? String(d) : `<${typeof d === 'string' && meaningful(d) ? d : 'size'}>`)).join(', ')}]`;
}

/** A dim name worth showing as the placeholder (`height`), not an exporter's serial (`p2o.DynamicDimension.1`). */
const meaningful = (name: string) => /^[A-Za-z_]\w{0,24}$/.test(name) && !/dynamic|unk|^dim_?\d|^d\d|^\d/i.test(name);

function inferredNote(spec: TensorSpec, batchAxis: number | null, symbol: string | null): string {
  if (batchAxis === null) return spec.scalar ? ', a scalar fed to every call' : ', no batch axis';
  if (batchAxis === 0) return '';
  return `, batch on axis ${batchAxis}${symbol && spec.shape[batchAxis] === symbol ? ` ("${symbol}")` : ''}`;
}

/** A YAML mapping key: plain when safe, quoted otherwise (ONNX names like `onnx::Flatten_0`). */
export function yamlKey(name: string): string {
  return /^[A-Za-z_][\w.-]*$/.test(name) ? name : JSON.stringify(name);
}
