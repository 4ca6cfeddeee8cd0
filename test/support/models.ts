/** Models with known defects, each a real ONNX file run by the real onnxruntime. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, mlp } from './onnx-builder.ts';

const X4 = { name: 'x', type: 'float32' as const, shape: ['N', 4] };

export const MODELS = {
  /** Sums the whole batch into one value: one answer per call, none per row. */
  onePerCall: () =>
    buildModel({
      inputs: [X4],
      outputs: [{ name: 'total', type: 'float32', shape: [1, 1] }],
      nodes: [{ op: 'ReduceSum', inputs: ['x'], outputs: ['total'], attrs: { keepdims: 1 } }],
    }),
  /** A healthy 4 -> 8 -> 3 classifier. */
  healthy: () => mlp([4, 8, 3]),
  /** Sums any number of features: a wrong feature count is accepted silently. */
  anyWidth: () =>
    buildModel({
      inputs: [{ name: 'x', type: 'float32', shape: ['N', 'F'] }],
      outputs: [{ name: 'score', type: 'float32', shape: ['N', 1] }],
      nodes: [{ op: 'ReduceSum', inputs: ['x', 'axes'], outputs: ['score'], attrs: { keepdims: 1 } }],
      initializers: [{ name: 'axes', dims: [1], values: [1], type: 'int64' }],
    }),
  /** sqrt(x - 100): NaN for every ordinary input. */
  nanOutputs: () =>
    buildModel({
      inputs: [X4],
      outputs: [{ name: 'score', type: 'float32', shape: ['N', 4] }],
      nodes: [
        { op: 'Sub', inputs: ['x', 'hundred'], outputs: ['shifted'] },
        { op: 'Sqrt', inputs: ['shifted'], outputs: ['score'] },
      ],
      initializers: [{ name: 'hundred', dims: [1], values: [100] }],
    }),
  /** Reshape to [3, -1]: 4 values per row never divide by 3, so every inference throws. */
  throwsAtInference: () =>
    buildModel({
      inputs: [X4],
      outputs: [{ name: 'y', type: 'float32', shape: [3, 'K'] }],
      nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
      initializers: [{ name: 'shape', dims: [2], values: [3, -1], type: 'int64' }],
    }),
  /**
   * Scores named "probabilities" whose rows do not sum to 1: exp(−|x|), each in (0, 1]. (Columns
   * made by a Sigmoid are read as a multi-label model's tags, each its own probability.)
   */
  unnormalisedProbabilities: () =>
    buildModel({
      inputs: [X4],
      outputs: [{ name: 'probabilities', type: 'float32', shape: ['N', 4] }],
      nodes: [
        { op: 'Abs', inputs: ['x'], outputs: ['a'] },
        { op: 'Neg', inputs: ['a'], outputs: ['n'] },
        { op: 'Exp', inputs: ['n'], outputs: ['probabilities'] },
      ],
    }),
  /** x - mean over the batch: the answer for a row depends on the other rows in its batch. */
  batchDependent: () =>
    buildModel({
      inputs: [X4],
      outputs: [{ name: 'score', type: 'float32', shape: ['N', 4] }],
      nodes: [
        { op: 'ReduceMean', inputs: ['x'], outputs: ['m'], attrs: { axes: [0], keepdims: 1 } },
        { op: 'Sub', inputs: ['x', 'm'], outputs: ['score'] },
      ],
    }),
};

export type ModelName = keyof typeof MODELS;

/** Writes the named model into a fresh directory and returns its path. */
export function writeModel(name: ModelName, dir = mkdtempSync(join(tmpdir(), 'mg-model-'))): string {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, MODELS[name]());
  return path;
}
