/**
 * No value reaches the shell as code: every placeholder of a traffic template, bare, inside "…" or
 * inside '…', filled with `$(…)`, backticks, `;`, quotes, backslashes and newlines, runs a real
 * `sh -c` that prints the value back unchanged and creates no file.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fill, runCommand, type TrafficVars } from '../../src/promotion/traffic.ts';

const dir = mkdtempSync(join(tmpdir(), 'mg-inject-'));
const MARK = join(dir, 'pwned');
const payloads = [
  `$(touch ${MARK})`,
  `\`touch ${MARK}\``,
  `; touch ${MARK}`,
  `'; touch ${MARK}; '`,
  `"; touch ${MARK}; "`,
  `$(touch ${MARK})'"\`touch ${MARK}\``,
  `\\"; touch ${MARK} #`,
  `\\'; touch ${MARK} #`,
  `a\ntouch ${MARK}`,
  `$HOME \${PATH} $((1+1)) | touch ${MARK} && touch ${MARK} > ${MARK}`,
];
const contexts: [string, (p: string) => string][] = [
  ['bare', (p) => `printf '%s|' {${p}}`],
  ['double quotes', (p) => `printf '%s|' "{${p}}"`],
  ['single quotes', (p) => `printf '%s|' '{${p}}'`],
  ['inside a word, in double quotes', (p) => `printf '%s|' "v={${p}}!"`],
  ['inside a word, in single quotes', (p) => `printf '%s|' 'v={${p}}!'`],
  ['after an escaped quote in double quotes', (p) => `printf '%s|' "\\"{${p}}"`],
];
const expected: Record<string, (v: string) => string> = {
  bare: (v) => v,
  'double quotes': (v) => v,
  'single quotes': (v) => v,
  'inside a word, in double quotes': (v) => `v=${v}!`,
  'inside a word, in single quotes': (v) => `v=${v}!`,
  'after an escaped quote in double quotes': (v) => `"${v}`,
};

describe('traffic templates: no injection through any placeholder', () => {
  for (const placeholder of ['version', 'stage', 'model'] as const) {
    for (const [context, template] of contexts) {
      it(`{${placeholder}} ${context}`, async () => {
        for (const payload of payloads) {
          const vars: TrafficVars = { weight: 25, version: 'v_1', stage: '25%', model: 'm.onnx', [placeholder]: payload };
          const command = fill(template(placeholder), vars);
          const r = await runCommand(command, 10, () => undefined);
          expect(existsSync(MARK), `${command} created ${MARK}`).toBe(false);
          expect(r.output, command).toBe(`${expected[context]!(payload)}|`);
        }
      });
    }
  }

  it('{weight} and all four together, in every context, print their values', async () => {
    const vars: TrafficVars = { weight: 12.5, version: `$(touch ${MARK})`, stage: `;touch ${MARK}`, model: `'"\`touch ${MARK}\`` };
    const command = fill(`printf '%s|' {weight} "{weight}" '{weight}' {version} "{stage}" '{model}' "{model}{version}"`, vars);
    const r = await runCommand(command, 10, () => undefined);
    expect(existsSync(MARK)).toBe(false);
    expect(r.output).toBe(['12.5', '12.5', '12.5', vars.version, vars.stage, vars.model, vars.model + vars.version, ''].join('|'));
  });
});
