/**
 * The engine's commands (KServe, Argo Rollouts, SageMaker, nginx, …) with `{weight}`, `{version}`,
 * `{stage}` and `{model}` filled in, shell-quoted. Each runs with a timeout; its output is logged.
 */
import { spawn } from 'node:child_process';

export interface TrafficVars {
  weight: number;
  version: string;
  stage: string;
  model: string;
}

const quote = (s: string) => (/^[A-Za-z0-9_.:/=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function fill(template: string, vars: TrafficVars): string {
  return template
    .replace(/\{weight\}/g, String(vars.weight))
    .replace(/\{version\}/g, quote(vars.version))
    .replace(/\{stage\}/g, quote(vars.stage))
    .replace(/\{model\}/g, quote(vars.model));
}

export interface CommandResult {
  command: string;
  code: number | null;
  output: string;
  ms: number;
}

/**
 * Runs a filled-in command in a process group of its own; rejects with its output when it fails
 * or outlives the timeout. `started` is given a way to kill the whole group (an interrupted stage
 * must be able to stop a traffic command so that it cannot move traffic after the rollback).
 */
export function runCommand(command: string, timeoutS: number, log: (line: string) => void, started?: (kill: () => void) => void): Promise<CommandResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env, detached: process.platform !== 'win32' });
    let output = '';
    const take = (d: Buffer) => {
      const text = d.toString('utf8');
      output = (output + text).slice(-16_384);
      for (const line of text.split('\n')) if (line.trim()) log(`  | ${line}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let killed: string | null = null;
    const kill = (why: string) => {
      killed ??= why;
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // gone already
      }
    };
    const timer = setTimeout(() => {
      kill(`did not finish within ${timeoutS} s`);
      reject(new Error(`"${command}" did not finish within ${timeoutS} s`));
    }, timeoutS * 1000);
    started?.(() => kill('was stopped: the stage was interrupted'));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`"${command}" could not start: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = { command, code, output, ms: performance.now() - t0 };
      if (killed) reject(new Error(`"${command}" ${killed}`));
      else if (code === 0) resolve(result);
      else reject(new Error(`"${command}" exited with code ${code}${output.trim() ? `: ${output.trim().split('\n').slice(-3).join(' / ')}` : ''}`));
    });
  });
}
