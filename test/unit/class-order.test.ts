/** The class order the probabilities are read in, against the model's own label output (pure). */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.ts';
import type { ModelView } from '../../src/checks/evaluation.ts';
import { judgeClassOrder } from '../../src/checks/metrics.ts';

type Classified = Extract<ModelView, { task: 'binary' | 'multiclass' }>;

/** Rows of probabilities and the label index the label output gave for each. */
function view(proba: number[][], pred: number[], classes: (string | number)[]): Classified {
  return {
    task: classes.length === 2 ? 'binary' : 'multiclass',
    classes,
    proba: Float64Array.from(proba.flat()),
    pred: Int32Array.from(pred),
    score: null,
    outputs: 'probabilities + label',
    labelOutput: 'label',
  };
}

const rows = [
  [0.8, 0.1, 0.1],
  [0.1, 0.7, 0.2],
  [0.2, 0.2, 0.6],
  [0.6, 0.3, 0.1],
];

describe('judgeClassOrder', () => {
  it('passes when each probability column comes with its own class as the label', () => {
    expect(judgeClassOrder(view(rows, [0, 1, 2, 0], ['a', 'b', 'c']), defaultConfig())).toMatchObject({ status: 'pass', severity: 'blocker', value: 1 });
  });

  it('fails when the classes are listed in another order than the columns', () => {
    // The label output said a, b, c, a; under the order [c, a, b] those are indices 1, 2, 0, 1.
    const config = { ...defaultConfig(), metrics: { ...defaultConfig().metrics, classes: ['c', 'a', 'b'] } };
    const check = judgeClassOrder(view(rows, [1, 2, 0, 1], ['c', 'a', 'b']), config)!;
    expect(check).toMatchObject({ status: 'fail', severity: 'blocker', value: 0 });
    expect(check.message).toContain('the classes [c, a, b] (metrics.classes) contradict the model\'s own label output "label": on 4 of 4 rows');
    expect(check.message).toContain('the probability columns are [a, b, c]');
  });

  it('a decision threshold other than ½ moves some rows, not the order: pass', () => {
    // Binary, label 1 from P(1) >= 0.3: the rows with P(1) in [0.3, 0.5) disagree with the argmax.
    const p1 = Array.from({ length: 100 }, (_, i) => (i + 0.5) / 100);
    const check = judgeClassOrder(view(p1.map((p) => [1 - p, p]), p1.map((p) => (p >= 0.3 ? 1 : 0)), [0, 1]), defaultConfig())!;
    expect(check.status).toBe('pass');
  });

  it('says nothing without a label output, or when every row is a tie or NaN', () => {
    const noLabels = view(rows, [0, 1, 2, 0], ['a', 'b', 'c']);
    delete noLabels.labelOutput;
    expect(judgeClassOrder(noLabels, defaultConfig())).toBeNull();
    expect(judgeClassOrder(view([[0.5, 0.5], [Number.NaN, 1]], [0, 1], [0, 1]), defaultConfig())).toBeNull();
  });
});
