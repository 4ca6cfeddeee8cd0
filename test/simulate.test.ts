/**
 * The A/A harness (scripts/simulate/aa.py), small and seeded: it runs the real CLI from source on
 * equally good and on identical models, and writes the table; identical models on identical data
 * must always be GO (an alarm there is a bug, not noise).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, skipWithout } from './support/tools.ts';

interface Trial {
  kind: string;
  rows: number;
  seed: number;
  decision: string;
  fired: { id: string; category: string; severity: string }[];
}

describe.skipIf(skipWithout('python'))('A/A simulation harness', () => {
  it('writes the false-alarm table, and identical models are GO in every trial', () => {
    const out = mkdtempSync(join(tmpdir(), 'mg-simulate-'));
    execFileSync(PYTHON, ['scripts/simulate/aa.py', '--quick', '--cli', 'src/cli.ts', '--out', out], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 170_000 });
    const md = readFileSync(join(out, 'statistics-false-alarms.md'), 'utf8');
    const json = JSON.parse(readFileSync(join(out, 'statistics-false-alarms.json'), 'utf8')) as { trials: Trial[]; summary: { kind: string; trials: number; decisions: Record<string, number> }[] };
    expect(md).toMatch(/^# False alarms and power of model-gate's decisions/);
    expect(md).toMatch(/Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC by `python3 scripts\/simulate\/aa.py --quick/);
    expect(md).toMatch(/\| models \| eval rows \| trials \| GO \| DELAY \| NO-GO \|/);
    expect(md).toMatch(/\| A\/A \| 200 \| 3 \| /);
    expect(md).toContain('| identical | 200 | 3 | 100.0% | 0.0% | 0.0% |');
    // Seeded: the same simulated pull requests every time.
    expect(json.trials.map((t) => [t.kind, t.rows, t.seed])).toEqual([
      ['aa', 200, 20261129],
      ['aa', 200, 20261130],
      ['aa', 200, 20261131],
      ['identical', 200, 20351129],
      ['identical', 200, 20351130],
      ['identical', 200, 20351131],
    ]);
    for (const t of json.trials.filter((x) => x.kind === 'identical')) expect(t).toMatchObject({ decision: 'GO', fired: [] });
    // A/A runs may alarm (that is what the table measures), but never on a check that errored.
    for (const t of json.trials) expect(t.fired.filter((f) => f.id.endsWith('.run'))).toEqual([]);
  }, 180_000);
});
