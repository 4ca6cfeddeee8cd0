/** One classification of a thrown error for both faces: what is the user's to fix, what is ours (pure). */
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigValidationError, InputFileError, UsageError, classifyError, failureText } from '../../src/errors.ts';

const at = { file: 'gate.yml', line: 3, column: 5 };

describe('classifyError and the CLI text of each kind', () => {
  it('a config that failed validation lists every located issue', () => {
    const f = classifyError(new ConfigValidationError([{ message: 'a: bad', keyPath: 'a', location: at }, { message: 'b: bad', keyPath: 'b', location: { ...at, line: 4 } }]));
    expect(f.kind).toBe('invalid-config');
    expect(failureText(f, false)).toBe('model-gate: invalid config\n  gate.yml:3:5: a: bad\n  gate.yml:4:5: b: bad\n');
  });

  it('a located config error names its place; an unlocated one is a plain user error', () => {
    expect(failureText(classifyError(new ConfigError('no such key', at)), false)).toBe('model-gate: gate.yml:3:5: no such key\n');
    expect(classifyError(new ConfigError('config file not found: x.yml'))).toEqual({ kind: 'user', message: 'config file not found: x.yml' });
  });

  it('usage and input-file errors are their message, never a stack, even when debugging', () => {
    expect(failureText(classifyError(new UsageError('--rate must be a positive number')), true)).toBe('model-gate: --rate must be a positive number\n');
    expect(failureText(classifyError(new InputFileError('d.csv', 'file not found')), true)).toBe('model-gate: d.csv: file not found\n');
  });

  it('anything else is internal: its stack only with --debug; a non-Error throw still has a message', () => {
    const error = new TypeError('x is undefined');
    expect(failureText(classifyError(error), false)).toBe('model-gate: unexpected error: x is undefined\n(run with --debug for details)\n');
    expect(failureText(classifyError(error), true)).toBe(`model-gate: unexpected error: x is undefined\n${error.stack}\n`);
    expect(classifyError({ code: 7 })).toEqual({ kind: 'internal', message: '{"code":7}', stack: null });
  });
});
