/**
 * Slices end to end on real ONNX models (scripts/models/make_slice_models.py): a candidate that is
 * bad for German rows fails naming the slice; one that is not passes; slices too small to test are
 * listed; the per-slice accuracies match numpy's; the slice column may be a feature or not.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import reportSchema from '../schema/report.schema.json' with { type: 'json' };
import { groupsOf, subsetEvaluation } from '../src/checks/slices.ts';
import { parseConfig } from '../src/config/load.ts';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';

const DIR = 'test/fixtures/slices';
const reference = JSON.parse(readFileSync(`${DIR}/reference.json`, 'utf8')) as Record<string, { country: Record<string, number>; age: Record<string, number>; rows: Record<string, number> }>;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-slices-'));
});

/** A quick config: no timing, fewer resamples than the default (the statistics are tested elsewhere). */
function config(slices: string, extra = ''): string {
  const path = join(work, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(
    path,
    `version: 1
baseline: ${DIR}/baseline.onnx
data: { eval: ${DIR}/eval.csv, label: y }
checks: { latency: { enabled: false }, errors: { enabled: false } }
comparison: { resamples: 2000, latency: { enabled: false } }
${extra}slices:
${slices}`,
  );
  return path;
}

async function run(model: string, cfg: string): Promise<{ code: number; report: Report; summary: string; html: string }> {
  const out = mkdtempSync(join(work, 'out-'));
  const r = await cli(['validate', '--config', cfg, '--model', `${DIR}/${model}`, '--out', out]);
  expect(r.stderr).not.toMatch(/unexpected error/i);
  return {
    code: r.code,
    report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report,
    summary: readFileSync(join(out, 'summary.md'), 'utf8'),
    html: readFileSync(join(out, 'report.html'), 'utf8'),
  };
}

/** Points a config at eval.csv plus a numeric column the models do not take: region, 1 to 3. */
function withRegion(cfg: string): void {
  const path = join(work, 'eval-region.csv');
  const lines = readFileSync(`${DIR}/eval.csv`, 'utf8').trim().split('\n');
  writeFileSync(path, `${lines.map((l, i) => `${l},${i === 0 ? 'region' : 1 + (i % 3)}`).join('\n')}\n`);
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(`${DIR}/eval.csv`, path));
}

const BY_COUNTRY_AND_AGE = '  - column: country\n  - column: age\n    bins: [30, 60]\n';

describe('slices on real models', () => {
  it('blocks a candidate that is worse for one country, naming the slice; the other slices pass', async () => {
    const { code, report, summary, html } = await run('candidate_bad_de.onnx', config(BY_COUNTRY_AND_AGE));
    expect(report.decision).toBe('NO-GO');
    expect(code).toBe(1);
    const de = byId(report, 'slices.country.DE');
    expect(de).toMatchObject({ status: 'fail', severity: 'blocker', category: 'slices' });
    expect(de.message).toMatch(/^slice country = DE \(800 rows\) regressed beyond its margin: accuracy 0\.535 vs 0\.73\d+/);
    for (const other of ['US', 'FR']) expect(byId(report, `slices.country.${other}`).status).toBe('pass');
    // 40 rows of LU and 60 with no country: listed, not tested.
    expect(byId(report, 'slices.country.LU')).toMatchObject({ status: 'skip', severity: 'info' });
    expect(byId(report, 'slices.country.LU').message).toMatch(/too small to test \(fewer than 100 rows/);
    expect(byId(report, 'slices.country.(missing)').status).toBe('skip');
    // Per-slice values match numpy's on the same rows.
    const s = report.slices!;
    const country = s.columns.find((c) => c.column === 'country')!;
    for (const row of country.slices) {
      expect(row.rows).toBe(reference.baseline!.rows[row.slice]);
      if (row.status !== 'tested') continue;
      const acc = row.metrics.find((m) => m.metric === 'accuracy')!;
      expect(acc.candidate).toBeCloseTo(reference.candidate_bad_de!.country[row.slice]!, 12);
      expect(acc.baseline).toBeCloseTo(reference.baseline!.country[row.slice]!, 12);
      expect(acc.p_adjusted!).toBeGreaterThanOrEqual(acc.p_value!);
    }
    const age = s.columns.find((c) => c.column === 'age')!;
    expect(age.slices.map((r) => r.slice)).toEqual(['< 30', '[30, 60)', '>= 60']);
    for (const row of age.slices) expect(row.metrics.find((m) => m.metric === 'accuracy')!.candidate).toBeCloseTo(reference.candidate_bad_de!.age[row.slice]!, 12);
    expect(s.multiplicity).toBe('holm');
    // age is a feature the model takes: it stays fed although it is a slice column.
    expect(report.model.signature?.inputs[0]?.fed).toBe('columns x0, x1, age, is_de');
    const validate = new Ajv({ allowUnionTypes: true }).compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(summary).toContain('### Slices by `country`');
    expect(summary).toMatch(/\| DE \| 800 \| accuracy \| 0\.73\d* \| 0\.535 \| −0\.2\d* \|.*⛔ regressed beyond margin \|/);
    expect(summary).toMatch(/\| LU \| 40 \|.*too small to test/);
    expect(html).toContain('<h2>Slices by <code>country</code></h2>');
  });

  it('passes a candidate that regresses in no slice', async () => {
    const { report } = await run('candidate_ok.onnx', config(BY_COUNTRY_AND_AGE));
    const slices = report.checks.filter((c) => c.category === 'slices');
    expect(slices.filter((c) => c.status === 'fail')).toEqual([]);
    expect(slices.filter((c) => c.status === 'pass').map((c) => c.id)).toEqual([
      'slices.country.DE',
      'slices.country.FR',
      'slices.country.US',
      'slices.age.< 30',
      'slices.age.[30, 60)',
      'slices.age.>= 60',
    ]);
    expect(report.decision).not.toBe('NO-GO');
  });

  it('keeps a numeric slice column the model does not take out of its inputs, and honours min_rows, a margin and BH', async () => {
    const cfg = config(
      '  by:\n    - column: region\n    - column: country\n      min_rows: 30\n  multiplicity: bh\n',
      'metrics: { thresholds: { accuracy: { max_regression: 0.3 } } }\n',
    );
    withRegion(cfg);
    const { report } = await run('candidate_bad_de.onnx', cfg);
    expect(report.model.signature?.inputs[0]?.fed).toBe('columns x0, x1, age, is_de');
    expect(report.slices!.columns[0]!.slices.map((r) => r.slice)).toEqual(['1', '2', '3']);
    expect(report.slices!.multiplicity).toBe('bh');
    // LU (40 rows) is tested now; DE's 20-point drop is within the 30-point margin.
    expect(byId(report, 'slices.country.LU').status).toBe('pass');
    expect(byId(report, 'slices.country.DE').status).toBe('pass');
    expect(report.slices!.columns[1]!.slices.find((r) => r.slice === 'DE')!.metrics[0]!.margin).toBe(0.3);
  });

  it('asks for the model\'s columns when the width needs one of two numeric slice columns but not which', async () => {
    const cfg = config('  - column: region\n  - column: age\n    bins: [30, 60]\n');
    withRegion(cfg);
    const { report } = await run('candidate_ok.onnx', cfg);
    expect(byId(report, 'inputs.mapping')).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(byId(report, 'inputs.mapping').message).toMatch(/the slice columns region or age could each complete the model's features; name the model's columns in model.inputs.input.columns/);
  });

  it('fails closed on a slice column that is not in the data, naming the columns', async () => {
    const { report } = await run('candidate_ok.onnx', config('  - column: contry\n'));
    expect(byId(report, 'slices.contry')).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(byId(report, 'slices.contry').message).toMatch(/slice column "contry" is not in .*eval\.csv/);
  });

  it('without a baseline, lists the candidate per slice without testing', async () => {
    const cfg = config('  - column: country\n');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^baseline: .*$/m, ''));
    const { report } = await run('candidate_ok.onnx', cfg);
    expect(report.slices!.compared).toBe(false);
    expect(byId(report, 'slices.country.DE')).toMatchObject({ status: 'pass', severity: 'info' });
  });
});

