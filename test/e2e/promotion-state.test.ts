/**
 * The promotion tells the truth about state. A rollback that fails says so (exit non-zero, no
 * "Rolled back", the deployment marked `error`, never `inactive`), records where traffic is
 * believed to be, and the post step retries it from the saved state. `promote` takes its version
 * only from a report that cleared the gate for this commit. The action runs from a copy of the
 * tracked files as GitHub runs it, its deployments recorded by the GitHub API stand-in.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../support/action.ts';
import { FakeGitHub } from '../support/github-api.ts';
import { node24, trackedCopy } from '../support/tracked-copy.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567'; // the commit runAction's GITHUB_SHA names
const dir = mkdtempSync(join(tmpdir(), 'mg-promo-state-'));
let copy: string;
let node: string;
let github: FakeGitHub;

beforeAll(async () => {
  copy = trackedCopy();
  node = node24();
  github = new FakeGitHub('/api/v3');
  await github.start();
  github.addToken('bot-token', { login: 'github-actions[bot]', id: 41898282, bot: true, write: true });
}, 60_000);
afterAll(async () => {
  expect(github.violations).toEqual([]);
  await github.stop();
});

function setup(name: string, doc: object, rollback: string) {
  const base = join(dir, name);
  mkdirSync(base, { recursive: true });
  const weight = join(base, 'weight');
  writeFileSync(weight, '0\n');
  writeFileSync(join(base, 'metrics.json'), JSON.stringify(doc));
  const cfg = join(base, 'gate.yml');
  writeFileSync(
    cfg,
    `promotion:
  stages: [25, 100]
  bake_minutes: 0
  interval_seconds: 0.1
  min_requests: 10
  traffic:
    command: echo {weight} > ${weight}
    rollback: ${rollback.replace('WEIGHT', weight)}
    retry_seconds: 3
  provider: json
  json: { source: ${join(base, 'metrics.json')} }
  metrics:
    - name: errors
      kind: error_rate
      errors: { canary: /canary/errors, stable: /stable/errors }
      requests: { canary: /canary/requests, stable: /stable/requests }
`,
  );
  return { base, weight, cfg, out: join(base, 'out') };
}

const run = (inputs: Record<string, string>, state: Record<string, string> = {}): Promise<ActionRun> =>
  runAction({ copy, node, inputs, env: { GITHUB_API_URL: github.url, ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])) }, timeoutMs: 60_000 });

const bad = { canary: { errors: 60, requests: 100 }, stable: { errors: 0, requests: 1000 } };
const good = { canary: { errors: 0, requests: 100 }, stable: { errors: 0, requests: 1000 } };

describe('a rollback that fails', () => {
  it('says so, exits non-zero, marks the deployment error, records the believed weight, and the post step retries it', async () => {
    // The rollback works only once a file exists: an engine that is down, then back.
    const s = setup('failing-rollback', bad, `test -e ${dir}/engine-up && echo 0 > WEIGHT || { echo "engine unreachable" >&2; exit 3; }`);
    const inputs = { mode: 'promote', stage: '25', version: 'v_fail', config: s.cfg, environment: 'production', 'github-token': 'bot-token', out: s.out };
    const main = await run(inputs);
    expect(main.code, main.stdout).toBe(1);
    expect(main.stdout).toMatch(/::error::the rollback at 25%(25)? failed; traffic is not known to be on stable/);
    expect(main.stdout).not.toMatch(/Rolled back|rolled back to stable/);
    expect(main.summary).toContain('## ❗ Rollback failed at 25%');
    expect(main.summary).not.toContain('⏪ Rolled back');
    expect(main.outputs.outcome).toBe('rollback_failed');
    expect(readFileSync(s.weight, 'utf8').trim()).toBe('25');
    const d = github.deployments.find((x) => (x.payload as { version?: string }).version === 'v_fail')!;
    expect(d.statuses.map((x) => x.state)).not.toContain('inactive');
    expect(d.statuses.at(-1)!.state).toBe('error');
    expect(d.statuses.at(-1)!.description).toContain('traffic believed at 25%');
    const record = JSON.parse(readFileSync(join(s.out, 'promotion', 'traffic-25.json'), 'utf8'));
    expect(record).toMatchObject({ traffic: { on_stable: false, weight: 25 }, pending: { stage: '25%', deployment: d.id } });
    const saved = JSON.parse(main.state['pending-rollback']!);
    expect(saved).toMatchObject({ traffic: { on_stable: false, weight: 25 } });

    // The post step retries until its deadline (3 s here), then fails, saying so.
    const post1 = await run(inputs, main.state);
    expect(post1.code, post1.stdout).toBe(1);
    expect(post1.stdout).toMatch(/rollback attempt 2 failed/);
    expect(post1.stdout).toMatch(/::error::the rollback after an interrupted stage failed \d+ times; traffic is not known to be on stable/);
    expect(readFileSync(s.weight, 'utf8').trim()).toBe('25');

    // The engine is back: the post step's retry puts traffic on stable and records it.
    writeFileSync(join(dir, 'engine-up'), '');
    const post2 = await run(inputs, main.state);
    expect(post2.code, post2.stdout).toBe(0);
    expect(readFileSync(s.weight, 'utf8').trim()).toBe('0');
    expect(JSON.parse(readFileSync(join(s.out, 'promotion', 'traffic-25.json'), 'utf8'))).toMatchObject({ traffic: { on_stable: true, weight: 0 }, pending: null });
    expect(d.statuses.at(-1)!.state).toBe('inactive');
  }, 120_000);

  it('mode rollback reads the recorded state, and a failure there is not reported as rolled back', async () => {
    const s = setup('rollback-mode', bad, 'exit 4');
    mkdirSync(join(s.out, 'promotion', 'model-gate-traffic-stage-1'), { recursive: true });
    writeFileSync(join(s.out, 'promotion', 'model-gate-traffic-stage-1', 'traffic-25.json'), JSON.stringify({ stage: '25%', version: 'v_r', environment: 'production', traffic: { on_stable: false, weight: 25 }, pending: null, at: '' }));
    const r = await run({ mode: 'rollback', version: 'v_r', config: s.cfg, environment: 'production', 'github-token': 'bot-token', out: s.out });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain('stage 25% of v_r recorded: traffic not known to be on stable (believed at 25%)');
    expect(r.summary).toContain('## ❗ Rollback failed');
    expect(r.summary).not.toContain('Rolled back to stable');
  }, 60_000);
});

describe('promote takes its version only from a report that cleared the gate for this commit', () => {
  const report = (decision: string, commit: string | null) => ({ decision, version: { id: `v_${decision}`, git_commit: commit }, model: { path: 'model.onnx' } });
  const cases: [string, object, Record<string, string>, boolean][] = [
    ['a NO-GO report', report('NO-GO', SHA), {}, false],
    ['a DELAY report nobody cleared', report('DELAY', SHA), {}, false],
    ['a GO report of another commit (left by an earlier run)', report('GO', 'f'.repeat(40)), {}, false],
    ['a report without a decision', { version: { id: 'v_x', git_commit: SHA } }, {}, false],
    ['a GO report of this commit', report('GO', SHA), {}, true],
    ['a DELAY report a reviewer cleared (allow-delay)', report('DELAY', SHA), { 'allow-delay': 'true' }, true],
  ];
  for (const [name, doc, extra, allowed] of cases) {
    it(`${name}: ${allowed ? 'promoted' : 'refused, nothing moved'}`, async () => {
      const s = setup(name.replace(/\W+/g, '-'), good, 'echo 0 > WEIGHT');
      mkdirSync(s.out, { recursive: true });
      writeFileSync(join(s.out, 'report.json'), JSON.stringify(doc));
      const r = await run({ mode: 'promote', stage: '25', config: s.cfg, environment: 'production', 'github-token': '', out: s.out, ...extra });
      if (allowed) {
        expect(r.code, r.stdout).toBe(0);
        expect(readFileSync(s.weight, 'utf8').trim()).toBe('25');
      } else {
        expect(r.code, r.stdout).toBe(1);
        expect(r.stdout).toMatch(/::error::.*report\.json (says|is the report of commit)/);
        expect(readFileSync(s.weight, 'utf8').trim()).toBe('0');
        expect(existsSync(join(s.out, 'promotion'))).toBe(false);
      }
    }, 60_000);
  }
});
