/**
 * A model that never answers (a Loop of 10^15 iterations) runs in its own process: each call is
 * stopped at model.timeout_seconds and fails its check, and the run ends with NO-GO instead of
 * hanging. Fixture: scripts/models/make_runaway_model.py.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/report/json.ts';
import { byId, cli } from './support/cli.ts';

describe('a model that never returns', () => {
  it('is stopped at its deadline on every call, and the run ends NO-GO naming the deadline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-runaway-'));
    const config = join(dir, 'gate.yml');
    writeFileSync(
      config,
      [
        'model:',
        '  path: test/fixtures/models/runaway/loop.onnx',
        '  timeout_seconds: 1',
        'data: { generated_rows: 8 }',
        'checks:',
        '  smoke: { batch_sizes: [1] }',
        '  latency: { iterations: 5, warmup: 0, batch_sizes: [1] }',
        '  errors: { enabled: false }',
        '',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await cli(['validate', '--config', config, '--out', join(dir, 'out'), '--json']);
    expect(stderr).not.toMatch(/error:/i);
    const report = JSON.parse(stdout) as Report;
    const single = byId(report, 'smoke.single');
    expect(single.status).toBe('fail');
    expect(single.message).toBe('inference failed: no answer within 1 s (model.timeout_seconds): the call was stopped');
    expect(byId(report, 'latency.batch_1').status).toBe('error');
    expect(report.decision).toBe('NO-GO');
    expect(code).toBe(1);
  }, 120_000); // a hang fails here instead of stalling the suite
});
