/**
 * Reports tell the truth about the run that wrote them: a run that cannot finish writing them
 * (a full disk, a path that cannot be written) leaves no complete-looking report.json saying GO,
 * a failed run leaves no earlier report behind for `promote`, and `drift` is not GO when columns
 * could not be compared. Real processes, real files; a real full disk (a tiny tmpfs) when this
 * machine lets the test mount one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

const NODE = resolve('node_modules/node/bin/node');
const CLI = resolve('src/cli.ts');
const work = mkdtempSync(join(tmpdir(), 'mg-report-state-'));
const config = join(work, 'gate.yml');
writeFileSync(
  config,
  `version: 1
model: { path: examples/iris/model.onnx, outputs: { probabilities: { kind: probabilities }, label: { kind: labels, classes: [0, 1, 2] } } }
data: { eval: examples/iris/eval.csv, label: species }
checks: { smoke: { batch_sizes: [1] }, latency: { warmup: 1, iterations: 5 }, errors: { enabled: false } }
`,
);
const STALE = `${JSON.stringify({ decision: 'GO', version: { id: 'v_stale' } })}\n`;

function gate(out: string, cfg = config) {
  const r = spawnSync(NODE, [CLI, 'validate', '--config', cfg, '--out', out], { env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, text: `${r.stdout}\n${r.stderr}` };
}

let mounted: string | null = null;
afterAll(() => {
  if (mounted) spawnSync('umount', [mounted]);
});

describe('reports are all there and whole, or not there', () => {
  it('a report path that cannot be written mid-way: exit 2 and no report.json (an earlier one is removed too)', () => {
    const out = join(work, 'blocked');
    mkdirSync(join(out, 'report.html'), { recursive: true }); // writing report.html fails
    writeFileSync(join(out, 'report.json'), STALE);
    const r = gate(out);
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/cannot write the reports there: .*no report was left in place/);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    expect(readdirSync(out).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('a full disk (a tiny tmpfs): exit 2 and no report.json, no partial files', (ctx) => {
    const mnt = join(work, 'tiny');
    mkdirSync(mnt);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', mnt]).status !== 0) return ctx.skip(); // not root, or no mount here
    mounted = mnt;
    // An earlier run's verdict, and a file filling most of the space.
    writeFileSync(join(mnt, 'report.json'), STALE);
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(8 * 1024));
    const r = gate(mnt);
    expect(r.code).toBe(2);
    expect(r.text).toMatch(/cannot write the reports there: .*(ENOSPC|no space)/i);
    expect(existsSync(join(mnt, 'report.json'))).toBe(false);
    expect(readdirSync(mnt).sort()).toEqual(['filler']);
  });

  it('a run that fails before writing removes the earlier report, so promote has nothing to act on', async () => {
    const out = join(work, 'stale');
    mkdirSync(out);
    expect(gate(out).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).decision).toBe('GO');
    const broken = join(work, 'broken.yml');
    writeFileSync(broken, readFileSync(config, 'utf8').replace('examples/iris/eval.csv', join(work, 'absent.csv')));
    const r = gate(out, broken);
    expect(r.code).toBe(2);
    expect(r.text).toContain('absent.csv: file not found');
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    const promote = await cli(['promote', '--stage', '5', '--report', join(out, 'report.json')]);
    expect(promote.code).not.toBe(0);
  });
});

describe('model-gate drift with columns it could not compare', () => {
  it('is not GO when 3 of 4 columns could not be compared', async () => {
    const lines = (row: (i: number) => string) => Array.from({ length: 300 }, (_, i) => row(i)).join('\n');
    const u = (i: number, k: number) => (((i * 7919 + k * 104729) % 1000) / 1000).toFixed(3);
    writeFileSync(join(work, 'ref.csv'), `a,b,c,d\n${lines((i) => `${u(i, 1)},${u(i, 2)},${u(i, 3)},${u(i, 4)}`)}\n`);
    writeFileSync(join(work, 'cur.csv'), `a,b,c\n${lines((i) => `${u(i + 1, 1)},x${i},y${i}`)}\n`);
    const r = await cli(['drift', '--json', '--reference', join(work, 'ref.csv'), '--current', join(work, 'cur.csv')]);
    const report = JSON.parse(r.stdout) as { decision: string; checks: { id: string; status: string; message: string }[] };
    expect(report.decision).not.toBe('GO');
    expect(r.code).toBe(3);
    expect(report.checks.find((c) => c.id === 'drift.coverage')).toMatchObject({ status: 'error', message: expect.stringMatching(/^3 of 4 columns could not be compared \(b, c, d\)/) });
  });
});
