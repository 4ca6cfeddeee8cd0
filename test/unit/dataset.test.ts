import { describe, expect, it } from 'vitest';
import { column, columnNames, describeColumns, type Column, type Dataset } from '../../src/data/dataset.ts';

const numeric = (name: string): Column => ({ name, kind: 'numeric', values: new Float64Array(0), text: null, missing: 0, invalid: [] });
const dataset = (names: string[]): Dataset => ({ path: 'd.csv', format: 'csv', rows: 0, columns: names.map(numeric), malformed: [], malformedFirst: [], notes: [] });

describe('describeColumns', () => {
  it('lists a few names whole', () => {
    expect(describeColumns([])).toBe('');
    expect(describeColumns(['a', 'b', 'c'])).toBe('a, b, c');
    expect(describeColumns(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c, d, e, f');
  });

  it('gives the first few, the last and the count of many', () => {
    const pixels = Array.from({ length: 11_520 }, (_, j) => `px${j}`);
    expect(describeColumns(pixels)).toBe('px0, px1, px2 … px11519 (11,520 columns)');
    expect(describeColumns(pixels, 2)).toBe('px0 … px11519 (11,520 columns)');
    expect(describeColumns(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a, b, c … g (7 columns)');
  });

  it('keeps the message short for 150,528 columns', () => {
    const names = Array.from({ length: 150_528 }, (_, j) => `pixel_${j}`);
    const d = dataset(names);
    expect(columnNames(d).length).toBeLessThan(300);
    expect(columnNames(d)).toMatch(/^pixel_0, pixel_1, .* … pixel_150527 \(150,528 columns\)$/);
    expect(columnNames(dataset(['x', 'y']))).toBe('x, y');
  });
});

describe('column', () => {
  it('finds columns by name, also after columns are added', () => {
    const d = dataset(['a', 'b']);
    expect(column(d, 'b')?.name).toBe('b');
    expect(column(d, 'z')).toBeUndefined();
    d.columns.push(numeric('z'));
    expect(column(d, 'z')?.name).toBe('z');
  });
});
