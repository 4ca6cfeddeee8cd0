/**
 * A monitor data set from where it lives: a file, an http(s) URL, or a user command that prints
 * CSV, JSON Lines or Parquet on stdout (`aws s3 cp s3://bucket/today.parquet -`, `bq query …`), so
 * a warehouse is one line of config rather than a client library here. URL and command output go
 * to a private temporary file read by the ordinary readers (src/data/read.ts) and removed after.
 *
 * The command runs like the runner's and the traffic commands: `sh -c` in a process group of its
 * own, the whole group killed at the timeout (a child that holds stdout cannot keep us waiting),
 * its output bounded, its stderr's tail in the error when it fails.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { request } from 'undici';
import type { MonitorSource } from '../config/types.ts';
import type { DataFormat, Dataset } from '../data/dataset.ts';
import type { ReaderLimits } from '../data/limits.ts';
import { formatOf, readDataset } from '../data/read.ts';
import { UsageError, getErrorMessage } from '../errors.ts';

export const DEFAULT_SOURCE_TIMEOUT_S = 300;
export const DEFAULT_SOURCE_MAX_MB = 2048;

interface Resolved {
  kind: 'path' | 'url' | 'command';
  value: string;
  format?: DataFormat;
  timeoutS: number;
  maxBytes: number;
}

/** What the source is, checked: exactly one of path, url, command. */
export function resolveSource(source: MonitorSource, where: string): Resolved {
  const base = { timeoutS: DEFAULT_SOURCE_TIMEOUT_S, maxBytes: DEFAULT_SOURCE_MAX_MB * 1024 * 1024 };
  if (typeof source === 'string') {
    const value = source.trim();
    if (value === '') throw new UsageError(`${where} is empty: give a file, a URL or {command: …}`);
    return { ...base, kind: /^https?:\/\//i.test(value) ? 'url' : 'path', value };
  }
  const given = (['path', 'url', 'command'] as const).filter((k) => source[k] !== undefined);
  if (given.length !== 1) throw new UsageError(`${where} needs exactly one of path, url or command (got ${given.length === 0 ? 'none' : given.join(' and ')})`);
  const kind = given[0]!;
  return {
    kind,
    value: source[kind]!,
    format: source.format,
    timeoutS: source.timeout_seconds ?? base.timeoutS,
    maxBytes: (source.max_mb ?? DEFAULT_SOURCE_MAX_MB) * 1024 * 1024,
  };
}

/** How a source is named in messages: a command by its program only (its arguments may hold secrets). */
export function describeSource(source: MonitorSource): string {
  const r = resolveSource(source, 'source');
  if (r.kind === 'command') return `the output of "${r.value.trim().split(/\s+/)[0]} …"`;
  if (r.kind === 'url') {
    try {
      const u = new URL(r.value);
      return `${u.origin}${u.pathname}`; // no query string: tokens live there
    } catch {
      return 'a URL';
    }
  }
  return r.value;
}

function formatFor(r: Resolved): DataFormat {
  if (r.format) return r.format;
  const path = r.kind === 'url' ? new URL(r.value).pathname : r.kind === 'path' ? r.value : '';
  const ext = extname(path).toLowerCase();
  if (ext) {
    try {
      return formatOf(path);
    } catch {
      // an unknown extension: fall through to the default
    }
  }
  return 'csv';
}

const EXT: Record<DataFormat, string> = { csv: '.csv', jsonl: '.jsonl', parquet: '.parquet', npz: '.npz' };

/** Runs the command, its stdout into `file`; rejects on a failure, a timeout or too much output. */
export function commandToFile(command: string, file: string, timeoutS: number, maxBytes: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], env, detached: process.platform !== 'win32' });
    const out = createWriteStream(file, { mode: 0o600 });
    let stderr = '';
    let bytes = 0;
    let failed: string | null = null;
    const killGroup = () => {
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // gone already
      }
    };
    const fail = (why: string) => {
      failed ??= why;
      killGroup();
    };
    const onExit = () => killGroup(); // the gate exits: the command does not outlive it
    process.once('exit', onExit);
    const timer = setTimeout(() => fail(`did not finish within ${timeoutS} s (raise timeout_seconds)`), timeoutS * 1000);
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) return fail(`printed more than ${Math.round(maxBytes / 1024 / 1024)} MiB (raise max_mb)`);
      out.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4096);
    });
    const tail = () => {
      const lines = stderr.trim().split('\n').slice(-5).join(' / ');
      return lines ? `; its stderr ends with: ${lines}` : ' (nothing on stderr)';
    };
    child.on('error', (error) => fail(`could not start: ${error.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      killGroup(); // children it left behind
      out.end(() => {
        const program = command.trim().split(/\s+/)[0];
        if (failed) reject(new Error(`the command "${program} …" ${failed}${tail()}`));
        else if (code !== 0) reject(new Error(`the command "${program} …" exited with ${code === null ? `signal ${signal}` : `code ${code}`}${tail()}`));
        else if (bytes === 0) reject(new Error(`the command "${program} …" printed nothing on stdout${tail()}`));
        else resolve();
      });
    });
  });
}

async function urlToFile(url: string, file: string, timeoutS: number, maxBytes: number): Promise<void> {
  const shown = (() => {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  })();
  let res;
  try {
    res = await request(url, { signal: AbortSignal.timeout(timeoutS * 1000) });
  } catch (error) {
    throw new Error(`${shown}: ${getErrorMessage(error)}`, { cause: error });
  }
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`${shown} answered HTTP ${res.statusCode}`);
  }
  const out = createWriteStream(file, { mode: 0o600 });
  let bytes = 0;
  try {
    for await (const chunk of res.body) {
      bytes += (chunk as Buffer).length;
      if (bytes > maxBytes) throw new Error(`${shown} serves more than ${Math.round(maxBytes / 1024 / 1024)} MiB (raise max_mb)`);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    await new Promise<void>((r) => out.end(() => r()));
  }
}

/** Reads the source as a data set; `where` names it in errors (e.g. "monitor.window"). */
export async function readSource(source: MonitorSource, where: string, limits: ReaderLimits, env: NodeJS.ProcessEnv = process.env): Promise<Dataset> {
  const r = resolveSource(source, where);
  if (r.kind === 'path') return readDataset(r.value, limits);
  const dir = await mkdtemp(join(tmpdir(), 'model-gate-monitor-'));
  const file = join(dir, `data${EXT[formatFor(r)]}`);
  try {
    try {
      if (r.kind === 'url') await urlToFile(r.value, file, r.timeoutS, r.maxBytes);
      else await commandToFile(r.value, file, r.timeoutS, r.maxBytes, env);
    } catch (error) {
      throw new UsageError(`${where}: ${getErrorMessage(error)}`);
    }
    const data = await readDataset(file, limits);
    return { ...data, path: describeSource(source) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
