/**
 * Sample weights end to end: negative weights once lifted accuracy past a 0.9 floor while the
 * model was right on a third of the rows. A negative or infinite weight makes its row bad.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/json.ts';
import { byId, cli } from '../support/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'mg-weights-'));

/** The iris eval rows with 2 of every 3 labels made wrong; `weightOf(i, wrong)` gives each row's weight. */
function weightedCsv(name: string, weightOf: (i: number, wrong: boolean) => string): string {
  const [header, ...rows] = readFileSync('examples/iris/eval.csv', 'utf8').trim().split('\n');
  const out = rows.map((line, i) => {
    const cells = line.split(',');
    const wrong = i % 3 !== 0;
    if (wrong) cells[4] = String((Number(cells[4]) + 1) % 3);
    return `${cells.join(',')},${weightOf(i, wrong)}`;
  });
  const path = join(work, name);
  writeFileSync(path, `${header},w\n${out.join('\n')}\n`);
  return path;
}

function config(data: string, policy = 'skip'): string {
  const path = join(work, `${data.split('/').pop()}.${policy}.yml`);
  writeFileSync(
    path,
    `version: 1
model:
  path: examples/iris/model.onnx
  outputs:
    probabilities: { kind: probabilities }
    label: { kind: labels, classes: [0, 1, 2] }
data: { eval: ${data}, label: species, weight: w, bad_rows: { policy: ${policy}, max_share: 0.5 } }
checks:
  smoke: { batch_sizes: [1] }
  latency: { warmup: 1, iterations: 5 }
  errors: { enabled: false }
metrics:
  thresholds:
    accuracy: { min: 0.9 }
`,
  );
  return path;
}

async function validate(cfg: string): Promise<{ code: number; report: Report }> {
  const r = await cli(['validate', '--json', '--out', mkdtempSync(join(work, 'out-')), '--config', cfg]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

describe('sample weights that would fake a metric', () => {
  it('negative weights on wrong rows are bad rows, not a GO at accuracy 1.0', async () => {
    // Wrong rows alternate +1 / -1: the weighted sum of correct rows equals the total weight.
    let flip = 1;
    const csv = weightedCsv('negative.csv', (_, wrong) => (wrong ? String((flip = -flip)) : '1'));
    const { code, report } = await validate(config(csv));
    const bad = byId(report, 'data.bad_rows');
    expect(bad.message).toMatch(/weight "w" is negative \(-1\)/);
    expect(bad.value).toBe(20);
    const accuracy = byId(report, 'metrics.accuracy');
    expect(accuracy.status).toBe('fail');
    expect(accuracy.value as number).toBeLessThan(0.9);
    expect(report.decision).not.toBe('GO');
    expect(code).not.toBe(0);
  });

  it('infinite weights are bad rows; with policy fail any of them fails the data check', async () => {
    const csv = weightedCsv('infinite.csv', (i) => (i === 4 ? 'Infinity' : i === 7 ? '-Infinity' : '1'));
    const { report } = await validate(config(csv, 'fail'));
    const bad = byId(report, 'data.bad_rows');
    expect(bad.status).toBe('fail');
    expect(bad.message).toMatch(/row 5: weight "w" is Infinity .*row 8: weight "w" is -Infinity/);
    expect(report.decision).not.toBe('GO');
  });
});
