/**
 * The .npz reader against archives NumPy wrote (scripts/data/make_npz_fixtures.py): every dtype it
 * takes reads back as NumPy reads it (expected.json), Fortran order and the 2.0 header included;
 * arrays of several dims are array columns; broken archives say why, naming the file and array.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { column } from '../../src/data/dataset.ts';
import { readDataset } from '../../src/data/read.ts';

const DIR = 'test/fixtures/npz';
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { dtypes: Record<string, { shape: number[]; values: (number | string | null)[] }> };
const num = (v: number | string | null) => (v === null ? Number.NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));

describe('reading .npz archives', () => {
  it('reads every dtype as NumPy does, in C order, with NaN counted missing', async () => {
    const d = await readDataset(join(DIR, 'dtypes.npz'));
    expect(d.format).toBe('npz');
    expect(d.rows).toBe(5);
    for (const [name, want] of Object.entries(EXPECTED.dtypes)) {
      const col = column(d, name)!;
      expect(col, name).toBeDefined();
      if (want.shape.length > 1) {
        expect(col.kind, name).toBe('array');
        expect(col.array!.shape, name).toEqual(want.shape.slice(1));
        expect([...col.array!.values], name).toEqual(want.values.map(num));
        expect([...col.array!.offsets], name).toEqual([0, 1, 2, 3, 4, 5].map((r) => (r * want.values.length) / 5));
      } else if (want.values.some((v) => typeof v === 'string' && v !== 'inf' && v !== '-inf')) {
        expect(col.kind, name).toBe('text');
        expect(col.text, name).toEqual(want.values);
      } else {
        expect(col.kind, name).toBe('numeric');
        expect([...col.values!], name).toEqual(want.values.map(num));
      }
    }
    expect(column(d, 'f4')!.missing).toBe(1);
    expect(column(d, 'word')!.missing).toBe(1);
    expect(d.notes).toEqual(['"README.txt" is not a .npy array; not read', 'array "sr" is a scalar, not one value per row; not read']);
  });

  it('reads the iris rows saved as X and species: X is an array column of 4 values a row', async () => {
    const d = await readDataset(join(DIR, 'iris.npz'));
    const csv = readFileSync('examples/iris/eval.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    expect(d.rows).toBe(csv.length);
    expect(column(d, 'X')!.array!.shape).toEqual([4]);
    expect([...column(d, 'X')!.array!.values.slice(0, 4)]).toEqual(csv[0]!.slice(0, 4).map((v) => Math.fround(v)));
    expect([...column(d, 'species')!.values!]).toEqual(csv.map((r) => r[4]));
  });

  it('refuses an object array (a pickle) with the fix, and arrays of different row counts', async () => {
    await expect(readDataset(join(DIR, 'object.npz'))).rejects.toThrow(/object\.npz: array "x": dtype \|O is object \(pickled Python objects\).*np\.asarray\(x, dtype=str\)/);
    await expect(readDataset(join(DIR, 'rows.npz'))).rejects.toThrow(/rows\.npz: the arrays hold different numbers of rows \(X 10, y 9; the first axis is the rows\)/);
  });

  it('says what a file that is not an archive is', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mg-npz-')), 'eval.npz');
    writeFileSync(file, 'sepal_length,species\n5.0,0\n');
    await expect(readDataset(file)).rejects.toThrow(/eval\.npz: not a readable \.npz archive \(a zip of \.npy arrays, as np\.savez writes\)/);
  });
});
