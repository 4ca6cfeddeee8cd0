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

const bare = (s: string) => (/^[A-Za-z0-9_.:/=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Fills the placeholders, each quoted for where it stands in the template (the shell's own quoting
 * rules, followed char by char): bare → single-quoted; inside "…" → `\`, `$`, `` ` `` and `"`
 * escaped; inside '…' → a `'` closes, is escaped and reopens. No value can end a quote or start a
 * substitution, wherever the template puts it.
 */
export function fill(template: string, vars: TrafficVars): string {
  const values: Record<string, string> = { weight: String(vars.weight), version: vars.version, stage: vars.stage, model: vars.model };
  let out = '';
  let state: 'none' | 'single' | 'double' = 'none';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    const m = /^\{(weight|version|stage|model)\}/.exec(template.slice(i, i + 9));
    if (m) {
      const v = values[m[1]!]!;
      out += state === 'none' ? bare(v) : state === 'double' ? v.replace(/[\\$`"]/g, '\\$&') : v.replace(/'/g, `'\\''`);
      i += m[0].length - 1;
      continue;
    }
    out += c;
    if (state !== 'single' && c === '\\' && i + 1 < template.length) {
      out += template[++i];
    } else if (state === 'none' && c === "'") state = 'single';
    else if (state === 'single' && c === "'") state = 'none';
    else if (state === 'none' && c === '"') state = 'double';
    else if (state === 'double' && c === '"') state = 'none';
  }
  return out;
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