describe('slice grouping', () => {
  it('bins a numeric column into [a, b) bins, with the missing cells apart', () => {
    const values = Float64Array.from([5, 30, 29.9, 60, 61, Number.NaN, -1]);
    const groups = groupsOf({ column: 'age', bins: [0, 30, 60] }, { values, text: null }, 50);
    expect(typeof groups).not.toBe('string');
    expect((groups as { name: string; rows: Int32Array }[]).map((g) => [g.name, Array.from(g.rows)])).toEqual([
      ['< 0', [6]],
      ['[0, 30)', [0, 2]],
      ['[30, 60)', [1]],
      ['>= 60', [3, 4]],
      ['(missing)', [5]],
    ]);
  });

  it('refuses unsorted bins, bins on text, and too many distinct values', () => {
    expect(groupsOf({ column: 'a', bins: [3, 1] }, { values: Float64Array.from([1]), text: null }, 50)).toMatch(/strictly ascending/);
    expect(groupsOf({ column: 'a', bins: [1] }, { values: null, text: ['x'] }, 50)).toMatch(/holds text/);
    expect(groupsOf({ column: 'id' }, { values: Float64Array.from({ length: 60 }, (_, i) => i), text: null }, 50)).toMatch(/60 distinct values, more than slices.max_slices \(50\): give bins/);
  });

  it('subsets an evaluation row-aligned, probabilities included', () => {
    const ev = {
      task: 'binary' as const,
      view: { task: 'binary' as const, classes: [0, 1], proba: Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.4, 0.6]), pred: Int32Array.from([0, 1, 1]), score: Float64Array.from([0.1, 0.8, 0.6]), outputs: 'p' },
      data: { k: 2, y: Int32Array.from([0, 1, 0]), pred: Int32Array.from([0, 1, 1]), proba: Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.4, 0.6]) },
      weights: Float64Array.from([1, 2, 3]),
    };
    const sub = subsetEvaluation(ev, Int32Array.from([2, 0]));
    expect(sub.task).toBe('binary');
    if (sub.task === 'regression') return;
    expect(Array.from(sub.data.proba!)).toEqual([0.4, 0.6, 0.9, 0.1]);
    expect(Array.from(sub.data.y)).toEqual([0, 0]);
    expect(Array.from(sub.weights!)).toEqual([3, 1]);
  });

  it('accepts slices as a list or as an object, and rejects unknown keys', () => {
    expect(parseConfig('slices:\n  - column: country\n  - column: age\n    bins: [0, 30, 60]\n', 'x.yml').slices).toEqual([{ column: 'country' }, { column: 'age', bins: [0, 30, 60] }]);
    expect(parseConfig('slices:\n  by: [{ column: country }]\n  multiplicity: bh\n', 'x.yml').slices).toEqual({ by: [{ column: 'country' }], multiplicity: 'bh' });
    expect(() => parseConfig('slices:\n  - column: country\n    bin: [1]\n', 'x.yml')).toThrow();
  });
});
