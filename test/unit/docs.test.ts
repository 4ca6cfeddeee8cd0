import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('README reference sections', () => {
  it('are generated from action.yml and the config schema, and up to date', () => {
    const r = spawnSync(process.execPath, ['scripts/generate-docs.mjs', '--check'], { encoding: 'utf8', env: process.env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
