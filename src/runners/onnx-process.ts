/**
 * The ONNX runner as the gate uses it: the model runs in a child process, so that a request which
 * crashes onnxruntime (an abort on an empty batch) or never returns (a runaway Loop) fails its
 * check instead of ending or hanging the gate. Calls are timed in the child, so latency is the
 * model's own, without the transport.
 * A call that outlives its deadline kills the child (RunnerTimeoutError); a child that dies during
 * a call fails that call (RunnerCrashError) with the signal or exit code. Either way the next call
 * starts a fresh child, so one bad request cannot decide the fate of the next.
 * An error onnxruntime answers is a rejection (RunnerRejectedError) when it validated the input (a
 * shape, a rank, a type, a missing input) or a node refused to compute on it (a Reshape of an
 * empty batch: the ValueError of the ONNX world), never when it ran out of memory or failed for a
 * reason of its own. Every reply carries the child's memory.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drained } from './drained.ts';
import { byReference, pinBuffers, pinnable, unpin, type Pin } from './pinned.ts';
import type { Feeds, ModelMemory, ModelRunner, ModelSignature, Outputs } from './types.ts';
import { RunnerCrashError, RunnerRejectedError, RunnerTimeoutError } from './types.ts';

export interface IsolatedOnnxOptions {
  /** Deadline of one call, in ms. */
  callTimeoutMs: number;
  /** Threads inside one operator; 0 lets onnxruntime choose (all cores). */
  intraOpThreads?: number;
  /** Deadline to start the child and load the model, in ms. */
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * Address-space limit of the child, in MiB (Linux, with util-linux's prlimit): a model that needs
   * more fails its call with onnxruntime's out-of-memory error instead of taking the machine.
   */
  memoryLimitMb?: number;
}

/** What onnxruntime says when it refuses an input, and the input it names (null: it names none). */
const VALIDATION: readonly RegExp[] = [
  /^Got invalid dimensions for input: (\S+) for the following indices/,
  /^Invalid rank for input: (\S+) Got/,
  /^input '(.+)' is missing in 'feeds'/,
  /^Invalid (?:feed )?input name: ?(\S+)/,
  /^Unexpected input data type\./,
];
const OUT_OF_MEMORY = /bfc_arena|Failed to allocate memory|std::bad_alloc|\bAllocate\b/i;
/** A node that failed on the values or sizes it was given; the process is alive and answers. */
const NODE_FAILED = /^Non-zero status code returned while running /;

/**
 * The error a failed call becomes: a rejection naming its input when onnxruntime validated the
 * request and refused it; a plain error (a failure of the model, not a refusal) otherwise.
 */
export function onnxCallError(message: string): Error {
  for (const pattern of VALIDATION) {
    const m = pattern.exec(message);
    if (m) return new RunnerRejectedError(message, m[1] ?? null);
  }
  if (OUT_OF_MEMORY.test(message)) return new Error(`onnxruntime ran out of memory: ${message}`);
  // The request was validated and run: the scenario's control call (the same request unperturbed)
  // succeeded, so a node refusing the perturbed one refuses what was perturbed.
  if (NODE_FAILED.test(message)) return new RunnerRejectedError(message);
  return new Error(message);
}

