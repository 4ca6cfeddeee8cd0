/**
 * The readers bound line length and column count: a CSV header of 10^6 columns and a 100 MB
 * single line once cost the gate over a gigabyte (and, before the wide-data work, hung it); now
 * each is an error naming the file, the line and the setting that raises the bound.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../../src/data/read.ts';

const NODE = resolve('node_modules/node/bin/node');
const CLI = resolve('src/cli.ts');
const work = mkdtempSync(join(tmpdir(), 'mg-reader-bounds-'));
const file = (name: string, body: string | Buffer) => {
  const path = join(work, name);
  writeFileSync(path, body);
  return path;
};

function validate(data: string, extra = '') {
  const cfg = file(`${data.split('/').pop()}.yml`, `version: 1\nmodel: { path: examples/iris/model.onnx }\ndata: { eval: ${data}, label: species${extra} }\nchecks: { smoke: { batch_sizes: [1] }, latency: { warmup: 1, iterations: 5 }, errors: { enabled: false } }\n`);
  const r = spawnSync(NODE, [CLI, 'validate', '--config', cfg, '--out', join(work, 'out')], { env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, text: `${r.stdout}\n${r.stderr}`, error: r.error };
}

const MB100 = 100 * 1000 * 1000;

describe('data files past the readers bounds', () => {
  it('a CSV header of 10^6 columns: exit 2, naming the file and data.max_columns', () => {
    const n = 1_000_000;
    const path = file('wide.csv', `${Array.from({ length: n }, (_, i) => `c${i}`).join(',')}\n${'1,'.repeat(n - 1)}1\n`);
    const r = validate(path);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(2);
    expect(r.text).toContain(`${path}: 1,000,000 columns, more than the 262,144 model-gate reads: is this the right file? (raise data.max_columns`);
  });

  it('a 100 MB single line, in CSV and in JSON Lines: exit 2, naming the file, the line and data.max_line_mb', () => {
    const csv = file('line.csv', Buffer.concat([Buffer.from('sepal_length,species\n1,'), Buffer.alloc(MB100, 'x'), Buffer.from('\n')]));
    let r = validate(csv);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(2);
    expect(r.text).toContain(`${csv}: line 2 is longer than 64 MiB: is this the right file? (raise data.max_line_mb`);
    const jsonl = file('line.jsonl', Buffer.concat([Buffer.from('{"a": "'), Buffer.alloc(MB100, 'x'), Buffer.from('"}\n')]));
    r = validate(jsonl);
    expect(r.code).toBe(2);
    expect(r.text).toContain(`${jsonl}: line 1 is longer than 64 MiB`);
    // No newline at all: a header that never ends.
    const endless = file('endless.csv', Buffer.alloc(MB100, 'y'));
    r = validate(endless);
    expect(r.code).toBe(2);
    expect(r.text).toContain(`${endless}: line 1 is longer than 64 MiB`);
  });

  it('the bounds come from the config: lower ones refuse the iris data, the defaults read it', async () => {
    const r = validate(resolve('examples/iris/eval.csv'), ', max_columns: 3');
    expect(r.code).toBe(2);
    expect(r.text).toContain('5 columns, more than the 3 model-gate reads');
    await expect(readDataset('examples/iris/eval.csv', { maxLineBytes: 10, maxColumns: 100 })).rejects.toThrow(/line 1 is longer than 10 bytes/);
    expect((await readDataset('examples/iris/eval.csv')).columns).toHaveLength(5);
    const jsonKeys = file('keys.jsonl', `${JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])))}\n`);
    await expect(readDataset(jsonKeys, { maxLineBytes: 1 << 20, maxColumns: 20 })).rejects.toThrow(/keys\.jsonl: 50 columns, more than the 20 model-gate reads/);
  });
});
