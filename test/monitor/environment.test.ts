/**
 * Which environment the monitor reads: an input the user set wins over monitor.environment, and
 * monitor.environment wins over the default. The runner fills an unset input with action.yml's
 * default, so the inputs are read here as the runner gives them (action.yml's defaults applied):
 * a default there would pose as the user's choice and hide the config's value.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import { monitorConfig } from '../../src/monitor/monitor-command.ts';
import { settingsFromInputs } from '../../src/settings.ts';

const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: string }> };

/** getInput as on a runner: the value set in `with:`, else action.yml's default, else ''. */
const runnerInputs = (given: Record<string, string>) => (name: string) => given[name] ?? action.inputs[name]?.default ?? '';

const environmentOf = (configYaml: string, given: Record<string, string>) => {
  const settings = settingsFromInputs(runnerInputs({ mode: 'monitor', ...given }), {});
  if (settings.mode !== 'monitor') throw new Error(settings.mode);
  return monitorConfig(parseConfig(configYaml, 'gate.yml'), settings.overrides).environment;
};

describe('monitor environment: input over config over default', () => {
  it('the config\'s monitor.environment wins over the action\'s (absent) default', () => {
    expect(action.inputs.environment).toBeDefined();
    expect(action.inputs.environment!.default).toBeUndefined();
    expect(environmentOf('monitor:\n  environment: staging\n', {})).toBe('staging');
  });

  it('an input the user set wins over the config, even when it names the default environment', () => {
    expect(environmentOf('monitor:\n  environment: staging\n', { environment: 'canary' })).toBe('canary');
    expect(environmentOf('monitor:\n  environment: staging\n', { environment: 'production' })).toBe('production');
  });

  it('neither: production', () => {
    expect(environmentOf('version: 1\n', {})).toBe('production');
    expect(environmentOf('version: 1\n', { environment: '  ' })).toBe('production');
  });

  it('promote / rollback / status still default to production themselves', () => {
    const status = (given: Record<string, string>) => {
      const s = settingsFromInputs(runnerInputs({ mode: 'status', ...given }), {});
      if (s.mode !== 'status') throw new Error(s.mode);
      return s;
    };
    const s = status({});
    expect(s.promotion!.environment).toBe('production');
    expect(status({ environment: 'staging' }).promotion!.environment).toBe('staging');
  });

  it('the reusable workflow passes an empty environment unless its caller sets one', () => {
    const wf = parse(readFileSync('.github/workflows/model-monitor.yml', 'utf8')) as { on: { workflow_call: { inputs: Record<string, { default?: string }> } } };
    expect(wf.on.workflow_call.inputs.environment!.default).toBe('');
  });
});
