/** The baseline from flags, action inputs and the config: one shape, as the candidate's (pure). */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { sourceOf } from '../../src/runners/open.ts';
import { settingsFromArgv, settingsFromInputs, type ValidateSettings } from '../../src/settings.ts';
import { applyOverrides } from '../../src/validate.ts';

const run = (argv: string[]): ValidateSettings => {
  const c = settingsFromArgv(['validate', ...argv], {});
  if (c.kind !== 'run' || c.settings.mode !== 'validate') throw new Error(c.kind);
  return c.settings;
};
const baselineOf = (yaml: string, argv: string[]) => applyOverrides(parseConfig(yaml, 'gate.yml'), run(argv)).baseline;

describe('the baseline, as the candidate', () => {
  it('reads --baseline-endpoint, --baseline-protocol, --baseline-model-name, --baseline-header and --baseline-command', () => {
    const s = run(['--baseline-endpoint', 'http://prod:8000', '--baseline-protocol', 'tfserving', '--baseline-model-name', 'churn', '--baseline-header', 'Authorization: Bearer ${T}']);
    expect(s.overrides).toMatchObject({ baselineEndpoint: { url: 'http://prod:8000', protocol: 'tfserving', name: 'churn', headers: { Authorization: 'Bearer ${T}' } }, baselineCommand: undefined });
    expect(run(['--baseline-command', 'python3 a.py m.pkl']).overrides.baselineCommand).toBe('python3 a.py m.pkl');
    expect(() => run(['--baseline-endpoint', 'http://x', '--baseline-command', 'y'])).toThrow('give an endpoint or a command (--baseline-endpoint / --baseline-command, inputs "baseline-endpoint" / "baseline-command"), not both');
    expect(() => run(['--baseline-header', 'nocolon'])).toThrow(`a header (--baseline-header, input "baseline-headers") must look like 'Name: value'`);
  });

  it('reads the action inputs of the same names', () => {
    const inputs: Record<string, string> = { 'baseline-command': 'python3 a.py m.pkl', 'baseline-headers': 'X-A: 1\nX-B: 2' };
    const s = settingsFromInputs((name) => inputs[name] ?? '', {});
    if (s.mode !== 'validate') throw new Error(s.mode);
    expect(s.overrides.baselineCommand).toBe('python3 a.py m.pkl');
    expect(s.overrides.baselineEndpoint).toMatchObject({ headers: { 'X-A': '1', 'X-B': '2' } });
  });

  it('merges flags over the config: --baseline alone names the file to compare with; beside a served baseline, the file it serves', () => {
    expect(baselineOf('baseline: prod.onnx\n', [])).toEqual({ path: 'prod.onnx' });
    expect(baselineOf('baseline: { command: { run: "python3 a.py" } }\n', ['--baseline', 'other.onnx'])).toEqual({ path: 'other.onnx' });
    const served = baselineOf('baseline: prod.pkl\n', ['--baseline-command', 'python3 a.py prod.pkl']);
    expect(served).toMatchObject({ path: 'prod.pkl', command: { run: 'python3 a.py prod.pkl', timeout_ms: 30000 } });
    const endpoint = baselineOf('baseline: { endpoint: { url: "http://prod", name: m, headers: { A: "1" } } }\n', ['--baseline-header', 'B: 2']);
    expect(endpoint).toMatchObject({ endpoint: { url: 'http://prod', name: 'm', protocol: 'v2', headers: { A: '1', B: '2' } } });
    expect(baselineOf('{}\n', [])).toBeNull();
  });

  it('opens what it names, and refuses what cannot run', () => {
    expect(sourceOf({ path: 'p.onnx' }, 'baseline', 'gate.yml')).toMatchObject({ kind: 'onnx', target: 'p.onnx' });
    expect(sourceOf({ command: { run: 'x', ready_timeout_s: 1, timeout_ms: 1 }, path: 'p.pkl' }, 'baseline', 'gate.yml')).toMatchObject({ kind: 'command', target: 'command: x', path: 'p.pkl' });
    const endpoint = parseConfig('baseline: { endpoint: { url: "http://prod" } }\n', 'gate.yml').baseline as never;
    expect(() => sourceOf(endpoint, 'baseline', 'gate.yml')).toThrow("protocol v2 needs the baseline's name on the server: --baseline-model-name, or baseline.endpoint.name in gate.yml");
  });
});
