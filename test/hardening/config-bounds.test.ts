/**
 * Sizes in the config have maxima: an oversized batch of 10^9 rows, 10^9 latency iterations or
 * bootstrap resamples once passed validation and would have run out of memory or time.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'mg-config-bounds-'));

async function invalid(yaml: string): Promise<string> {
  const path = join(work, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, `version: 1\n${yaml.startsWith('model:') ? '' : 'model: { path: examples/iris/model.onnx }\n'}${yaml}`);
  const r = await cli(['validate', '--config', path, '--out', join(work, 'out')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('model-gate: invalid config');
  return r.stderr;
}

describe('unbounded sizes in the config are refused where they are written', () => {
  const cases: [string, string, RegExp][] = [
    ['checks.errors.oversized_batch.size', 'checks: { errors: { oversized_batch: { size: 1000000000 } } }\n', /checks\.errors\.oversized_batch\.size: must be <= 262144/],
    ['checks.errors.oversized_request.size_mb', 'checks: { errors: { oversized_request: { size_mb: 100000 } } }\n', /checks\.errors\.oversized_request\.size_mb: must be <= 1024/],
    ['checks.latency.iterations', 'checks: { latency: { iterations: 1000000000 } }\n', /checks\.latency\.iterations: must be <= 1000000/],
    ['checks.latency.warmup', 'checks: { latency: { warmup: 1000000000 } }\n', /checks\.latency\.warmup: must be <= 100000/],
    ['checks.smoke.batch_sizes', 'checks: { smoke: { batch_sizes: [1, 100000000] } }\n', /checks\.smoke\.batch_sizes\.1: must be <= 100000/],
    ['comparison.resamples', 'comparison: { resamples: 1000000000 }\n', /comparison\.resamples: must be <= 1000000/],
    ['comparison.latency.iterations', 'comparison: { latency: { iterations: 1000000000 } }\n', /comparison\.latency\.iterations: must be <= 1000000/],
    ['data.generated_rows', 'data: { generated_rows: 1000000000 }\n', /data\.generated_rows: must be <= 1000000/],
    ['metrics.ece_bins', 'metrics: { ece_bins: 100000000 }\n', /metrics\.ece_bins: must be <= 1000/],
    ['load.duration_s', 'load: { duration_s: 10000000 }\n', /load\.duration_s: must be <= 86400/],
    ['model.command.max_line_mb', 'model: { command: { run: "true", max_line_mb: 100000 } }\n', /model\.command\.max_line_mb: must be <= 256/],
  ];
  for (const [key, yaml, message] of cases) {
    it(key, async () => {
      expect(await invalid(yaml)).toMatch(message);
    });
  }
});
