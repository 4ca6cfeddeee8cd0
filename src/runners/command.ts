/**
 * A model behind a user command (`python3 serve.py`), spoken to in JSON Lines over stdin/stdout:
 *
 *   command → {"ready": true, "model": {…}, "inputs": [V2 tensor metadata], "outputs": [...]}
 *   gate    → {"id": "1", "inputs": [{"name", "datatype", "shape", "data"}]}
 *   command → {"id": "1", "outputs": [{"name", "datatype", "shape", "data"}]}
 *             {"id": "1", "error": "why the request was refused"}
 *
 * An error line is a clean refusal (like an HTTP 4xx); the command exiting is a crash. After a crash
 * or a request it did not answer in time, recover() starts the command afresh.
 * One line each; stdout carries nothing else (logs go to stderr). Every wait is bounded: start-up,
 * each request and shutdown. A crash fails what is pending with the command's stderr tail. The
 * command runs in its own process group, ended as a whole (TERM, then KILL) at shutdown, so a child
 * it forked that holds stdout cannot keep the gate waiting; a line on stdout is bounded in length.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { drained } from './drained.ts';
import { getErrorMessage } from '../errors.ts';
import { dtypeOfV2, outputsFromV2, parseJson, tensorText } from './tensor-json.ts';
import type { Dim, Feeds, ModelMemory, ModelRunner, ModelSignature, Outputs, TensorSpec } from './types.ts';
import { RunnerCrashError, RunnerRejectedError, RunnerTimeoutError } from './types.ts';

export interface CommandConfig {
  run: string;
  ready_timeout_s: number;
  timeout_ms: number;
  /** Working directory; default the current one. */
  cwd?: string;
  /** The longest line the command may print on stdout, in MiB (default 64). */
  max_line_mb?: number;
}

const DEFAULT_MAX_LINE_MB = 64;
const NEWLINE = 0x0a;

/** The command refused a request (its `error` line): a rejection, like an HTTP 4xx. */
export class CommandRejectedError extends RunnerRejectedError {
  override readonly name = 'CommandRejectedError';
}

/** The stderr kept for error messages: enough for a Python traceback, bounded for a chatty command. */
const STDERR_KEEP = 8192;
/** How long to wait, after the command exited, for the rest of its stderr to arrive. */
const STDERR_DRAIN_MS = 1000;

const specs = (list: unknown): TensorSpec[] =>
  Array.isArray(list)
    ? list.map((t: { name?: unknown; datatype?: unknown; shape?: unknown; classes?: unknown }) => ({
        name: String(t.name),
        dtype: typeof t.datatype === 'string' ? dtypeOfV2(t.datatype) : null,
        shape: Array.isArray(t.shape) ? t.shape.map((d: number, i: number): Dim => (d >= 0 ? d : i === 0 ? 'N' : null)) : [],
        // The ready line may name the classes of a probability (or label) output's columns.
        ...(Array.isArray(t.classes) && t.classes.every((c) => typeof c === 'string' || typeof c === 'number') ? { classes: t.classes as (string | number)[] } : {}),
      }))
    : [];

export class CommandRunner implements ModelRunner {
  readonly kind = 'command';
  readonly target: string;
  signature: ModelSignature = { inputs: [{ name: 'input', dtype: 'float64', shape: ['N', null] }], outputs: [] };
  metadata: unknown = null;
  readonly #config: CommandConfig;
  #child: ChildProcessWithoutNullStreams | null = null;
  #stderr = '';
  #exited: string | null = null;
  #nextId = 1;
  readonly #pending = new Map<string, { resolve: (o: Outputs) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #onReady: ((line: Record<string, unknown>) => void) | null = null;
  #onFail: ((e: Error) => void) | null = null;
  /** Bytes of the line being received, not yet ended by a newline. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #overflowed = false;
  /** A request went unanswered: the command may still be busy with it, so recover() restarts it. */
  #hung = false;
  #peakMb = 0;
  /** Ends the group if the gate exits without closing the runner (a crash, process.exit). */
  readonly #onProcessExit = () => this.#signalGroup('SIGKILL');

  constructor(config: CommandConfig) {
    this.#config = config;
    this.target = `command: ${config.run}`;
  }

