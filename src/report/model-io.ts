/**
 * The model's inputs and outputs as every report lists them (terminal, summary, HTML): name,
 * type with the declared shape (symbolic dims by name), and how model-gate fed each input.
 */
import { formatShape } from '../data/layout.ts';
import type { Report } from './json.ts';

export interface IoRow {
  kind: 'input' | 'output';
  name: string;
  /** `float32[batch, 16000]`, `int64 scalar`, `seq(map) …`. */
  type: string;
  /** How it was fed, as sent (`[N, 512] <- columns …`); for an unreadable output, why; else ''. */
  fed: string;
}

/** At most this many inputs or outputs are listed; a model with more says how many. */
const MAX_ROWS = 40;

export function ioRows(report: Report): { rows: IoRow[]; more: number } {
  const sig = report.model.signature;
  if (!sig) return { rows: [], more: 0 };
  const type = (s: { dtype: string | null; shape: readonly (number | string | null)[]; scalar?: boolean }) =>
    s.dtype === null ? 'non-tensor (sequence or map)' : s.scalar ? `${s.dtype} scalar` : `${s.dtype}${s.shape.length > 0 ? formatShape(s.shape) : '[shape not declared]'}`;
  const all: IoRow[] = [
    ...sig.inputs.map((s) => ({ kind: 'input' as const, name: s.name, type: type(s), fed: s.fed ? `${s.fed_shape} <- ${s.fed}` : '' })),
    ...sig.outputs.map((s) => ({
      kind: 'output' as const,
      name: s.name,
      type: s.source ? `${type(s)} (declared ${s.source.type}: read from "${s.source.tensor}")` : type(s),
      fed: '',
    })),
    ...(sig.unreadable ?? []).map((u) => ({ kind: 'output' as const, name: u.name, type: `${u.type} (not readable)`, fed: u.problem })),
  ];
  return { rows: all.slice(0, MAX_ROWS), more: Math.max(0, all.length - MAX_ROWS) };
}
