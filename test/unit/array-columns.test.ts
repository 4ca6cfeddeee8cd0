import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { findBadRows } from '../../src/data/bad-rows.ts';
import { column, type Column } from '../../src/data/dataset.ts';
import { readJsonl } from '../../src/data/jsonl.ts';
import { readParquet } from '../../src/data/parquet.ts';

const dir = mkdtempSync(join(tmpdir(), 'model-gate-arrays-'));
const jsonl = (name: string, rows: unknown[]) => {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
};
/** Row r's elements of an array column. */
const cell = (c: Column, r: number) => [...c.array!.values.subarray(c.array!.offsets[r]!, c.array!.offsets[r + 1]!)];

describe('array columns from JSON Lines', () => {
  it('reads flat token ids with their common shape', async () => {
    const d = await readJsonl(jsonl('ids.jsonl', [
      { input_ids: [101, 2023, 102], label: 1 },
      { input_ids: [101, 7592, 102], label: 0 },
    ]));
    const ids = column(d, 'input_ids')!;
    expect(ids.kind).toBe('array');
    expect(ids.values).toBeNull();
    expect([...ids.array!.offsets]).toEqual([0, 3, 6]);
    expect(cell(ids, 1)).toEqual([101, 7592, 102]);
    expect(ids.array!.shape).toEqual([3]);
    expect(column(d, 'label')!.kind).toBe('numeric');
    expect(findBadRows(d, ['input_ids', 'label']).indices).toEqual([]);
  });

  it('flattens nested arrays row-major and keeps their shape; booleans are 0 and 1', async () => {
    const d = await readJsonl(jsonl('nested.jsonl', [{ img: [[1, 2, 3], [4, 5, 6]] }, { img: [[true, false, 0], [7, 8, 9]] }]));
    const img = column(d, 'img')!;
    expect(img.array!.shape).toEqual([2, 3]);
    expect(cell(img, 0)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cell(img, 1)).toEqual([1, 0, 0, 7, 8, 9]);
  });

  it('gives no shape when rows differ (ragged), and counts empty and null cells as missing', async () => {
    const d = await readJsonl(jsonl('ragged.jsonl', [
      { ids: [1, 2, 3] },
      { ids: [4, 5] },
      { ids: [] },
      { ids: null },
      {},
      { ids: [[1, 2], [3]] },
    ]));
    const ids = column(d, 'ids')!;
    expect(ids.kind).toBe('array');
    expect(ids.array!.shape).toBeNull();
    expect([...ids.array!.offsets]).toEqual([0, 3, 5, 5, 5, 5, 8]);
    expect(ids.missing).toBe(3);
    expect(ids.invalid).toEqual([]);
    const bad = findBadRows(d, ['ids']);
    expect(bad.indices).toEqual([2, 3, 4]);
    expect(bad.byCause).toEqual({ malformed: 0, missing: 3, invalid: 0 });
    expect(bad.first[0]).toEqual({ row: 3, reason: '"ids" is empty' });
  });

  it('makes a cell with a non-numeric element, or a non-array, an invalid cell; null elements are missing values', async () => {
    const d = await readJsonl(jsonl('invalid.jsonl', [
      { ids: [1, 2] },
      { ids: [1, 'two'] },
      { ids: [3, 4] },
      { ids: 5 },
      { ids: [6, null] },
      { ids: [[7, { x: 1 }]] },
      { ids: [8, 9] },
    ]));
    const ids = column(d, 'ids')!;
    expect(ids.kind).toBe('array');
    expect(ids.invalid).toEqual([1, 3, 5]);
    expect(cell(ids, 1)).toEqual([]);
    expect(cell(ids, 2)).toEqual([3, 4]);
    expect(ids.array!.shape).toEqual([2]);
    const bad = findBadRows(d, ['ids']);
    expect(bad.indices).toEqual([1, 3, 4, 5]);
    expect(bad.byCause).toEqual({ malformed: 0, missing: 1, invalid: 3 });
    expect(bad.first.map((b) => b.reason)).toEqual([
      '"ids" is not an array of numbers',
      '"ids" is not an array of numbers',
      '"ids" has a null or NaN element (at 1)',
      '"ids" is not an array of numbers',
    ]);
  });

  it('leaves lists of strings as text, and arrays in a mostly numeric column invalid', async () => {
    const d = await readJsonl(jsonl('mixed.jsonl', [
      { tags: ['a', 'b'], x: 1 },
      { tags: ['c'], x: [2] },
      { tags: [], x: 3 },
    ]));
    expect(column(d, 'tags')!.kind).toBe('text');
    expect(column(d, 'tags')!.text).toEqual(['["a","b"]', '["c"]', '[]']);
    expect(column(d, 'x')!.kind).toBe('numeric');
    expect(column(d, 'x')!.invalid).toEqual([1]);
  });

  it('reads an image per row (3 × 64 × 64)', async () => {
    const pixels = 3 * 64 * 64;
    const rows = Array.from({ length: 40 }, (_, r) => ({ image: Array.from({ length: 3 }, (_, c) => Array.from({ length: 64 }, (_, y) => Array.from({ length: 64 }, (_, x) => (r + c + y + x) % 256))) }));
    const img = column(await readJsonl(jsonl('images.jsonl', rows)), 'image')!;
    expect(img.array!.shape).toEqual([3, 64, 64]);
    expect(img.array!.values.length).toBe(40 * pixels);
    expect(cell(img, 39).slice(0, 3)).toEqual([39, 40, 41]);
  });
});

