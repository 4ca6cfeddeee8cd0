/**
 * The deployed version, one piece of code for the action and the CLI: given, else the newest
 * successful full stage in the environment's deployment records (here read by the CLI through the
 * GitHub API stand-in, as GITHUB_REPOSITORY / GITHUB_TOKEN / GITHUB_API_URL say); neither is a
 * usage error naming both ways.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli-run.ts';
import type { DeploymentRecords, RecordedStage } from '../../src/promotion/records.ts';
import { deployedVersion } from '../../src/monitor/version.ts';
import { FakeGitHub } from '../support/github-api.ts';
import { MONITOR_CONFIG, writeMonitorData } from './support.ts';

const stage = (id: number, version: string, weight: number, state: string, environment = 'staging'): RecordedStage => ({
  id,
  environment,
  payload: { version, stage: `${weight}%`, weight, model: 'model.onnx' },
  state,
  description: null,
  created_at: '2026-11-01T00:00:00Z',
  log_url: null,
});

// Newest first, as the API lists them: v4 is at 25% only, v3 was rolled back (inactive), so v2 is
// deployed and v1 before it.
const HISTORY = [stage(5, 'v4', 25, 'success'), stage(4, 'v3', 100, 'inactive'), stage(3, 'v2', 100, 'success'), stage(2, 'v2', 50, 'success'), stage(1, 'v1', 100, 'success')];
const records = (list: RecordedStage[]): DeploymentRecords => ({
  start: () => Promise.reject(new Error('read only')),
  status: () => Promise.reject(new Error('read only')),
  list: (environment) => Promise.resolve(list.filter((d) => d.environment === environment)),
});

describe('deployedVersion', () => {
  it('takes the newest successful 100% stage, and the one before it as previous', async () => {
    expect(await deployedVersion(undefined, 'staging', records(HISTORY))).toEqual({ id: 'v2', source: 'deployments', previous: 'v1' });
  });
  it('a given version wins; previous is still the newest other full deployment', async () => {
    expect(await deployedVersion('v9', 'staging', records(HISTORY))).toEqual({ id: 'v9', source: 'given', previous: 'v2' });
    expect(await deployedVersion('v9', 'staging', null)).toEqual({ id: 'v9', source: 'given', previous: null });
  });
  it('records of another environment, or none at 100%: unknown', async () => {
    expect(await deployedVersion(undefined, 'production', records(HISTORY))).toEqual({ id: 'unknown', source: 'unknown', previous: null });
  });
  it('neither given nor readable: a usage error naming both ways', async () => {
    await expect(deployedVersion(undefined, 'staging', null)).rejects.toThrow(/model-gate monitor needs the deployed version: give it \(--version ID.*GITHUB_REPOSITORY=owner\/name.*GITHUB_TOKEN/);
  });
});

describe('model-gate monitor reads the version from the deployment records', () => {
  let github: FakeGitHub;
  const dir = mkdtempSync(join(tmpdir(), 'mg-version-'));
  const data = writeMonitorData(join(dir, 'data'));
  const config = join(dir, 'gate.yml');
  writeFileSync(config, MONITOR_CONFIG.replace('  id: fraud-model\n', '  id: fraud-model\n  environment: staging\n'));
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_') && k !== 'GH_TOKEN'));

  beforeAll(async () => {
    github = new FakeGitHub('/api/v3');
    await github.start();
    github.addToken('cli-token', { login: 'someone', id: 7, bot: false, write: false });
    const at = '2026-11-01T00:00:00Z';
    for (const d of [...HISTORY].reverse()) {
      github.deployments.push({ id: d.id, ref: 'main', task: 'deploy:model-gate', environment: d.environment, payload: d.payload, created_at: at, statuses: [{ id: 100 + d.id, state: d.state!, description: '', log_url: 'https://github.com/acme/models/actions/runs/1', created_at: at }] });
    }
  });
  afterAll(async () => {
    expect(github.violations).toEqual([]);
    await github?.stop();
  });

  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    let out = '';
    let err = '';
    const code = await runCli(['monitor', '--config', config, '--window', data.healthy, '--reference', data.reference, '--out', join(dir, 'out'), ...args], {
      stdout: { write: (s: string) => ((out += s), true) } as never,
      stderr: { write: (s: string) => ((err += s), true) } as never,
      env: { ...base, ...env },
    });
    return { code, out, err };
  };

  it('with GITHUB_REPOSITORY and GITHUB_TOKEN: the newest full deployment of monitor.environment', async () => {
    const r = await run(['--json'], { GITHUB_REPOSITORY: 'acme/models', GITHUB_TOKEN: 'cli-token', GITHUB_API_URL: github.url });
    expect(r.err).not.toMatch(/model-gate:/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { version: unknown; environment: string };
    expect(report.environment).toBe('staging');
    expect(report.version).toEqual({ id: 'v2', source: 'deployments', previous: 'v1' });
    expect(github.requests.some((q) => q.method === 'GET' && /\/repos\/acme\/models\/deployments/.test(q.path))).toBe(true);
  });

  it('GH_TOKEN works as well; --version given is not looked up', async () => {
    const r = await run(['--json', '--environment', 'production'], { GITHUB_REPOSITORY: 'acme/models', GH_TOKEN: 'cli-token', GITHUB_API_URL: github.url });
    expect((JSON.parse(r.out) as { version: { source: string } }).version.source).toBe('unknown');
    const given = await run(['--json', '--version', 'v7'], { GITHUB_REPOSITORY: 'acme/models', GITHUB_TOKEN: 'cli-token', GITHUB_API_URL: github.url });
    expect((JSON.parse(given.out) as { version: unknown }).version).toEqual({ id: 'v7', source: 'given', previous: 'v2' });
  });

  it('no token, or no repository, and no --version: exit 2 naming both ways', async () => {
    for (const env of [{}, { GITHUB_TOKEN: 'cli-token' }, { GITHUB_REPOSITORY: 'acme/models' }]) {
      const r = await run([], env);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^model-gate: model-gate monitor needs the deployed version: give it \(--version ID/);
      expect(r.err).toMatch(/GITHUB_REPOSITORY=owner\/name and a token that may read deployments in GITHUB_TOKEN/);
    }
  });
});
