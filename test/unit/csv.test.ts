import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/data/csv.ts';
import { column } from '../../src/data/dataset.ts';

const dir = mkdtempSync(join(tmpdir(), 'model-gate-csv-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('readCsv', () => {
  it('reads quoted fields, CRLF, a BOM, blank lines and spaces around cells', async () => {
    const path = file('quoted.csv', '\uFEFF a ,b,city\r\n1, 2.5 ,"New York, NY"\r\n\r\n3,-4e-3,"say ""hi""\nthere"\r\n');
    const d = await readCsv(path);
    expect(d.rows).toBe(2);
    expect(d.columns.map((c) => [c.name, c.kind])).toEqual([['a', 'numeric'], ['b', 'numeric'], ['city', 'text']]);
    expect([...column(d, 'b')!.values!]).toEqual([2.5, -0.004]);
    expect(column(d, 'city')!.text).toEqual(['New York, NY', 'say "hi"\nthere']);
    expect(d.malformed).toEqual([]);
  });

  it('keeps going past ragged rows and marks them malformed', async () => {
    const d = await readCsv(file('ragged.csv', 'a,b\n1,2\n3\n4,5,6\n7,8\n'));
    expect(d.rows).toBe(4);
    expect(d.malformed).toEqual([1, 2]);
    expect(d.malformedFirst.map((m) => m.reason)).toEqual(['1 fields, the header has 2', '3 fields, the header has 2']);
    expect([...column(d, 'a')!.values!]).toEqual([1, 3, 4, 7]);
  });

  it('decodes a multi-byte character split across read chunks', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i},é${i % 7}ü`).join('\n');
    const d = await readCsv(file('utf8.csv', `n,word\n${rows}\n`));
    expect(d.rows).toBe(40_000);
    expect(column(d, 'word')!.text!.every((w, i) => w === `é${i % 7}ü`)).toBe(true);
  });

  it('reads CRLF and LF files alike when the header is over 1 MB (longer than a read chunk)', async () => {
    const width = 90_000; // names "feature_00000".. are 13-14 bytes: a 1.2 MB header
    const names = Array.from({ length: width }, (_, j) => `feature_${String(j).padStart(5, '0')}`);
    const rows = [0, 1, 2].map((r) => Array.from({ length: width }, (_, j) => String((r * 7 + j) % 100)).join(','));
    const text = [names.join(','), ...rows].join('\n') + '\n';
    expect(names.join(',').length).toBeGreaterThan(1 << 20);
    const lf = await readCsv(file('wide-lf.csv', text));
    const crlf = await readCsv(file('wide-crlf.csv', text.replaceAll('\n', '\r\n')));
    const cr = await readCsv(file('wide-cr.csv', text.replaceAll('\n', '\r')));
    for (const d of [lf, crlf, cr]) {
      expect(d.rows).toBe(3);
      expect(d.columns.length).toBe(width);
      expect(d.columns.map((c) => c.name)).toEqual(names);
      expect(d.columns.every((c) => c.kind === 'numeric' && c.invalid.length === 0)).toBe(true);
      expect([...column(d, 'feature_89999')!.values!]).toEqual([99, 6, 13]);
      expect(d.malformed).toEqual([]);
    }
  });

  it('guesses the delimiter from the whole first line', async () => {
    const header = Array.from({ length: 20_000 }, (_, j) => `c${j}`);
    const d = await readCsv(file('wide.tsv.txt', `${header.join('\t')}\r\n${header.map((_, j) => j).join('\t')}\r\n`));
    expect(d.columns.length).toBe(20_000);
    expect([...column(d, 'c19999')!.values!]).toEqual([19_999]);
  });

  it('names the file and the cause when it cannot be read', async () => {
    await expect(readCsv(join(dir, 'absent.csv'))).rejects.toThrow(/absent.csv: file not found/);
    await expect(readCsv(file('empty.csv', ''))).rejects.toThrow(/empty.csv: the file is empty/);
    await expect(readCsv(file('dup.csv', 'a,b,a\n1,2,3\n'))).rejects.toThrow(/dup.csv: column "a" appears twice/);
  });
});
