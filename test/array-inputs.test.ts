/**
 * Token ids from JSON Lines: a cell that is an array feeds a tensor input directly (the input named
 * like the column), its length checked against the shape. The model is a PyTorch export
 * (scripts/models/make_torch_models.py, text.onnx: input_ids and attention_mask int64[batch, seq]);
 * its logits on the rows fed from JSON Lines equal torch's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { findBadRows, keptRows } from '../src/data/bad-rows.ts';
import { arrayWidths, bindInputs, featuresFromDataset, feedsFor } from '../src/data/features.ts';
import { readDataset } from '../src/data/read.ts';
import type { Report } from '../src/report/json.ts';
import { openOnnxRunner } from '../src/runners/onnx.ts';
import type { OrtModule } from '../src/runners/onnxruntime-loader.ts';
import { byId, cli } from './support/cli.ts';

const MODEL = resolve('test/fixtures/models/torch/text.onnx');
const TEXT = (JSON.parse(readFileSync(resolve('test/fixtures/models/torch/expected.json'), 'utf8')) as {
  text: { input_ids: number[]; attention_mask: number[]; shape: [number, number]; logits: number[] };
}).text;
const [ROWS, SEQ] = TEXT.shape;
const row = (values: number[], r: number) => values.slice(r * SEQ, (r + 1) * SEQ);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-arrays-'));
});

function writeJsonl(name: string, rows: object[]): string {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

const tokenRows = () =>
  Array.from({ length: ROWS }, (_, r) => ({ id: `doc${r}`, input_ids: row(TEXT.input_ids, r), attention_mask: row(TEXT.attention_mask, r) }));

describe('array cells from JSON Lines feed tensor inputs', () => {
  it('rows fed from the arrays give torch\'s logits', async () => {
    const data = await readDataset(writeJsonl('tokens.jsonl', tokenRows()));
    const runner = await openOnnxRunner(ort as unknown as OrtModule, MODEL);
    try {
      const bindings = bindInputs(runner.signature, data, undefined, new Set(['id']));
      expect(bindings.map((b) => [b.name, b.source, b.rowShape])).toEqual([
        ['input_ids', { kind: 'array', column: 'input_ids' }, [SEQ]],
        ['attention_mask', { kind: 'array', column: 'attention_mask' }, [SEQ]],
      ]);
      const rows = featuresFromDataset(data, bindings, null);
      const out = await runner.infer(feedsFor(rows, 0, ROWS));
      expect(out.logits!.dims).toEqual([ROWS, 2]);
      Array.from(out.logits!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(TEXT.logits[i]!, 5));
    } finally {
      await runner.close();
    }
  });

  it('validates from the JSON Lines file with no inputs config: GO, the mapping names the array columns', async () => {
    const path = writeJsonl('tokens-cli.jsonl', tokenRows());
    const { code, stdout } = await cli(['validate', '--model', MODEL, '--data', path, '--out', join(dir, 'out'), '--json']);
    const report = JSON.parse(stdout) as Report;
    expect(byId(report, 'inputs.mapping').message).toBe(
      `"input_ids" int64[N, ${SEQ}] <- arrays in column input_ids; "attention_mask" int64[N, ${SEQ}] <- arrays in column attention_mask (${ROWS} rows of ${path})`,
    );
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });

  it('a row whose array has another length than the others is a bad row, named, when the length is declared', async () => {
    const rows = tokenRows();
    rows[1]!.input_ids = rows[1]!.input_ids.slice(0, SEQ - 1);
    const data = await readDataset(writeJsonl('ragged.jsonl', rows));
    const runner = await openOnnxRunner(ort as unknown as OrtModule, MODEL);
    try {
      // The sequence length is dynamic in the model: with ragged rows, the config must say it.
      expect(() => bindInputs(runner.signature, data, undefined, new Set(['id']))).toThrow(/holds arrays of different lengths .* set model\.inputs\.input_ids\.shape/);
      const bindings = bindInputs(runner.signature, data, { input_ids: { shape: [SEQ] } }, new Set(['id']));
      const bad = findBadRows(data, ['input_ids', 'attention_mask'], undefined, arrayWidths(bindings));
      expect(bad.indices).toEqual([1]);
      expect(bad.first).toEqual([{ row: 2, reason: `"input_ids" has ${SEQ - 1} values; the input it feeds takes ${SEQ}` }]);
      expect(featuresFromDataset(data, bindings, keptRows(bad)).rows).toBe(ROWS - 1);
    } finally {
      await runner.close();
    }
  });
});
