/** Which integer inputs index an embedding table, and its rows, read from an exported graph. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idTableRows, readGraphFacts } from '../../src/runners/onnx-graph.ts';

describe('embedding tables an input indexes', () => {
  it('a PyTorch BERT-like export: input_ids 50 rows, token_type_ids 2, the mask none', () => {
    const facts = readGraphFacts(readFileSync(resolve('test/fixtures/models/qa2/bert_a.onnx')));
    expect(idTableRows(facts, 'input_ids')).toBe(50);
    expect(idTableRows(facts, 'token_type_ids')).toBe(2);
    expect(idTableRows(facts, 'attention_mask')).toBeNull();
  });

  it('a model without a lookup: none', () => {
    const facts = readGraphFacts(readFileSync(resolve('test/fixtures/models/qa2/kws_a.onnx')));
    expect(idTableRows(facts, 'waveform')).toBeNull();
  });
});
