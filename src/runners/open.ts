/**
 * The one runner factory: opens a model, candidate or baseline alike, from what the config says
 * it is: an ONNX file (in its own process), an HTTP endpoint, or a command speaking JSON Lines.
 * A failure to open is an outcome the smoke and comparison checks report, never a crash.
 */
import type { Clock } from '../clock.ts';
import { InputFileError, UsageError, getErrorMessage } from '../errors.ts';
import { expandSecrets } from '../core/secrets.ts';
import { resolveBaseline } from './baseline-source.ts';
import { openCommandRunner, type CommandConfig } from './command.ts';
import { endpointProblem, type EndpointConfig } from './http/protocols.ts';
import { openHttpRunner } from './http/runner.ts';
import { readModelFiles, safeToOpen, type ModelFiles } from './model-files.ts';
import { foreignKindOf, headOf, runItHint } from './model-kind.ts';
import { openIsolatedOnnxRunner } from './onnx-process.ts';
import type { OrtModule } from './onnxruntime-loader.ts';
import type { ModelRunner } from './types.ts';

/** Where a model runs. `path` on a served model is the file it serves, for its version only. */
export type ModelSource =
  | { kind: 'onnx'; path: string; target: string }
  | { kind: 'http'; endpoint: EndpointConfig; target: string; path?: string }
  | { kind: 'command'; command: CommandConfig; target: string; path?: string };

/** What `model` and `baseline` both say about where a model runs. */
export interface ModelPlace {
  path?: string;
  endpoint?: EndpointConfig;
  command?: CommandConfig;
}

export interface OpenDeps {
  clock: Clock;
  /** Loads onnxruntime (provisioning it if needed). */
  loadRuntime: () => Promise<OrtModule>;
  /** The environment `${NAME}` in endpoint headers is read from. */
  env?: NodeJS.ProcessEnv;
  /** Told every secret value so that logs mask it. */
  secret?: (value: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Whether the model opened and how long it took (the smoke check's load outcome). */
export interface Opened {
  runner: ModelRunner | null;
  outcome: { ok: boolean; ms: number; error: string | null };
}

/**
 * Where the model runs, or null when nothing says (no file, endpoint or command). `key` is the
 * config section ("model", "baseline") and `flags` the CLI prefix ("", "baseline-") for messages.
 */
export function sourceOf(place: ModelPlace, key: 'model' | 'baseline', where: string): ModelSource | null {
  const { endpoint, command, path } = place;
  const flag = key === 'model' ? '--' : '--baseline-';
  if (endpoint && command) throw new UsageError(`give ${key}.endpoint or ${key}.command, not both (${where})`);
  if (endpoint) {
    const problem = endpointProblem(endpoint, { key, flag, where });
    if (problem) throw new UsageError(problem);
    const target = `${endpoint.url}${endpoint.name ? ` (${endpoint.protocol}, model ${endpoint.name})` : ` (${endpoint.protocol})`}`;
    return { kind: 'http', endpoint, target, ...(path ? { path } : {}) };
  }
  if (command) return { kind: 'command', command, target: `command: ${command.run}`, ...(path ? { path } : {}) };
  if (path) return { kind: 'onnx', path, target: path };
  return null;
}

/** `${NAME}` in header values from the environment; every value that came from there is a secret. */
export function expandHeaders(headers: Record<string, string>, env: NodeJS.ProcessEnv, secret: (v: string) => void): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, expandSecrets(value, env, secret, `header "${key}"`)]));
}

export interface OpenOptions {
  /** Bounds one call to an ONNX model. */
  callTimeoutMs: number;
  /** The local file an ONNX source reads (a baseline fetched from a URL or a git ref lives in a temporary file). */
  onnxPath?: string;
  /** Why the ONNX file is not an ONNX model, when reading it said so: it is then not opened. */
  formatError?: string | null;
}

/**
 * Opens the model. An ONNX file known not to be one fails to load with how to run it instead
 * (`--command`), not with onnxruntime's "Protobuf parsing failed".
 */
export async function openModel(source: ModelSource, deps: OpenDeps, options: OpenOptions): Promise<Opened> {
  if (source.kind === 'onnx' && options.formatError) return notOnnx(source.path, options.formatError);
  if (source.kind === 'onnx') return openOnnx(options.onnxPath ?? source.path, options.callTimeoutMs, deps);
  const t = deps.clock.now();
  try {
    const runner =
      source.kind === 'http'
        ? await openHttpRunner(
            { ...source.endpoint, headers: expandHeaders(source.endpoint.headers ?? {}, deps.env ?? {}, deps.secret ?? (() => undefined)) },
            deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
            () => deps.clock.now(),
          )
        : await openCommandRunner(source.command);
    return { runner, outcome: { ok: true, ms: deps.clock.now() - t, error: null } };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return { runner: null, outcome: { ok: false, ms: deps.clock.now() - t, error: getErrorMessage(error) } };
  }
}

/**
 * The baseline's file, fetched (URL, git ref) and read: the model for an ONNX baseline, the
 * version for a served one that names its file. A file that cannot be an ONNX model to open is a
 * usage error saying how to run it, not onnxruntime's "Protobuf parsing failed". `unsafe` words
 * why a file's external data may not be opened (the artifact check's words).
 */
export async function baselineFile(place: ModelSource | null, unsafe: (files: ModelFiles) => string): Promise<ModelFiles | null> {
  if (!place?.path) return null;
  const fetched = await resolveBaseline(place.path);
  const files = await readModelFiles(fetched.path);
  if (files.readError) throw new InputFileError(fetched.spec, files.readError);
  if (place.kind !== 'onnx') return files;
  if (files.formatError) {
    const hint = runItHint(fetched.spec, foreignKindOf(fetched.path, await headOf(fetched.path)), '--baseline-command');
    throw new InputFileError(fetched.spec, `the baseline is not an ONNX model (${files.formatError}): ${hint}`);
  }
  if (!safeToOpen(files)) throw new InputFileError(fetched.spec, unsafe(files));
  return files;
}

/** Closes every runner opened, in order; a runner that fails to close does not keep the others open. */
export async function closeRunners(...runners: (ModelRunner | null)[]): Promise<void> {
  for (const runner of runners) await runner?.close().catch(() => undefined);
}

/** A file given as an ONNX model that is not one: a load failure saying how to run it instead. */
async function notOnnx(path: string, formatError: string): Promise<Opened> {
  const hint = runItHint(path, foreignKindOf(path, await headOf(path)), '--command');
  return { runner: null, outcome: { ok: false, ms: 0, error: `it is not an ONNX model (${formatError}): ${hint}` } };
}

async function openOnnx(path: string, callTimeoutMs: number, deps: OpenDeps): Promise<Opened> {
  try {
    // Provisioned here, where a failure can be reported; the model's process loads it from the cache.
    await deps.loadRuntime();
  } catch (error) {
    return { runner: null, outcome: { ok: false, ms: 0, error: `the ONNX runtime is not available: ${getErrorMessage(error)}` } };
  }
  const t = deps.clock.now();
  try {
    const runner = await openIsolatedOnnxRunner(path, { callTimeoutMs, env: deps.env ?? process.env });
    return { runner, outcome: { ok: true, ms: runner.loadMs, error: null } };
  } catch (error) {
    return { runner: null, outcome: { ok: false, ms: deps.clock.now() - t, error: firstLines(getErrorMessage(error)) } };
  }
}

const firstLines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' ');