/** The worker entry beside this module: dist/onnx-worker.js in the bundle, src/onnx-worker.ts from source. */
export function workerEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'onnx-worker.js'), join(here, '..', 'onnx-worker.ts')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the ONNX worker is missing (looked for ${candidates.join(', ')})`);
  return found;
}

export async function openIsolatedOnnxRunner(path: string, options: IsolatedOnnxOptions): Promise<ModelRunner & { readonly loadMs: number }> {
  const runner = new IsolatedOnnxRunner(path, options);
  await runner.start();
  return runner;
}

/** The child's resident memory now and at its peak, in bytes. */
interface ChildMemory {
  rss: number;
  peak: number;
}

type Reply = (
  | { type: 'ready'; signature: ModelSignature; loadMs: number }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; outputs?: Outputs; ms?: number; error?: string; unpinned?: true }
) & { memory?: ChildMemory };

class IsolatedOnnxRunner implements ModelRunner {
  readonly kind = 'onnx';
  readonly target: string;
  signature: ModelSignature = { inputs: [], outputs: [] };
  /** How long the child took to load the model (the first start), without starting the process. */
  loadMs = 0;
  #started = false;
  readonly #options: IsolatedOnnxOptions;
  #child: ChildProcess | null = null;
  #stderr: () => string = () => '';
  #next = 0;
  /** The last memory a child reported, and the most any child has held. */
  #rss: number | null = null;
  #peak = 0;
  /** Buffers this runner pinned (pinned.ts): feeds that view them go to the child by reference. */
  #held = new WeakSet<ArrayBufferLike>();
  #pins: Pin[] = [];

  constructor(path: string, options: IsolatedOnnxOptions) {
    this.target = path;
    this.#options = options;
  }

  async start(): Promise<void> {
    const limit = this.#options.memoryLimitMb;
    const child = fork(workerEntry(), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: this.#options.env ?? process.env,
      // Under a limit: `prlimit --as=… node worker`, the IPC channel passing through the exec.
      ...(limit ? { execPath: 'prlimit', execArgv: [`--as=${Math.round(limit * 2 ** 20)}`, process.execPath] } : { execArgv: [] }),
    });
    this.#child = child;
    this.#stderr = tail(child);
    const answered = this.#await(child, (m) => m.type === 'ready' || m.type === 'failed', this.#options.startTimeoutMs ?? 120_000);
    child.send({ type: 'open', path: this.target, intraOpThreads: this.#options.intraOpThreads ?? 0 });
    const reply = await answered;
    if (reply.type === 'failed') {
      this.#kill();
      throw new Error(reply.error);
    }
    const ready = reply as Extract<Reply, { type: 'ready' }>;
    this.signature = ready.signature;
    if (!this.#started) this.loadMs = ready.loadMs;
    this.#started = true;
  }

  async infer(feeds: Feeds): Promise<Outputs> {
    return (await this.timed(feeds)).outputs;
  }

  async timed(feeds: Feeds): Promise<{ outputs: Outputs; ms: number }> {
    // A child that crashed or was stopped on an earlier call is replaced for this one.
    if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) await this.start();
    const child = this.#child!;
    const id = ++this.#next;
    child.send({ type: 'infer', id, feeds: this.#pins.length > 0 ? referenced(feeds, this.#held) : feeds });
    const reply = (await this.#await(child, (m) => m.type === 'result' && m.id === id, this.#options.callTimeoutMs)) as Extract<Reply, { type: 'result' }>;
    if (reply.unpinned) {
      // The child could not read a pinned file (removed by a temp cleaner?): rows go whole from now on.
      this.#unpinAll();
      return this.timed(feeds);
    }
    if (reply.error !== undefined) throw onnxCallError(reply.error);
    return { outputs: reply.outputs!, ms: reply.ms! };
  }

  async pin(arrays: readonly unknown[]): Promise<void> {
    const { pins, buffers } = pinBuffers(pinnable(arrays).filter((a) => !this.#held.has(a.buffer)));
    this.#pins.push(...pins);
    for (const buffer of buffers) this.#held.add(buffer);
  }

  async memory(): Promise<ModelMemory | null> {
    return this.#rss === null ? null : { rssMb: this.#rss / 2 ** 20, peakMb: this.#peak / 2 ** 20 };
  }

  async close(): Promise<void> {
    this.#kill();
    this.#unpinAll();
  }

  #unpinAll(): void {
    unpin(this.#pins);
    this.#pins = [];
    this.#held = new WeakSet();
  }

  #kill(): void {
    const child = this.#child;
    this.#child = null;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** The first message that matches, or a timeout / crash error; the child is killed on timeout. */
  #await(child: ChildProcess, match: (m: Reply) => boolean, timeoutMs: number): Promise<Reply> {
    const why = this.#stderr;
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (m: Reply) => {
        if (m.memory) {
          this.#rss = m.memory.rss;
          this.#peak = Math.max(this.#peak, m.memory.peak);
        }
        if (!match(m)) return;
        done();
        resolve(m);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        done();
        // 'exit' can come before the last of stderr (onnxruntime's abort message) is read.
        void drained(child.stderr, 1000).then(() => {
          const detail = why();
          reject(new RunnerCrashError(`the ONNX runtime process died (${signal ? `signal ${signal}` : `exit code ${code}`})${detail ? `: ${detail}` : ''}`));
        });
      };
      const timer = setTimeout(() => {
        done();
        this.#kill();
        reject(new RunnerTimeoutError(`no answer within ${timeoutMs / 1000} s (model.timeout_seconds): the call was stopped`));
      }, timeoutMs);
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  }
}

function referenced(feeds: Feeds, held: WeakSet<ArrayBufferLike>): Record<string, object> {
  const out: Record<string, object> = {};
  for (const name in feeds) out[name] = byReference(feeds[name]!, held);
  return out;
}

/** What the child last wrote to stderr (onnxruntime's own abort message), whole, for the error. */
function tail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-8192);
  });
  return () => text.trim();
}

