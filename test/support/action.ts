/**
 * Runs the bundled action as GitHub does: dist/index.js from a copy of the tracked files under
 * Node 24, inputs as INPUT_* variables, outputs through GITHUB_OUTPUT, the job summary through
 * GITHUB_STEP_SUMMARY, the event through GITHUB_EVENT_PATH. Asynchronous, so that a server in this
 * process (a stand-in for the GitHub API) can answer it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOL_CACHE } from './tracked-copy.ts';

export interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  /** What the step saved for its post step (GITHUB_STATE), by name. */
  state: Record<string, string>;
}

export interface ActionOptions {
  copy: string;
  node: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** The event payload, written to GITHUB_EVENT_PATH. */
  event?: { name: string; payload: unknown };
  timeoutMs?: number;
  /** Called with the child process once started (to signal it mid-run). */
  onSpawn?: (child: ChildProcess) => void;
}

export async function runAction(o: ActionOptions): Promise<ActionRun> {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'mg-runner-'));
  const outputFile = join(runnerTemp, 'output');
  const summaryFile = join(runnerTemp, 'summary');
  const stateFile = join(runnerTemp, 'state');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  writeFileSync(stateFile, '');
  // The machine's environment (proxies, CA certificates) stays; inputs and Actions variables are added.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('VITEST') && !k.startsWith('GITHUB_') && !k.startsWith('ACTIONS_') && k !== 'NODE_OPTIONS'),
  );
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    GITHUB_WORKSPACE: o.copy,
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/models',
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: TOOL_CACHE,
    'INPUT_GITHUB-TOKEN': 'unused',
  });
  if (o.event) {
    const eventPath = join(runnerTemp, 'event.json');
    writeFileSync(eventPath, JSON.stringify(o.event.payload));
    Object.assign(env, { GITHUB_EVENT_NAME: o.event.name, GITHUB_EVENT_PATH: eventPath });
  }
  Object.assign(env, o.env ?? {});
  for (const [k, v] of Object.entries(o.inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(o.node, ['dist/index.js'], { cwd: o.copy, env, stdio: ['ignore', 'pipe', 'pipe'] });
  o.onSpawn?.(child);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  // A hang must fail the test with what the action printed, not stall it.
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 180_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, outputs: parseOutputs(readFileSync(outputFile, 'utf8')), summary: readFileSync(summaryFile, 'utf8'), state: parseOutputs(readFileSync(stateFile, 'utf8')) };
}

/** GITHUB_OUTPUT's heredoc format: name<<delimiter / value / delimiter. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}
