/**
 * A text classifier with a string input (CountVectorizer + LogisticRegression exported as
 * skl2onnx does, without ZipMap): the text column feeds the string input, the classifier's own
 * class labels name the label and probability outputs, and the metrics equal scikit-learn's.
 * Fixture and reference values: scripts/models/make_text_model.py.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';

const DIR = resolve('test/fixtures/models/text');
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { classes: string[]; predict: string[]; accuracy: number };

describe('a text classifier with a string input', () => {
  it('is fed from the text column and gets GO with metrics equal to scikit-learn', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mg-text-'));
    const { code, stdout } = await cli([
      'validate', '--model', join(DIR, 'sentiment.onnx'), '--data', join(DIR, 'eval.csv'), '--label', 'sentiment', '--out', out, '--json',
    ]);
    const report = JSON.parse(stdout) as Report;
    expect(byId(report, 'inputs.mapping').message).toBe(`"text" string[N, 1] <- column review (120 rows of ${join(DIR, 'eval.csv')})`);
    expect(report.model.signature!.inputs[0]).toMatchObject({ name: 'text', dtype: 'string', fed: 'column review', fed_shape: '[N, 1]' });
    // The LinearClassifier's classlabels_strings name both outputs' columns: no config needed.
    expect(report.model.signature!.outputs.map((o) => o.classes)).toEqual([EXPECTED.classes, EXPECTED.classes]);
    const m = report.metrics!;
    expect(m.task).toBe('binary');
    expect(m.candidate.classes).toEqual(EXPECTED.classes);
    expect(m.candidate.accuracy).toBeCloseTo(EXPECTED.accuracy, 12);
    // A text input takes no numeric perturbation: those scenarios say why they are skipped.
    expect(byId(report, 'errors.nan_input')).toMatchObject({ status: 'skip', message: '"text" takes text: no numeric perturbation applies' });
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
  });
});
