import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Records, readCsv } from '../../src/data/csv.ts';
import { plainEnd, plainNumber, readPlainCsv } from '../../src/data/csv-plain.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import { DEFAULT_LIMITS } from '../../src/data/limits.ts';
import { uniformSource } from '../../src/stats/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'model-gate-csv-plain-'));
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Byte-exact (-0 is not 0, NaN is NaN): the two readers must give the same doubles. */
function same(a: Dataset, b: Dataset): void {
  const bytes = (v: Float64Array | null) => (v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') : null);
  expect(a.columns.map((c) => ({ ...c, values: bytes(c.values) }))).toEqual(b.columns.map((c) => ({ ...c, values: bytes(c.values) })));
  expect({ ...a, columns: [] }).toEqual({ ...b, columns: [] });
}

/** Cells a numeric column may hold, the plain ones and every kind the fast path hands to Number. */
const CELLS = [
  '1', '-2', '+3', '0', '-0', '-0.0', '007', '.5', '-.25', '5.', '1.e5', '1e5', '1E-7', '2.5e+22', '9e-23', '1e23', '123456789012345', '1234567890123456',
  '0.1', '0.30000000000000004', '3.14159', '-1.7976931348623157e308', '4.9e-324', '1e99999', '0x1F', 'nan', 'NaN', 'inf', '-Infinity', '',
  ' 1.5 ', '\t2', '1_000', '1e', '-', '.', 'abc', '1.2.3', '١', 'é',
];

describe('readCsv without quotes (from bytes)', () => {
  it('reads every kind of cell exactly as the Papa Parse path does, in LF and CRLF files', async () => {
    const r = uniformSource(7);
    const pick = () => CELLS[Math.floor(r() * CELLS.length)]!;
    const lines = ['a,b,c,word'];
    for (let i = 0; i < 3000; i++) {
      const u = r();
      if (u < 0.01) lines.push(''); // blank line
      else if (u < 0.02) lines.push(`${pick()},${pick()}`); // too few fields
      else if (u < 0.03) lines.push(`1,2,3,x,${r() < 0.5 ? '' : pick()}`); // too many (a trailing comma too)
      else if (u < 0.04) lines.push('   '); // blank with spaces
      else {
        // Mostly numbers (the kinds stay numeric), a word column, a stray '\r' now and then.
        const num = () => (r() < 0.8 ? (r() * 200 - 100).toFixed(Math.floor(r() * 8)) : pick());
        lines.push(`${num()},${num()}${r() < 0.01 ? '\r' : ''},${num()},${r() < 0.5 ? 'wörd' : ` w ${i} `}`);
      }
    }
    for (const [name, text] of [
      ['lf.csv', lines.join('\n') + '\n'],
      ['lf-no-end.csv', lines.join('\n')],
      ['crlf.csv', lines.join('\r\n') + '\r\n'],
      ['crlf-lone-lf.csv', lines.join('\r\n').replace('wörd', 'wö\nrd') + '\r\n'],
      ['tab.csv', lines.join('\n').replaceAll(',', '\t')],
      ['semicolon.csv', lines.join('\n').replaceAll(',', ';')],
    ] as const) {
      const path = file(name, text);
      const plain = await readPlainCsv(path, { newline: name.startsWith('crlf') ? '\r\n' : '\n', delimiter: name === 'tab.csv' ? '\t' : name === 'semicolon.csv' ? ';' : ',' }, DEFAULT_LIMITS, new Records(path));
      expect(plain, name).not.toBeNull(); // the fast path read it
      same(await readCsv(path), await readCsv(path, DEFAULT_LIMITS, { fast: false }));
    }
  });

  it('reads a last number with no newline after it, in LF and CRLF files', async () => {
    const body = Array.from({ length: 1500 }, (_, i) => `${i},${(i / 7).toFixed(3)}`);
    for (const [name, text, newline] of [
      ['end-lf.csv', `a,b\n${body.join('\n')}\n7,-1.25e-3`, '\n'],
      ['end-crlf.csv', `a,b\r\n${body.join('\r\n')}\r\n7,-1.25e-3`, '\r\n'],
      ['end-cr.csv', `a,b\r\n${body.join('\r\n')}\r\n7,-1.25e-3\r`, '\r\n'],
    ] as const) {
      const path = file(name, text);
      expect(await readPlainCsv(path, { newline, delimiter: ',' }, DEFAULT_LIMITS, new Records(path)), name).not.toBeNull();
      const d = await readCsv(path);
      expect(d.columns[1]!.values!.at(-1)).toBe(-0.00125);
      same(d, await readCsv(path, DEFAULT_LIMITS, { fast: false }));
    }
  });

  it('leaves to Papa Parse a delimiter that could be part of a number, or a newline of \\r alone', async () => {
    const path = file('dots.csv', 'a.b\n1.2\n');
    for (const head of [{ newline: '\n', delimiter: '.' }, { newline: '\n', delimiter: 'e' }, { newline: '\r', delimiter: ',' }]) {
      expect(await readPlainCsv(path, head, DEFAULT_LIMITS, new Records(path))).toBeNull();
    }
  });

  it('hands a file with a quote anywhere to Papa Parse', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => `${i},${i / 7}`).join('\n');
    const path = file('late-quote.csv', `a,b\n${body}\n"5000",1\n`);
    expect(await readPlainCsv(path, { newline: '\n', delimiter: ',' }, DEFAULT_LIMITS, new Records(path))).toBeNull();
    const d = await readCsv(path);
    expect(d.rows).toBe(5001);
    same(d, await readCsv(path, DEFAULT_LIMITS, { fast: false }));
  });

  it('parses plain decimals to the double Number gives, and leaves the rest to Number', () => {
    const r = uniformSource(11);
    const samples = [...CELLS];
    for (let i = 0; i < 20_000; i++) {
      const digits = Math.floor(r() * 17);
      const mantissa = Array.from({ length: digits + 1 }, () => Math.floor(r() * 10)).join('');
      const dot = Math.floor(r() * (digits + 2));
      const e = r() < 0.3 ? `e${Math.floor(r() * 60) - 30}` : '';
      samples.push(`${r() < 0.5 ? '-' : ''}${mantissa.slice(0, dot)}.${mantissa.slice(dot)}${e}`);
    }
    for (const s of samples) {
      const b = Buffer.from(`${s}\n`); // a line, as the reader hands it over
      const v = plainNumber(b, 0);
      if (Number.isNaN(v) || plainEnd !== b.length - 1) continue; // not read whole here: the caller gives the text to Number
      expect(Object.is(v, Number(s)), s).toBe(true);
    }
  });
});