  /** The whole kept stderr (a traceback is useless cut to its first or last line). */
  #tail(): string {
    const text = this.#stderr.trim();
    return text ? `; its stderr ends with:\n${text}` : ' (nothing on stderr)';
  }

  #failAll(error: Error): void {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.#pending.delete(id);
    }
    this.#onFail?.(error);
  }

  async open(): Promise<void> {
    this.#stderr = '';
    this.#exited = null;
    this.#partial = [];
    this.#partialBytes = 0;
    this.#overflowed = false;
    this.#hung = false;
    const child = spawn(this.#config.run, { shell: true, cwd: this.#config.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32', env: process.env });
    this.#child = child;
    child.stderr.setEncoding('utf8');
    // A restarted command's predecessor may still report: only the current one's events count.
    const current = () => this.#child === child;
    child.stderr.on('data', (d: string) => {
      if (!current()) return;
      this.#stderr = (this.#stderr + d).slice(-STDERR_KEEP);
    });
    child.stdin.on('error', () => undefined); // EPIPE after a crash: reported by the exit handler
    child.on('error', (error) => {
      if (!current()) return;
      this.#exited = `could not start: ${getErrorMessage(error)}`;
      this.#failAll(new Error(`the command "${this.#config.run}" ${this.#exited}`));
    });
    child.on('exit', (code, signal) => {
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      // 'exit' can come before the last of stderr is read: wait for it (bounded), or the message
      // would lose the traceback that says why.
      void drained(child.stderr, STDERR_DRAIN_MS).then(() => {
        if (!current()) return;
        this.#exited ??= why;
        this.#failAll(new RunnerCrashError(`the command "${this.#config.run}" ${why}${this.#tail()}`));
      });
    });
    child.stdout.on('data', (chunk: Buffer) => current() && this.#data(chunk));
    process.once('exit', this.#onProcessExit);

    const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.#onReady = resolve;
      this.#onFail = reject;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the command "${this.#config.run}" did not print its ready line within ${this.#config.ready_timeout_s} s${this.#tail()}`)),
        this.#config.ready_timeout_s * 1000,
      );
    });
    try {
      const line = await Promise.race([ready, timeout]);
      this.metadata = line.model ?? { command: this.#config.run };
      if (Array.isArray(line.inputs)) this.signature = { inputs: specs(line.inputs), outputs: specs(line.outputs) };
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
      this.#onReady = null;
    }
    this.#onFail = null;
  }

  /** Splits stdout into lines by hand: readline would grow one string until V8 gives up. */
  #data(chunk: Buffer): void {
    if (this.#overflowed) return;
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      const line = this.#partial.length === 0 ? piece : Buffer.concat([...this.#partial, piece]);
      this.#partial = [];
      this.#partialBytes = 0;
      start = nl + 1;
      if (line.length > this.#maxLine()) return this.#overflow();
      this.#line(line.toString('utf8').replace(/\r$/, ''));
      if (this.#overflowed) return;
    }
    if (start < chunk.length) {
      this.#partial.push(chunk.subarray(start));
      this.#partialBytes += chunk.length - start;
      if (this.#partialBytes > this.#maxLine()) this.#overflow();
    }
  }

  #maxLine(): number {
    return (this.#config.max_line_mb ?? DEFAULT_MAX_LINE_MB) * 1024 * 1024;
  }

  #overflow(): void {
    this.#overflowed = true;
    this.#partial = [];
    this.#partialBytes = 0;
    const mb = this.#config.max_line_mb ?? DEFAULT_MAX_LINE_MB;
    const error = new Error(
      `the command "${this.#config.run}" printed a line longer than ${mb} MiB on stdout without a newline; each answer must be one JSON line (raise model.command.max_line_mb if answers are really that large)`,
    );
    this.#exited ??= `printed a line longer than ${mb} MiB`;
    this.#failAll(error);
    this.#child?.stdout.destroy();
    void this.close();
  }

  /** Signals the command's whole process group (the shell, the command, anything they forked). */
  #signalGroup(signal: NodeJS.Signals | 0): boolean {
    const child = this.#child;
    if (!child?.pid) return false;
    try {
      if (process.platform !== 'win32') process.kill(-child.pid, signal);
      else if (signal !== 0) child.kill(signal);
      return true;
    } catch {
      return false; // the group is gone
    }
  }

  #line(line: string): void {
    if (line.trim() === '') return;
    let msg: Record<string, unknown>;
    try {
      msg = parseJson(line) as Record<string, unknown>;
    } catch {
      this.#failAll(new Error(`the command printed a line that is not JSON on stdout (logs belong on stderr): ${line.slice(0, 200)}`));
      return;
    }
    if (this.#onReady) {
      if (msg.ready === true) this.#onReady(msg);
      else this.#onFail?.(new Error(`the command's first line must be {"ready": true, …}; it printed: ${line.slice(0, 200)}`));
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || msg.id === undefined || msg.id === null) {
      // An answer nobody can match to its request: every pending request would wait out its timeout.
      const cause = typeof msg?.error === 'string' ? ` (its error: ${msg.error.slice(0, 200)})` : '';
      this.#failAll(
        new Error(`the command printed a JSON line that is not an answer to a request: each answer is {"id": <the request's id>, "outputs": [...]} or {"id": …, "error": "…"}; it printed: ${line.slice(0, 200)}${cause}`),
      );
      return;
    }
    const id = String(msg.id);
    const p = this.#pending.get(id);
    if (!p) return; // the answer to a request that already timed out
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (typeof msg.error === 'string') p.reject(new CommandRejectedError(msg.error));
    else {
      try {
        p.resolve(outputsFromV2(msg.outputs));
      } catch (error) {
        p.reject(error as Error);
      }
    }
  }

  infer(feeds: Feeds): Promise<Outputs> {
    if (this.#exited || !this.#child) {
      return Promise.reject(new RunnerCrashError(`the command "${this.#config.run}" ${this.#exited ?? 'is not running'}${this.#tail()}`));
    }
    const id = String(this.#nextId++);
    const line = `{"id":"${id}","inputs":[${Object.entries(feeds).map(([n, t]) => tensorText(n, t)).join(',')}]}\n`;
    return new Promise<Outputs>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#hung = true;
        reject(new RunnerTimeoutError(`the command did not answer request ${id} within ${this.#config.timeout_ms} ms`));
      }, this.#config.timeout_ms);
      this.#pending.set(id, { resolve, reject, timer });
      this.#child!.stdin.write(line);
    });
  }

  /** Starts the command afresh when it exited or left a request unanswered; else nothing. */
  async recover(): Promise<void> {
    if (!this.#exited && !this.#hung && this.#child) return;
    await this.#sampleMemory();
    await this.close();
    await this.open();
  }

  /** Resident memory of the command's process group (Linux: /proc), summed over its processes. */
  async memory(): Promise<ModelMemory | null> {
    const now = await this.#sampleMemory();
    return now === null ? null : { rssMb: now, peakMb: this.#peakMb };
  }

  async #sampleMemory(): Promise<number | null> {
    const group = this.#child?.pid;
    if (!group || process.platform !== 'linux' || this.#exited) return null;
    const usage = await groupMemory(group);
    if (!usage) return null;
    this.#peakMb = Math.max(this.#peakMb, usage.peakMb);
    return usage.rssMb;
  }

  /**
   * Closes stdin (the command's cue to exit), then ends the whole process group: TERM, then KILL.
   * Also after the command itself has exited: a child it forked may still hold stdout, and the
   * gate would wait for it. Never waits unbounded.
   */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const gone = () => child.exitCode !== null || child.signalCode !== null;
    const exited = new Promise<void>((resolve) => (gone() ? resolve() : child.once('exit', () => resolve())));
    const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    child.stdin.end();
    if (!gone() && !(await within(3000))) {
      this.#signalGroup('SIGTERM');
      if (!(await within(2000))) this.#signalGroup('SIGKILL');
      await within(2000);
    }
    await this.#endGroup();
    child.stdout.destroy();
    child.stderr.destroy();
    process.removeListener('exit', this.#onProcessExit);
  }

  /** What the command left behind in its group: TERM, up to 2 s to go, then KILL. */
  async #endGroup(): Promise<void> {
    if (process.platform === 'win32' || !this.#signalGroup('SIGTERM')) return;
    for (let waited = 0; waited < 2000; waited += 50) {
      // Not unref'd: once the command has exited, nothing else may keep the gate alive to finish this.
      await new Promise((r) => setTimeout(r, 50));
      if (!this.#signalGroup(0)) return;
    }
    this.#signalGroup('SIGKILL');
  }
}


/** VmRSS and VmHWM summed over the processes of a process group, in MiB; null when /proc cannot say. */
async function groupMemory(group: number): Promise<ModelMemory | null> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let rssKb = 0;
  let peakKb = 0;
  let found = false;
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces and parentheses): state, ppid, pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== group) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      rssKb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      peakKb += Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      found = true;
    } catch {
      // the process ended while we looked
    }
  }
  return found ? { rssMb: rssKb / 1024, peakMb: peakKb / 1024 } : null;
}

export async function openCommandRunner(config: CommandConfig): Promise<CommandRunner> {
  const runner = new CommandRunner(config);
  await runner.open();
  return runner;
}
