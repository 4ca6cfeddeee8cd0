/** featuresFromDataset's row-major copy of numeric columns, block by block, against the plain definition. */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.ts';
import { featuresFromDataset, type InputBinding } from '../../src/data/features.ts';

const ROWS = 5003; // over two blocks and a partial one
const WIDTH = 7;

const dataset: Dataset = {
  path: 'mem.csv',
  format: 'csv',
  rows: ROWS,
  columns: Array.from({ length: WIDTH }, (_, j) => ({
    name: `c${j}`,
    kind: 'numeric' as const,
    values: Float64Array.from({ length: ROWS }, (_, r) => (r * 31 + j * 7) / 13 - 100),
    text: null,
    missing: 0,
    invalid: [],
  })),
  malformed: [],
  malformedFirst: [],
  notes: [],
};

const binding = (dtype: 'float32' | 'float64'): InputBinding => {
  const columns = dataset.columns.map((c) => c.name);
  return { name: 'x', dtype, rowShape: [WIDTH], batchAxis: 0, declared: [null, WIDTH], source: { kind: 'columns', columns }, columns };
};

describe('featuresFromDataset', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`writes row r, column j at r × width + j (${dtype}), with and without kept rows`, () => {
      const keep = Int32Array.from({ length: ROWS }, (_, r) => r).filter((r) => r % 3 !== 1);
      for (const kept of [null, keep]) {
        const rows = featuresFromDataset(dataset, [binding(dtype)], kept);
        const n = kept ? kept.length : ROWS;
        const Type = dtype === 'float32' ? Float32Array : Float64Array;
        const expected = new Type(n * WIDTH);
        for (let r = 0; r < n; r++) for (let j = 0; j < WIDTH; j++) expected[r * WIDTH + j] = dataset.columns[j]!.values![kept ? kept[r]! : r]!;
        expect(rows.rows).toBe(n);
        expect(rows.typed[0]).toEqual(expected);
      }
    });
  }
});
