/**
 * The one table of modes (settings.ts): each face offers the modes it lists, each mode's settings
 * carry exactly its fields, and `route` hands them to the face's runner of that mode (pure).
 */
import { describe, expect, it } from 'vitest';
import { route, settingsFromArgv, settingsFromInputs, type ActionMode, type Runners } from '../../src/settings.ts';

const inputs = (values: Record<string, string>) => settingsFromInputs((name) => values[name] ?? '', {});
const argv = (args: string[]) => {
  const c = settingsFromArgv(args, {});
  if (c.kind !== 'run') throw new Error(c.kind);
  return c.settings;
};

describe('the mode table', () => {
  it('the action offers its modes, in the order its error lists them; the CLI its commands', () => {
    expect(() => inputs({ mode: 'drift' })).toThrow('input "mode" must be one of: validate, comment, load, promote, rollback, status, monitor; got "drift"');
    expect(() => settingsFromArgv(['comment'], {})).toThrow('unknown command "comment"');
    expect(() => settingsFromArgv(['valdate'], {})).toThrow('unknown command "valdate"; did you mean "validate"?');
    for (const command of ['validate', 'drift', 'load', 'promote', 'rollback', 'status', 'monitor', 'alerts', 'init', 'report']) {
      expect(settingsFromArgv([command, '--help'], {}).kind).toBe('help');
    }
  });

  it('gives each mode exactly its fields', () => {
    expect(Object.keys(inputs({ mode: 'status' })).sort()).toEqual(['configPath', 'debug', 'feedback', 'githubToken', 'json', 'mode', 'outDir', 'promotion', 'reportPath']);
    expect(inputs({ mode: 'status', stage: '25' })).not.toHaveProperty('promotion.stage');
    expect(Object.keys(inputs({ mode: 'comment', report: 'r.json' })).sort()).toEqual(['configPath', 'debug', 'feedback', 'githubToken', 'mode', 'reportPath']);
    expect(Object.keys(inputs({ mode: 'monitor' })).sort()).toEqual(['configPath', 'debug', 'feedback', 'githubToken', 'json', 'mode', 'outDir', 'overrides']);
    expect(Object.keys(inputs({})).sort()).toEqual(['configPath', 'debug', 'feedback', 'githubToken', 'json', 'mode', 'outDir', 'overrides']);
    expect(argv(['load', '--rate', '5'])).toMatchObject({ mode: 'load', overrides: { load: { rate: 5, concurrency: [] } } });
    expect(argv(['load'])).not.toHaveProperty('junitPath');
    expect(argv(['validate', '--junit', 'j.xml'])).toMatchObject({ mode: 'validate', junitPath: 'j.xml' });
  });

  it('still checks every action input, even one its mode does not use', () => {
    expect(() => inputs({ mode: 'status', 'fail-on': 'sometimes' })).toThrow('input "fail-on" must be "no-go" or "delay", got "sometimes"');
    expect(() => inputs({ mode: 'validate', drill: 'yes' })).toThrow('input "drill" must be "true" or "false", got "yes"');
  });

  it('route runs the face\'s runner of the settings\' mode', async () => {
    const ran: string[] = [];
    const runner = (name: string) => async () => void ran.push(name);
    const runners: Runners<ActionMode, void> = {
      validate: runner('validate'), load: runner('load'), comment: runner('comment'), promote: runner('promote'),
      rollback: runner('rollback'), status: runner('status'), monitor: runner('monitor'),
    };
    await route(runners, inputs({ mode: 'rollback' }));
    await route(runners, inputs({}));
    expect(ran).toEqual(['rollback', 'validate']);
  });
});
