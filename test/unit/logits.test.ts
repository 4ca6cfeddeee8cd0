/** Class scores that are not probabilities (a classifier exported without its softmax or sigmoid), through the model view. */
import { describe, expect, it } from 'vitest';
import { readModelView, type Labels } from '../../src/checks/evaluation.ts';
import { judgeMetrics } from '../../src/checks/metrics.ts';
import { outputKind } from '../../src/checks/outputs.ts';
import type { OutputColumn, Predictions } from '../../src/checks/predictions.ts';
import { defaultConfig, parseConfig } from '../../src/config/load.ts';

const column = (name: string, width: number, values: number[]): OutputColumn => ({ name, dtype: 'float32', width, chunks: [Float32Array.from(values)] });
const predictions = (outputs: OutputColumn[]): Predictions => ({ rows: outputs[0]!.chunks[0]!.length / outputs[0]!.width, outputs, batchSize: 1024 });
const classification = (v: ReturnType<typeof readModelView>) => {
  if (v.task === 'regression') throw new Error('read as regression');
  return v;
};

describe('scores per class', () => {
  it('an unnamed output of several score columns is read as logits: argmax, and the softmax as probabilities', () => {
    const v = classification(readModelView(predictions([column('output', 3, [2, 1, 0, -1, 3, 0.5])]), defaultConfig()));
    expect(v).toMatchObject({ task: 'multiclass', classes: [0, 1, 2], through: 'softmax' });
    expect(Array.from(v.pred)).toEqual([0, 1]);
    const e = [Math.exp(2), Math.exp(1), Math.exp(0)];
    const sum = e[0]! + e[1]! + e[2]!;
    e.forEach((x, c) => expect(v.proba![c]).toBeCloseTo(x / sum, 15));
  });

  it('stays finite for large logits (shifted by the row maximum) and keeps NaN as NaN', () => {
    const v = classification(readModelView(predictions([column('output', 2, [1000, 999, Number.NaN, 0])]), defaultConfig()));
    expect(v.proba![0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(Number.isNaN(v.proba![2]!)).toBe(true);
  });

  it('scores that already are probabilities (rows in [0, 1] summing to 1) stay as they are', () => {
    const v = classification(readModelView(predictions([column('output', 2, [0.25, 0.75, 1, 0])]), defaultConfig()));
    expect(v.through).toBeUndefined();
    expect(Array.from(v.proba!)).toEqual([0.25, 0.75, 1, 0]);
  });

  it('an output named like logits is kind logits; one logit column is P(class 1) through the sigmoid', () => {
    expect(outputKind({ name: 'logits', dtype: 'float32' }, undefined)).toBe('logits');
    expect(outputKind({ name: 'logits', dtype: 'int64' }, undefined)).toBe('scores');
    const v = classification(readModelView(predictions([column('logit', 1, [0, 2])]), defaultConfig()));
    expect(v).toMatchObject({ task: 'binary', through: 'sigmoid' });
    expect(v.proba![1]).toBe(0.5);
    expect(v.proba![3]).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    // Configured: an unnamed single column is a logit too.
    const said = classification(readModelView(predictions([column('output', 1, [0, 2])]), parseConfig('model:\n  outputs:\n    output: { kind: logits }\n', 'gate.yml')));
    expect(said.through).toBe('sigmoid');
  });

  it('a task said to be regression is not read as classes; one plain score column stays a regression', () => {
    const wide = predictions([column('output', 2, [2, 1])]);
    expect(() => readModelView(wide, parseConfig('metrics:\n  task: regression\n', 'gate.yml'))).toThrow('regression needs one value per row; output "output" has 2');
    expect(readModelView(predictions([column('output', 1, [2.5, -1])]), defaultConfig()).task).toBe('regression');
  });
});

describe('one plain score column against labels that are all 0 or 1', () => {
  const labels = (y: number[]): Labels => ({ path: 'eval.csv', column: 'y', numeric: Float64Array.from(y), text: null, weights: null });
  const computed = (p: Predictions, y: number[], config = defaultConfig()) => judgeMetrics(p, labels(y), config).checks.find((c) => c.id === 'metrics.computed')!;

  it('is read as a binary classifier (a BCEWithLogitsLoss export named "output"): values outside [0, 1] through the sigmoid, said with how to say regression', () => {
    const p = predictions([column('output', 1, [-2, 3, 0.5, -1])]);
    const v = classification(readModelView(p, defaultConfig(), labels([0, 1, 1, 0])));
    expect(v).toMatchObject({ task: 'binary', through: 'sigmoid', byLabels: true });
    expect(Array.from(v.pred)).toEqual([0, 1, 1, 0]);
    const said = computed(p, [0, 1, 1, 0]);
    expect(said.message).toMatch(/^binary on 4 rows/);
    expect(said.message).toContain('"output" is one column and the labels are all 0 or 1: read as a binary classifier (set metrics.task: regression if it predicts a number)');
    expect(said.message).toContain('probabilities are the sigmoid of "output"');
  });

  it('values all in [0, 1] are P(class 1) as they are', () => {
    const v = classification(readModelView(predictions([column('output', 1, [0.2, 0.9, 0.6, 0.1])]), defaultConfig(), labels([0, 1, 1, 0])));
    expect(v.through).toBeUndefined();
    expect(v.proba![3]).toBeCloseTo(0.9, 6);
  });

  it('values that are only 0 and 1 (a served predict()) are the predicted class, not a probability; both classes even when one is never answered', () => {
    const v = classification(readModelView(predictions([column('predictions', 1, [1, 0, 1, 0])]), defaultConfig(), labels([0, 1, 1, 0])));
    expect(v).toMatchObject({ task: 'binary', classes: [0, 1], proba: null, labelOutput: 'predictions' });
    expect(Array.from(v.pred)).toEqual([1, 0, 1, 0]);
    const never = classification(readModelView(predictions([column('predictions', 1, [0, 0, 0, 0])]), defaultConfig(), labels([0, 1, 1, 0])));
    expect(never).toMatchObject({ task: 'binary', classes: [0, 1], proba: null });
    expect(computed(predictions([column('predictions', 1, [0, 0, 0, 0])]), [0, 1, 1, 0]).message).toContain('read as the predicted class');
  });

  it('values never negative with some above 1 (a count, an amount) are neither a probability nor a logit: a regression, with the note', () => {
    const p = predictions([column('output', 1, [0.2, 1.7, 0.9, 0])]);
    expect(readModelView(p, defaultConfig(), labels([0, 1, 1, 0])).task).toBe('regression');
    expect(computed(p, [0, 1, 1, 0]).message).toContain('the labels are all 0 or 1: if this is a classifier, set metrics.task: binary');
  });

  it('other labels, or metrics.task regression, keep it a regression; with 0/1 labels it says how to read it as a classifier', () => {
    const p = predictions([column('output', 1, [-2, 3, 0.5, -1])]);
    expect(computed(p, [0, 1, 2.5, 0]).message).toMatch(/^regression on 4 rows/);
    expect(computed(p, [0, 1, 2.5, 0]).message).not.toContain('labels are all 0 or 1');
    expect(readModelView(p, defaultConfig()).task).toBe('regression'); // no labels: nothing says classes
    const said = computed(p, [0, 1, 1, 0], parseConfig('metrics:\n  task: regression\n', 'gate.yml'));
    expect(said.message).toMatch(/^regression on 4 rows/);
    expect(said.message).toContain('the labels are all 0 or 1: if this is a classifier, set metrics.task: binary');
  });
});

describe('an L2-normalised output (an embedding)', () => {
  it('is not read as scores per class: it says what it is and how to say otherwise', () => {
    const s = Math.SQRT1_2;
    const p = predictions([column('embedding', 2, [s, s, 1, 0, Number.NaN, Number.NaN, 0, -1])]);
    expect(() => readModelView(p, defaultConfig())).toThrow('output "embedding" holds vectors of length 1 (every row\'s L2 norm is 1: an embedding), not a score per class');
    const said = classification(readModelView(p, parseConfig('model:\n  outputs:\n    embedding: { kind: logits }\n', 'gate.yml')));
    expect(said.classes).toEqual([0, 1]);
  });

  it('one-hot rows are probabilities, and rows of other norms scores per class, as before', () => {
    expect(classification(readModelView(predictions([column('output', 2, [1, 0, 0, 1])]), defaultConfig())).through).toBeUndefined();
    expect(classification(readModelView(predictions([column('output', 2, [1, 0, 2, 1])]), defaultConfig())).through).toBe('softmax');
  });
});
