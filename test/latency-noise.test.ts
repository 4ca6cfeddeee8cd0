/**
 * Ten identical runs, ten identical decisions, on a loaded machine: a busy child process spins
 * beside the gate while it validates a small real ONNX model (iris, scikit-learn) against
 * itself as baseline, ten times, with a latency limit of p95 ≤ 100 ms at batch 1 and the default
 * p95-ratio limits. Latency verdicts are judged on intervals, so the noise the hog
 * adds cannot flip them. Also checks every report against the published schema.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reportSchema from '../schema/report.schema.json' with { type: 'json' };
import { cli } from './support/cli.ts';

const DIR = join(import.meta.dirname, 'fixtures/models/sklearn-zipmap');
const work = mkdtempSync(join(tmpdir(), 'model-gate-latency-noise-'));
const validateReport = new Ajv({ allowUnionTypes: true }).compile(reportSchema);

describe('latency verdicts under a CPU hog', () => {
  let hog: ChildProcess | null = null;
  beforeAll(() => {
    // A busy loop in its own process: the runs below share the cores with it.
    hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', env: process.env });
  });
  afterAll(() => {
    if (hog?.pid && hog.exitCode === null) hog.kill('SIGKILL');
  });

  it('ten identical runs give ten identical decisions and latency verdicts', async () => {
    const config = join(work, 'gate.yml');
    writeFileSync(config, `checks:\n  latency:\n    limits:\n      "1": { p95_ms: 100 }\nmodel:\n  path: ${join(DIR, 'iris_int.onnx')}\nbaseline: ${join(DIR, 'iris_int.onnx')}\ndata:\n  eval: ${join(DIR, 'iris_int.csv')}\n  label: target\n`);
    const outcomes: string[] = [];
    const messages: string[] = [];
    for (let run = 0; run < 10; run++) {
      expect(hog!.exitCode).toBeNull();
      const out = mkdtempSync(join(work, 'out-'));
      await cli(['validate', '--json', '--out', out, '--config', config]);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
      const latency = report.checks.filter((c: { id: string }) => c.id.startsWith('latency.') || c.id === 'comparison.latency.p95_ratio');
      expect(latency.map((c: { id: string }) => c.id)).toEqual(['comparison.latency.p95_ratio', 'latency.batch_1', 'latency.batch_32']);
      messages.push(latency.map((c: { message: string }) => c.message).join(' | '));
      outcomes.push(JSON.stringify([report.decision, latency.map((c: { id: string; status: string; severity: string }) => [c.id, c.status, c.severity])]));
    }
    expect(new Set(outcomes).size, `${outcomes.join('\n')}\n${messages.join('\n')}`).toBe(1);
    expect(JSON.parse(outcomes[0]!)).toEqual([
      'GO',
      [
        ['comparison.latency.p95_ratio', 'pass', 'warning'],
        ['latency.batch_1', 'pass', 'blocker'],
        ['latency.batch_32', 'pass', 'info'],
      ],
    ]);
  }, 600_000);
});
