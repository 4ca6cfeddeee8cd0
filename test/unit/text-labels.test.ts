/** Text class labels through the pure checks: output validity, the model view, labels, agreement. */
import { describe, expect, it } from 'vitest';
import { agreementOf } from '../../src/checks/compare.ts';
import { evaluationOf, readModelView, type Labels } from '../../src/checks/evaluation.ts';
import { judgeOutputs } from '../../src/checks/outputs.ts';
import type { OutputColumn, Predictions } from '../../src/checks/predictions.ts';
import { defaultConfig, parseConfig } from '../../src/config/load.ts';

const predictions = (outputs: OutputColumn[], rows: number): Predictions => ({ rows, outputs, batchSize: 1024 });
const labels = (text: string[]): Labels => ({ path: 'eval.csv', column: 'y', numeric: null, text, weights: null });
const textLabels = (values: string[][]): OutputColumn => ({ name: 'output_label', dtype: 'string', width: 1, chunks: values });
const zipped = (values: number[], classes: string[]): OutputColumn => ({
  name: 'output_probability',
  dtype: 'float32',
  width: classes.length,
  chunks: [Float32Array.from(values)],
  classes,
  source: { op: 'ZipMap', tensor: 'probabilities', type: 'seq(map(string, tensor(float)))' },
});

describe('text class labels', () => {
  it('are judged against the class labels the model declares, across batches', () => {
    const p = predictions([textLabels([['cat', 'dog'], ['emu']]), zipped([0.9, 0.1, 0.2, 0.8, 0.5, 0.5], ['cat', 'dog'])], 3);
    const byId = Object.fromEntries(judgeOutputs(p, defaultConfig()).map((c) => [c.id, c]));
    expect(byId['outputs.finite']!.message).toBe('no NaN or Inf in "output_probability" over 3 rows');
    expect(byId['outputs.probabilities.output_probability']!.status).toBe('pass');
    expect(byId['outputs.labels.output_label']).toMatchObject({ status: 'fail', message: '"output_label": 1 labels outside {cat, dog} (first in row 3: "emu")' });
  });

  it('a kind other than labels configured for a text output fails naming the setting', () => {
    const config = parseConfig('model:\n  outputs:\n    output_label: { kind: scores }\n', 'gate.yml');
    const byId = Object.fromEntries(judgeOutputs(predictions([textLabels([['cat']])], 1), config).map((c) => [c.id, c]));
    expect(byId['outputs.kind.output_label']!.message).toMatch(/^model.outputs.output_label gives kind scores, but "output_label" holds text/);
  });

  it('map onto the ZipMap classes; text labels in the data match them', () => {
    const p = predictions([textLabels([['dog', 'cat', 'dog']]), zipped([0.4, 0.6, 0.7, 0.3, 0.2, 0.8], ['cat', 'dog'])], 3);
    const view = readModelView(p, defaultConfig());
    expect(view).toMatchObject({ task: 'binary', classes: ['cat', 'dog'], pred: Int32Array.from([1, 0, 1]) });
    const ev = evaluationOf(view, labels(['dog', 'dog', 'dog']));
    expect(ev.task !== 'regression' && Array.from(ev.data.y)).toEqual([1, 1, 1]);
    expect(() => evaluationOf(view, labels(['dog', 'cow', 'dog']))).toThrow(/holds values the model does not predict: "cow" \(1 rows\); the model's classes are cat, dog/);
  });

  it('without probabilities, the classes are the distinct labels, sorted as scikit-learn sorts classes_', () => {
    const view = readModelView(predictions([textLabels([['b', 'a', 'c', 'a']])], 4), defaultConfig());
    expect(view).toMatchObject({ task: 'multiclass', classes: ['a', 'b', 'c'], pred: Int32Array.from([1, 0, 2, 0]) });
  });

  it('with unnamed probability columns, ask for the classes instead of guessing', () => {
    const unnamed: OutputColumn = { name: 'probabilities', dtype: 'float32', width: 2, chunks: [Float32Array.from([0.4, 0.6])] };
    expect(() => readModelView(predictions([textLabels([['dog']]), unnamed], 1), defaultConfig())).toThrow(
      'output "output_label" gives text labels (e.g. "dog"), but the 2 probability columns of "probabilities" are not named: set metrics.classes to the label of each column, in order',
    );
    const named = readModelView(predictions([textLabels([['dog']]), unnamed], 1), parseConfig('metrics:\n  classes: [cat, dog]\n', 'gate.yml'));
    expect(named).toMatchObject({ classes: ['cat', 'dog'], pred: Int32Array.from([1]) });
  });

  it('agreement compares predicted classes by value when the two models order them differently', () => {
    const a = readModelView(predictions([textLabels([['cat', 'dog', 'dog']])], 3), defaultConfig());
    const b = readModelView(predictions([textLabels([['dog', 'dog', 'cat']]), zipped([0.1, 0.9, 0.2, 0.8, 0.7, 0.3], ['dog', 'cat'])], 3), defaultConfig());
    expect(agreementOf(a, b).flip_share).toBeCloseTo(2 / 3, 12);
  });
});
