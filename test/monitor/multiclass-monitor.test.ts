/**
 * `model-gate monitor` on a multiclass model (monitor.scores): multiclass CBPE on the window,
 * realised macro metrics from delayed labels joined by id, OK on a healthy window and FAILING when
 * rows crowd where the classes meet; configuration mistakes named.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli-run.ts';
import { MULTICLASS_CONFIG, writeMulticlassData } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'mg-multiclass-'));
const data = writeMulticlassData(join(dir, 'data'));
const config = join(dir, 'gate.yml');
writeFileSync(config, MULTICLASS_CONFIG);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_') && k !== 'GH_TOKEN'));

interface Report {
  status: string;
  performance: { classes?: string[]; estimated: { metric: string; value: number; lower: number; upper: number }[]; reference: Record<string, number>; realised: { rows: number; metrics: Record<string, number> } | null } | null;
  checks: { id: string; status: string; severity: string; message: string }[];
}

async function monitor(args: string[], cfg = config): Promise<{ code: number; report: Report | null; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['monitor', '--config', cfg, '--reference', data.reference, '--out', join(dir, 'out'), '--version', 'v1', '--json', ...args], {
    stdout: { write: (s: string) => ((out += s), true) } as never,
    stderr: { write: (s: string) => ((err += s), true) } as never,
    env,
  });
  return { code, report: out ? (JSON.parse(out) as Report) : null, err };
}

const check = (r: Report, id: string) => r.checks.find((c) => c.id === id);

describe('model-gate monitor, multiclass', () => {
  it('OK on a healthy window: estimated accuracy and macro F1 near the reference, roc_auc skipped', async () => {
    const { code, report, err } = await monitor(['--window', data.healthy]);
    expect(err).not.toMatch(/model-gate:/);
    expect(report!.status).toBe('OK');
    expect(code).toBe(0);
    const p = report!.performance!;
    expect(p.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(p.estimated.map((e) => e.metric)).toEqual(['accuracy', 'precision', 'recall', 'f1']);
    const acc = p.estimated[0]!;
    expect(acc.lower).toBeLessThanOrEqual(p.reference.accuracy!);
    expect(acc.upper).toBeGreaterThanOrEqual(p.reference.accuracy!);
    expect(check(report!, 'monitor.estimated.accuracy')).toMatchObject({ status: 'pass' });
    expect(check(report!, 'monitor.estimated.roc_auc')).toMatchObject({ status: 'skip', severity: 'info' });
  });

  it('FAILING when rows crowd where the classes meet: estimated and realised accuracy below the bound', async () => {
    const { code, report } = await monitor(['--window', data.degraded, '--labels', data.labels]);
    expect(code).toBe(1);
    expect(report!.status).toBe('FAILING');
    const p = report!.performance!;
    expect(p.realised!.rows).toBe(800);
    const acc = p.estimated[0]!;
    // The estimate follows the realised accuracy: within its interval, both below the gate's 0.55.
    expect(p.realised!.metrics.accuracy).toBeGreaterThanOrEqual(acc.lower);
    expect(p.realised!.metrics.accuracy).toBeLessThanOrEqual(acc.upper);
    expect(acc.upper).toBeLessThan(0.55);
    expect(check(report!, 'monitor.estimated.accuracy')).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(check(report!, 'monitor.realised.accuracy')).toMatchObject({ status: 'fail', severity: 'blocker' });
  });

  it('names a label that is no class of monitor.scores, and score beside scores', async () => {
    const odd = join(dir, 'odd-labels.csv');
    writeFileSync(odd, 'id,species\nhealthy0,setosa\nhealthy1,rose\n');
    const { report } = await monitor(['--window', data.healthy, '--labels', odd]);
    expect(check(report!, 'monitor.labels')!.message).toMatch(/column "species" row 2 holds "rose", which is no class of monitor.scores \(setosa, versicolor, virginica\)/);
    const both = join(dir, 'both.yml');
    writeFileSync(both, `${MULTICLASS_CONFIG}  score: p_setosa\n`);
    const r = await monitor(['--window', data.healthy], both);
    expect(check(r.report!, 'monitor.estimated')!.message).toMatch(/monitor.score .* or monitor.scores .*, not both/);
  });
});
