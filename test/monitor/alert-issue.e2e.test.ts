/**
 * The monitor action end to end against the GitHub API stand-in (test/support/github-api.ts,
 * checked against GitHub's OpenAPI description): the action entry runs in its own process as the
 * runner starts it (INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), reads the deployed
 * version from the promotion's deployment records, and keeps the one alert issue: opened on the
 * first degraded run, updated by reruns (through injected 502s and a rate limit), closed when a
 * run is healthy, reopened — never a second issue — when it degrades again; a fork's read-only
 * token leaves the result in the job summary.
 *
 * It runs src/index.ts (Node 24 strips the types) rather than dist/: dist is rebuilt by the lead.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseOutputs } from '../support/action.ts';
import { FakeGitHub, type Identity } from '../support/github-api.ts';
import { MONITOR_CONFIG, writeMonitorData } from './support.ts';

const BOT: Identity = { login: 'github-actions[bot]', id: 41898282, bot: true, write: true };
const FORK_BOT: Identity = { ...BOT, write: false };
const NODE = resolve('node_modules/node/bin/node');
const ENTRY = resolve('src/index.ts');
const VERSION = 'v_20261101T000000Z_0a1b2c3d';

let github: FakeGitHub;
let dir: string;
let data: ReturnType<typeof writeMonitorData>;

beforeAll(async () => {
  github = new FakeGitHub('/api/v3');
  await github.start();
  github.addToken('bot-token', BOT);
  github.addToken('fork-token', FORK_BOT);
  dir = mkdtempSync(join(tmpdir(), 'mg-monitor-'));
  data = writeMonitorData(dir);
  writeFileSync(join(dir, 'model-gate.yml'), MONITOR_CONFIG);
  // What the promotion left: the 100% stage of the version, successful.
  const at = new Date().toISOString();
  github.deployments.push({ id: 1, ref: 'main', task: 'deploy:model-gate', environment: 'production', payload: { version: VERSION, stage: '100%', weight: 100, model: 'model.onnx' }, created_at: at, statuses: [{ id: 2, state: 'success', description: 'promoted', log_url: 'https://github.com/acme/models/actions/runs/1', created_at: at }] });
});

afterAll(async () => {
  await github?.stop();
});

afterEach(() => {
  expect(github.violations).toEqual([]);
});

interface Run {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

async function monitor(window: 'healthy' | 'degraded', token = 'bot-token'): Promise<Run> {
  const temp = mkdtempSync(join(tmpdir(), 'mg-runner-'));
  const files = { output: join(temp, 'output'), summary: join(temp, 'summary'), state: join(temp, 'state') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('VITEST') && !k.startsWith('GITHUB_') && !k.startsWith('ACTIONS_') && k !== 'NODE_OPTIONS'));
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_WORKSPACE: dir,
    GITHUB_REPOSITORY: 'acme/models',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: github.url,
    GITHUB_RUN_ID: '42',
    GITHUB_EVENT_NAME: 'schedule',
    RUNNER_TEMP: temp,
    INPUT_MODE: 'monitor',
    INPUT_CONFIG: 'model-gate.yml',
    INPUT_WINDOW: window === 'healthy' ? data.healthy : data.degraded,
    INPUT_ENVIRONMENT: 'production',
    INPUT_REFERENCE: data.reference,
    INPUT_OUT: join(temp, 'out'),
    'INPUT_GITHUB-TOKEN': token,
  });
  const child = spawn(NODE, [ENTRY], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  clearTimeout(timer);
  return { code, stdout, outputs: parseOutputs(readFileSync(files.output, 'utf8')), summary: readFileSync(files.summary, 'utf8') };
}

const alertIssues = () => [...github.issues.entries()].filter(([, i]) => i.body.startsWith('<!-- model-gate-monitor: fraud-model -->'));

describe('the alert issue over a model\'s life', () => {
  it('a fork\'s read-only token: no issue, the result in the job summary, the status still set', async () => {
    const run = await monitor('degraded', 'fork-token');
    expect(run.outputs.status).toBe('FAILING');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/No alert issue: the token may not write issues \(HTTP 403/);
    expect(run.summary).toMatch(/model-gate monitor: FAILING/);
    expect(run.summary).toMatch(/estimated accuracy|\| accuracy \|/);
    expect(github.issues.size).toBe(0);
  }, 120_000);

  it('the first degraded run opens one issue with the labels, the version from the deployments', async () => {
    const run = await monitor('degraded');
    expect(run.outputs.status).toBe('FAILING');
    expect(run.outputs.version).toBe(VERSION);
    expect(run.outputs.environment).toBe('production');
    const issues = alertIssues();
    expect(issues).toHaveLength(1);
    const [number, issue] = issues[0]!;
    expect(issue.state).toBe('open');
    expect(issue.labels).toEqual(['model-gate', 'model-degraded']);
    expect(issue.title).toBe('model-gate monitor: fraud-model is FAILING');
    expect(issue.body).toContain(VERSION);
    expect(run.outputs['issue-url']).toBe(`https://github.com/acme/models/issues/${number}`);
  }, 120_000);

  it('reruns update the same issue in place, a dated row each, through a 502 and a rate limit', async () => {
    github.fail({ method: 'PATCH', path: /^\/repos\/acme\/models\/issues\/\d+$/, status: 502, times: 1 });
    github.fail({ method: 'GET', path: /^\/repos\/acme\/models\/issues$/, status: 429, times: 1, headers: { 'retry-after': '1' }, message: 'API rate limit exceeded' });
    const run = await monitor('degraded');
    expect(run.outputs.status).toBe('FAILING');
    expect(run.stdout).toMatch(/Alert issue updated/);
    await monitor('degraded');
    const issues = alertIssues();
    expect(issues).toHaveLength(1);
    const body = issues[0]![1].body;
    expect(body.match(/^\| \d{4}-\d\d-\d\d \d\d:\d\d \| ❌ FAILING/gm)).toHaveLength(3);
    expect(body).toMatch(/```mermaid\nxychart-beta/);
    const failedPatches = github.requests.filter((r) => r.method === 'PATCH' && r.status === 502);
    expect(failedPatches).toHaveLength(1);
    expect(github.requests.some((r) => r.method === 'GET' && r.status === 429)).toBe(true);
  }, 240_000);

  it('a healthy run closes it with a final note; another healthy run leaves it closed', async () => {
    const run = await monitor('healthy');
    expect(run.outputs.status).toBe('OK');
    expect(run.code).toBe(0);
    const [number, issue] = alertIssues()[0]!;
    expect(issue.state).toBe('closed');
    expect(issue.state_reason).toBe('completed');
    expect(issue.body).toMatch(/healthy again/);
    expect(issue.title).toBe('model-gate monitor: fraud-model is OK');
    expect(github.commentsOn(number).at(-1)!.body).toMatch(/^✅ Healthy again/);
    const again = await monitor('healthy');
    expect(again.stdout).toMatch(/Alert issue not needed/);
    expect(alertIssues()).toHaveLength(1);
    expect(alertIssues()[0]![1].state).toBe('closed');
  }, 240_000);

  it('degrading again reopens the same issue: never a second one', async () => {
    const run = await monitor('degraded');
    expect(run.stdout).toMatch(/Alert issue reopened/);
    const issues = alertIssues();
    expect(issues).toHaveLength(1);
    expect(issues[0]![1].state).toBe('open');
    expect(issues[0]![1].body.match(/^\| \d{4}-\d\d-\d\d \d\d:\d\d \| /gm)).toHaveLength(5);
  }, 120_000);
});
