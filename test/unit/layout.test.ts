/** Where the batch sits in a model's outputs, for the layouts real exporters write. */
import { describe, expect, it } from 'vitest';
import { outputBatchAxis } from '../../src/data/layout.ts';
import type { TensorSpec } from '../../src/runners/types.ts';

const spec = (name: string, shape: TensorSpec['shape'], scalar = false): TensorSpec => ({ name, dtype: 'float32', shape, ...(scalar ? { scalar } : {}) });

describe('outputBatchAxis', () => {
  // torch.onnx.export with dynamic axes as lists: every dim name is the exporter's own.
  const unnamed = [spec('x', ['x_dynamic_axes_1', 'x_dynamic_axes_2']), spec('sr', [], true), spec('state', [2, 'state_dynamic_axes_1', 16])];
  // Silero VAD v5 (spox): the state out is declared with no dims known at all.
  const silero = [spec('input', [null, null]), spec('state', [2, null, 128]), spec('sr', [], true)];

  it('takes the open axis over a fixed one that happens to equal the batch', () => {
    const stateN = spec('stateN', [2, 'stateN_dynamic_axes_1', 16]);
    expect(outputBatchAxis(stateN, [2, 2, 16], 2, 'x_dynamic_axes_1', unnamed)).toBe(1);
    expect(outputBatchAxis(stateN, [2, 32, 16], 32, 'x_dynamic_axes_1', unnamed)).toBe(1);
  });

  it('reads an undeclared state out like the state input it mirrors', () => {
    const stateN = spec('stateN', [null, null, null]);
    expect(outputBatchAxis(stateN, [2, 2, 128], 2, null, silero)).toBe(1);
    expect(outputBatchAxis(stateN, [2, 1, 128], 1, null, silero)).toBe(1);
    expect(outputBatchAxis(spec('output', [null, 1]), [2, 1], 2, null, silero)).toBe(0);
  });

  it('keeps the first axis for a fixed batch of 1 and for ordinary [N, k] outputs', () => {
    expect(outputBatchAxis(spec('score', [1, 1]), [1, 1], 1, null, [spec('features', [1, 16, 96])])).toBe(0);
    expect(outputBatchAxis(spec('probs', ['N', 5]), [5, 5], 5, 'N', [spec('image', ['N', 3, 'height', 'width'])])).toBe(0);
    expect(outputBatchAxis(spec('y', ['N']), [7], 7, 'N', [spec('x', ['N'])])).toBe(0);
  });

  it('finds no batch axis in an output of another size (a per-call value)', () => {
    expect(outputBatchAxis(spec('mean', [3]), [3], 8, 'N', [spec('x', ['N', 3])])).toBeNull();
  });
});
