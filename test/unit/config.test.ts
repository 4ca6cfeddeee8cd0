import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import schema from '../../schema/model-gate.schema.json' with { type: 'json' };
import { ConfigValidationError, defaultConfig, loadConfigFile, parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

function issuesOf(text: string) {
  try {
    parseConfig(text, 'gate.yml');
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('applies documented defaults to an empty file', () => {
    const c = defaultConfig();
    expect(c.checks.smoke.batch_sizes).toEqual([1, 32]);
    expect(c.checks.latency.limits).toEqual({}); // an SLO is the user's to set, never guessed
    expect(c.checks.errors.wrong_feature_count).toEqual({ enabled: true, expect: ['rejected'], severity: 'blocker' });
    expect(c.promotion.stages).toEqual([5, 25, 50, 100]);
    expect(c.fail_on).toBe('no-go');
  });

  it('locates an unknown key and suggests the near miss', () => {
    const [issue, ...rest] = issuesOf('checks:\n  latncy:\n    warmup: 3\n');
    expect(rest).toEqual([]);
    expect(issue!.location).toEqual({ file: 'gate.yml', line: 2, column: 3 });
    expect(issue!.keyPath).toBe('checks.latncy');
    expect(issue!.message).toContain('did you mean "latency"?');
  });

  it('reports every problem, in file order, at the offending value', () => {
    const issues = issuesOf('checks:\n  latency:\n    warmup: many\n    severity: blocking\n');
    expect(issues.map((i) => [i.keyPath, i.location.line, i.location.column])).toEqual([
      ['checks.latency.warmup', 3, 13],
      ['checks.latency.severity', 4, 15],
    ]);
    expect(issues[1]!.message).toContain('"blocker", "warning", "info"');
    expect(issues[1]!.message).toContain('"blocking"');
  });

  it('locates YAML syntax errors', () => {
    const [issue] = issuesOf('model:\n  path: [oops\n');
    expect(issue!.message).toMatch(/^YAML syntax/);
    expect(issue!.location.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects duplicate keys', () => {
    const [issue] = issuesOf('fail_on: no-go\nfail_on: delay\n');
    expect(issue!.location.line).toBe(2);
  });

  it('merges a partly given error scenario with its built-in default', () => {
    const c = parseConfig('checks:\n  errors:\n    nan_input:\n      severity: blocker\n', 'gate.yml');
    expect(c.checks.errors.nan_input).toEqual({ enabled: true, expect: ['rejected', 'non_finite', 'finite'], severity: 'blocker' });
  });

  it('checks what the schema cannot: promotion stages ascend to 100', () => {
    const [issue] = issuesOf('promotion:\n  stages: [5, 50, 25, 100]\n');
    expect(issue!.message).toBe('promotion.stages: must be strictly ascending (got 5, 50, 25, 100)');
    expect(issue!.location.line).toBe(2);
    expect(issuesOf('promotion:\n  stages: [5, 25]\n')[0]!.message).toContain('must end at 100');
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadConfigFile('/nonexistent/gate.yml')).toThrowError(ConfigError);
    expect(() => loadConfigFile('/nonexistent/gate.yml')).toThrowError(/^config file not found: \/nonexistent\/gate.yml$/);
  });

  it('hashes the file it read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-config-'));
    const file = join(dir, 'gate.yml');
    writeFileSync(file, 'fail_on: delay\n');
    const loaded = loadConfigFile(file);
    expect(loaded.config.fail_on).toBe('delay');
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the published schema is valid draft-07 and accepts the example config', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(schema);
    const example = parse(readFileSync('examples/iris/model-gate.yml', 'utf8'));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });
});