describe('array columns from Parquet lists', () => {
  it('reads list and list-of-list columns as array columns, across row groups', async () => {
    const path = join(dir, 'lists.parquet');
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: 'ids', data: [[1n, 2n, 3n], [4n, 5n, 6n], null, [7n, null]] },
        { name: 'grid', data: [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]], [[1, 1], [1, Number.POSITIVE_INFINITY]]] },
        { name: 'words', data: [['a'], ['b'], [], ['c']] },
        { name: 'y', data: Float64Array.from([1, 2, 3, 4]) },
      ],
      schema: [
        { name: 'root', num_children: 4 },
        { name: 'ids', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'OPTIONAL', type: 'INT64' },
        { name: 'grid', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', type: 'DOUBLE' },
        { name: 'words', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
        { name: 'y', repetition_type: 'REQUIRED', type: 'DOUBLE' },
      ],
      rowGroupSize: 2,
    });
    const d = await readParquet(path);
    expect(d.columns.map((c) => [c.name, c.kind])).toEqual([['ids', 'array'], ['grid', 'array'], ['y', 'numeric']]);
    expect(d.notes).toEqual(['column "words" is nested (a struct, a map or a list of non-numbers); not read']);
    const ids = column(d, 'ids')!;
    expect([...ids.array!.offsets]).toEqual([0, 3, 6, 6, 8]);
    expect(cell(ids, 1)).toEqual([4, 5, 6]);
    expect(ids.array!.shape).toBeNull();
    expect(ids.missing).toBe(1);
    const grid = column(d, 'grid')!;
    expect(grid.array!.shape).toEqual([2, 2]);
    expect(cell(grid, 2)).toEqual([9, 10, 11, 12]);
    const bad = findBadRows(d, ['ids', 'grid']);
    expect(bad.indices).toEqual([2, 3]);
    expect(bad.first.map((b) => b.reason)).toEqual(['"ids" is empty', '"ids" has a null or NaN element (at 1)']);
    expect(findBadRows(d, ['grid']).first).toEqual([{ row: 4, reason: '"grid" has an infinite element (at 3)' }]);
  });

  it('reads a wide file (more columns than one hyparquet call takes), skipping a nested column in the middle', async () => {
    const path = join(dir, 'wide.parquet');
    const width = 600;
    const rows = 5;
    const flat = Array.from({ length: width }, (_, j) => ({ name: `px${j}`, data: Float64Array.from({ length: rows }, (_, r) => r * 1000 + j) }));
    parquetWriteFile({
      filename: path,
      columnData: [...flat.slice(0, 300), { name: 'words', data: [['a'], ['b'], [], ['c'], ['d']] }, ...flat.slice(300), { name: 'ids', data: [[1n], [2n], [3n], [4n], [5n]] }],
      schema: [
        { name: 'root', num_children: width + 2 },
        ...flat.slice(0, 300).map((c) => ({ name: c.name, repetition_type: 'REQUIRED' as const, type: 'DOUBLE' as const })),
        { name: 'words', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
        ...flat.slice(300).map((c) => ({ name: c.name, repetition_type: 'REQUIRED' as const, type: 'DOUBLE' as const })),
        { name: 'ids', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'REQUIRED', type: 'INT64' },
      ],
      rowGroupSize: 2,
    });
    const d = await readParquet(path);
    expect(d.columns.map((c) => c.name)).toEqual([...flat.map((c) => c.name), 'ids']);
    expect(d.notes).toHaveLength(1);
    for (const j of [0, 255, 256, 299, 300, 599]) expect([...column(d, `px${j}`)!.values!]).toEqual([0, 1, 2, 3, 4].map((r) => r * 1000 + j));
    expect([...column(d, 'ids')!.array!.values]).toEqual([1, 2, 3, 4, 5]);
    expect(column(d, 'ids')!.array!.shape).toEqual([1]);
  });
});
