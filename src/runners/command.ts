/**
 * A model behind a user command (`python3 serve.py`), spoken to in JSON Lines over stdin/stdout:
 *
 *   command → {"ready": true, "model": {…}, "inputs": [V2 tensor metadata], "outputs": [...]}
 *   gate    → {"id": "1", "inputs": [{"name", "datatype", "shape", "data"}]}
 *   command → {"id": "1", "outputs": [{"name", "datatype", "shape", "data"}]}
 *             {"id": "1", "error": "why the request was refused"}
 *
 * One line each; stdout carries nothing else (logs go to stderr). Every wait is bounded: start-up,
 * each request and shutdown. A crash fails what is pending with the command's stderr tail. The
 * command runs in its own process group, ended as a whole (TERM, then KILL) at shutdown, so a child
 * it forked that holds stdout cannot keep the gate waiting; a line on stdout is bounded in length.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { getErrorMessage } from '../errors.ts';
import { dtypeOfV2, outputsFromV2, parseJson, tensorText } from './tensor-json.ts';
import type { Dim, Feeds, ModelRunner, ModelSignature, Outputs, TensorSpec } from './types.ts';
import { RunnerTimeoutError } from './types.ts';

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
export class CommandRejectedError extends Error {
  override readonly name = 'CommandRejectedError';
}

const STDERR_KEEP = 4096;

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
  /** Ends the group if the gate exits without closing the runner (a crash, process.exit). */
  readonly #onProcessExit = () => this.#signalGroup('SIGKILL');

  constructor(config: CommandConfig) {
    this.#config = config;
    this.target = `command: ${config.run}`;
  }

  #tail(): string {
    const lines = this.#stderr.trim().split('\n').slice(-8).join('\n');
    return lines ? `; its stderr ends with:\n${lines}` : ' (nothing on stderr)';
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
    const child = spawn(this.#config.run, { shell: true, cwd: this.#config.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32', env: process.env });
    this.#child = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-STDERR_KEEP);
    });
    child.stdin.on('error', () => undefined); // EPIPE after a crash: reported by the exit handler
    child.on('error', (error) => {
      this.#exited = `could not start: ${getErrorMessage(error)}`;
      this.#failAll(new Error(`the command "${this.#config.run}" ${this.#exited}`));
    });
    child.on('exit', (code, signal) => {
      this.#exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.#failAll(new Error(`the command "${this.#config.run}" ${this.#exited}${this.#tail()}`));
    });
    child.stdout.on('data', (chunk: Buffer) => this.#data(chunk));
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
      return Promise.reject(new Error(`the command "${this.#config.run}" ${this.#exited ?? 'is not running'}${this.#tail()}`));
    }
    const id = String(this.#nextId++);
    const line = `{"id":"${id}","inputs":[${Object.entries(feeds).map(([n, t]) => tensorText(n, t)).join(',')}]}\n`;
    return new Promise<Outputs>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RunnerTimeoutError(`the command did not answer request ${id} within ${this.#config.timeout_ms} ms`));
      }, this.#config.timeout_ms);
      this.#pending.set(id, { resolve, reject, timer });
      this.#child!.stdin.write(line);
    });
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

export async function openCommandRunner(config: CommandConfig): Promise<CommandRunner> {
  const runner = new CommandRunner(config);
  await runner.open();
  return runner;
}
