/**
 * Token ids of different lengths beside an attention mask of the same lengths: padded with 0 to
 * the longest row, the mask's 0s marking the padding; anything else of different lengths is refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBadRows } from '../../src/data/bad-rows.ts';
import { arrayWidths, bindInputs, describeFeed, featuresFromDataset } from '../../src/data/features.ts';
import { readDataset } from '../../src/data/read.ts';
import type { ModelSignature } from '../../src/runners/types.ts';

const BERT: ModelSignature = {
  inputs: [
    { name: 'input_ids', dtype: 'int64', shape: ['batch', 'sequence'] },
    { name: 'attention_mask', dtype: 'int64', shape: ['batch', 'sequence'] },
  ],
  outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 2] }],
};

async function jsonl(rows: object[]) {
  const path = join(mkdtempSync(join(tmpdir(), 'mg-pad-')), 'tokens.jsonl');
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return readDataset(path);
}

describe('ragged token ids beside a mask of the same lengths', () => {
  it('are padded with 0 to the longest row, the mask too, and said so', async () => {
    const data = await jsonl([
      { input_ids: [1, 7, 12], attention_mask: [1, 1, 1] },
      { input_ids: [1, 9], attention_mask: [1, 1] },
    ]);
    const bindings = bindInputs(BERT, data, undefined, new Set());
    expect(bindings.map((b) => [b.rowShape, b.source])).toEqual([
      [[3], { kind: 'array', column: 'input_ids', padMask: 'attention_mask' }],
      [[3], { kind: 'array', column: 'attention_mask', padMask: 'attention_mask' }],
    ]);
    expect(describeFeed(bindings[0]!)).toBe('arrays in column input_ids, padded with 0 to 3 (attention_mask marks the padding)');
    expect(describeFeed(bindings[1]!)).toBe('arrays in column attention_mask, padded with 0 to 3');
    expect(findBadRows(data, ['input_ids', 'attention_mask'], undefined, arrayWidths(bindings)).indices).toEqual([]);
    const rows = featuresFromDataset(data, bindings, null);
    expect(Array.from(rows.typed[0] as BigInt64Array, Number)).toEqual([1, 7, 12, 1, 9, 0]);
    expect(Array.from(rows.typed[1] as BigInt64Array, Number)).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('a row longer than the padded length (another data set bound alike) is a bad row, named', async () => {
    const data = await jsonl([{ input_ids: [1, 2], attention_mask: [1, 1] }, { input_ids: [1], attention_mask: [1] }]);
    const longer = await jsonl([{ input_ids: [1, 2, 3], attention_mask: [1, 1, 1] }, { input_ids: [1], attention_mask: [1] }]);
    const widths = arrayWidths(bindInputs(BERT, data, undefined, new Set()));
    const bad = findBadRows(longer, ['input_ids', 'attention_mask'], undefined, widths);
    expect(bad.indices).toEqual([0]);
    expect(bad.first[0]!.reason).toBe('"input_ids" has 3 values; the input it feeds takes at most 2');
  });

  it('a mask of other lengths, or no mask, leaves the rows refused with the lengths and the fix', async () => {
    const data = await jsonl([
      { input_ids: [1, 7, 12], attention_mask: [1, 1, 1] },
      { input_ids: [1, 9], attention_mask: [1, 1, 1] },
    ]);
    expect(() => bindInputs(BERT, data, undefined, new Set())).toThrow(/column "input_ids" of .* holds arrays of different lengths \(2 to 3 values\)/);
    const noMask: ModelSignature = { inputs: [BERT.inputs[0]!], outputs: BERT.outputs };
    expect(() => bindInputs(noMask, data, undefined, new Set(['attention_mask']))).toThrow(/pad every row to one length in the data, or set model\.inputs\.input_ids\.shape/);
  });
});
