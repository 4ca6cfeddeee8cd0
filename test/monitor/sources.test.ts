/**
 * Monitor inputs: a window from a file, a URL or a command (timeout, failure, bounded output,
 * children killed with it), delayed labels joined by id, and the CLI end to end on healthy and
 * degraded windows.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli-run.ts';
import { readDataset } from '../../src/data/read.ts';
import { binaryOf } from '../../src/monitor/columns.ts';
import { joinLabels } from '../../src/monitor/labels.ts';
import { readSource } from '../../src/monitor/source.ts';
import { DEFAULT_LIMITS } from '../../src/data/limits.ts';
import { MONITOR_CONFIG, writeMonitorData } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'mg-sources-'));
const csv = join(dir, 'w.csv');
writeFileSync(csv, 'id,x\na,1\nb,2\nc,3\n');

describe('monitor sources', () => {
  it('reads a command\'s CSV from stdout, naming the command by its program only', async () => {
    const d = await readSource({ command: `cat ${csv} # secret-arg`, format: 'csv' }, 'monitor.window', DEFAULT_LIMITS);
    expect(d.rows).toBe(3);
    expect(d.path).toBe('the output of "cat …"');
  });

  it('fails a command that exits non-zero with its stderr tail, and one that outlives its timeout (children too)', async () => {
    await expect(readSource({ command: 'echo "no credentials" >&2; exit 3' }, 'monitor.window', DEFAULT_LIMITS)).rejects.toThrow(/monitor.window: the command "echo …" exited with code 3; its stderr ends with: no credentials/);
    const t0 = Date.now();
    await expect(readSource({ command: 'sleep 30 & sleep 30', timeout_seconds: 0.5 }, 'monitor.window', DEFAULT_LIMITS)).rejects.toThrow(/did not finish within 0.5 s/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('bounds what a command may print', async () => {
    await expect(readSource({ command: 'yes 1,2', max_mb: 0.01 }, 'monitor.window', DEFAULT_LIMITS)).rejects.toThrow(/printed more than/);
  });

  it('reads a URL (the query string never shown) and names an HTTP error', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/w.csv')) return res.end('id,x\na,1\n');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const d = await readSource(`${base}/w.csv?token=s3cr3t`, 'monitor.window', DEFAULT_LIMITS);
      expect(d.rows).toBe(1);
      expect(d.path).toBe(`${base}/w.csv`);
      await expect(readSource(`${base}/missing.csv?token=s3cr3t`, 'monitor.labels', DEFAULT_LIMITS)).rejects.toThrow(/^monitor.labels: http:\/\/127.0.0.1:\d+\/missing.csv answered HTTP 404$/);
    } finally {
      server.close();
    }
  });

  it('refuses a source with two origins', async () => {
    await expect(readSource({ path: csv, command: 'cat' }, 'monitor.window', DEFAULT_LIMITS)).rejects.toThrow(/exactly one of path, url or command \(got path and command\)/);
  });
});

describe('delayed labels', () => {
  it('join by id; rows without a label stay unlabelled; an id labelled twice is refused', async () => {
    const window = await readDataset(csv);
    writeFileSync(join(dir, 'l.csv'), 'id,y\nc,1\na,0\nz,1\n');
    const binary = (d: Parameters<typeof binaryOf>[0], name: string) => binaryOf(d, name, 1);
    const joined = joinLabels(window, await readDataset(join(dir, 'l.csv')), 'id', 'y', binary);
    expect(Array.from(joined.label)).toEqual([0, -1, 1]);
    expect(joined.matched).toBe(2);
    writeFileSync(join(dir, 'l2.csv'), 'id,y\na,1\na,0\n');
    await expect((async () => joinLabels(window, await readDataset(join(dir, 'l2.csv')), 'id', 'y', binary))()).rejects.toThrow(/id "a" has two labels/);
  });
});

describe('model-gate monitor (CLI)', () => {
  const data = writeMonitorData(join(dir, 'data'));
  const config = join(dir, 'gate.yml');
  writeFileSync(config, MONITOR_CONFIG);
  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    // No GitHub here (a CI runner's GITHUB_* must not send these runs to the API): the version is given.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_') && k !== 'GH_TOKEN'));
    const code = await runCli(args, { stdout: { write: (s: string) => ((out += s), true) } as never, stderr: { write: (s: string) => ((err += s), true) } as never, env });
    return { code, out, err };
  };

  it('OK on a healthy window (exit 0), FAILING on a degraded one (exit 1) with realised metrics from the labels', async () => {
    const healthy = await run(['monitor', '--config', config, '--window', data.healthy, '--reference', data.reference, '--out', join(dir, 'out'), '--version', 'v1']);
    expect(healthy.err).not.toMatch(/model-gate:/);
    expect(healthy.code).toBe(0);
    expect(healthy.out).toMatch(/^OK: fraud-model, version v1/);
    const degraded = await run(['monitor', '--config', config, '--window', data.degraded, '--reference', data.reference, '--labels', data.labels, '--out', join(dir, 'out'), '--json', '--version', 'v1']);
    expect(degraded.code).toBe(1);
    const report = JSON.parse(degraded.out) as { status: string; performance: { realised: { rows: number } }; checks: { id: string; status: string; severity: string }[] };
    expect(report.status).toBe('FAILING');
    expect(report.performance.realised.rows).toBe(800);
    expect(report.checks.find((c) => c.id === 'monitor.estimated.accuracy')).toMatchObject({ status: 'fail', severity: 'blocker' });
    expect(report.checks.find((c) => c.id === 'monitor.realised.accuracy')).toMatchObject({ status: 'fail', severity: 'blocker' });
  });

  it('DEGRADED (exit 3) when only the reference comparison fails, and says what is missing', async () => {
    const mild = join(dir, 'mild.yml');
    // The degraded window's drift is real (PSI beyond its noise blocks at any size): PSI set not to
    // block here, so only the comparison with the reference's realised metrics fails.
    writeFileSync(mild, `${MONITOR_CONFIG.replace('    accuracy: {min: 0.6}\n', '    accuracy: {min: 0.3}\n')}drift:\n  psi: {blocker: 20}\n`);
    const degraded = await run(['monitor', '--config', mild, '--window', data.degraded, '--reference', data.reference, '--out', join(dir, 'out'), '--version', 'v1']);
    expect(degraded.code).toBe(3);
    expect(degraded.out).toMatch(/^DEGRADED/);
    const missing = await run(['monitor', '--config', mild, '--reference', data.reference]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/needs the production window: --window/);
  });
});
