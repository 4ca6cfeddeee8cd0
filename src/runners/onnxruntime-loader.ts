/**
 * Finds onnxruntime-node: from node_modules when model-gate is installed as a package, otherwise
 * provisioned once into the runner's tool cache with the npm client already on the machine (so the
 * runner's own registry, proxy and CA settings apply), verified against the pinned integrity.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { ONNXRUNTIME_PIN } from './onnxruntime-pin.ts';

export type OrtModule = typeof Ort;

const ORT_PACKAGE = 'onnxruntime-node';

export interface LoaderLog {
  info(message: string): void;
}

export class RuntimeProvisionError extends Error {
  override readonly name = 'RuntimeProvisionError';
}

let loaded: Promise<OrtModule> | undefined;

/** The runtime, loaded once per process. */
export function loadOnnxRuntime(log: LoaderLog, env: NodeJS.ProcessEnv = process.env): Promise<OrtModule> {
  loaded ??= load(log, env).catch((error: unknown) => {
    loaded = undefined; // let a later call try again
    throw error;
  });
  return loaded;
}

async function load(log: LoaderLog, env: NodeJS.ProcessEnv): Promise<OrtModule> {
  if (env.MODEL_GATE_ORT_PROVISION !== 'always') {
    try {
      // Kept out of the bundle: the bundler must not turn this into a static import.
      const mod = (await import(/* webpackIgnore: true */ ORT_PACKAGE)) as OrtModule & { default?: OrtModule };
      return mod.default ?? mod;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  const dir = await provisionOnnxRuntime(cacheRoot(env), log);
  const requireFromCache = createRequire(join(dir, 'node_modules', '.model-gate.cjs'));
  return requireFromCache(ORT_PACKAGE) as OrtModule;
}

/** Where provisioned runtimes live: the Actions tool cache, else the user's cache directory. */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.RUNNER_TOOL_CACHE) return env.RUNNER_TOOL_CACHE;
  if (env.MODEL_GATE_CACHE) return env.MODEL_GATE_CACHE;
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'model-gate');
}

/**
 * `<root>/model-gate-onnxruntime/<version>/<platform>-<arch>` holding node_modules/onnxruntime-node
 * and onnxruntime-common, plus a `.complete` marker as @actions/tool-cache writes one. Staged in a
 * temporary directory and renamed into place, so a crashed or concurrent run never leaves half a
 * runtime behind.
 */
export async function provisionOnnxRuntime(
  root: string,
  log: LoaderLog,
  pin: typeof ONNXRUNTIME_PIN = ONNXRUNTIME_PIN,
): Promise<string> {
  const { version, packages } = pin;
  const toolDir = join(root, 'model-gate-onnxruntime', version);
  const finalDir = join(toolDir, `${process.platform}-${process.arch}`);
  const marker = `${finalDir}.complete`;
  const markerText = JSON.stringify(packages);
  const complete = () => existsSync(marker) && readFileSync(marker, 'utf8') === markerText;
  if (complete()) {
    log.info(`Using onnxruntime-node ${version} from the tool cache (${finalDir})`);
    return finalDir;
  }
  // A directory without its marker is a leftover (or was tampered with): start again.
  await rm(finalDir, { recursive: true, force: true });
  log.info(`Provisioning onnxruntime-node ${version} into the tool cache with npm (one-time, ~110 MB)`);
  await mkdir(toolDir, { recursive: true });
  const staging = await mkdtemp(join(toolDir, '.staging-'));
  try {
    const specs = Object.keys(packages).map((name) => `${name}@${version}`);
    const packed = await npmPack(specs, staging);
    for (const [name, integrity] of Object.entries(packages)) {
      const entry = packed.find((p) => p.name === name);
      if (!entry) throw new RuntimeProvisionError(`npm pack did not return ${name}@${version}`);
      const tarball = join(staging, entry.filename);
      const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
      if (actual !== integrity) {
        throw new RuntimeProvisionError(
          `${name}@${version} from the npm registry does not match the pinned integrity (expected ${integrity}, got ${actual}); refusing to run it`,
        );
      }
      const into = join(staging, 'node_modules', name);
      await mkdir(into, { recursive: true });
      await run('tar', ['-xzf', tarball, '-C', into, '--strip-components=1'], staging);
      await rm(tarball);
    }
    await pruneOtherPlatforms(join(staging, 'node_modules', 'onnxruntime-node'));
    try {
      await rename(staging, finalDir);
    } catch (error) {
      // Only whole, verified runtimes are ever renamed into place: if one is there, another run
      // finished first, and it must not be pulled from under that run.
      if (!existsSync(join(finalDir, 'node_modules', 'onnxruntime-node', 'package.json'))) throw error;
    }
    await writeFile(marker, markerText);
    log.info(`onnxruntime-node ${version} is in the tool cache (${finalDir})`);
    return finalDir;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The package ships binaries for every OS; keep only this machine's (~300 MB -> ~30 MB). */
async function pruneOtherPlatforms(packageDir: string): Promise<void> {
  const binRoot = join(packageDir, 'bin');
  if (!existsSync(binRoot)) return;
  for (const napi of await readdir(binRoot)) {
    for (const platform of await readdir(join(binRoot, napi))) {
      const platformDir = join(binRoot, napi, platform);
      if (platform !== process.platform) {
        await rm(platformDir, { recursive: true, force: true });
        continue;
      }
      for (const arch of await readdir(platformDir)) {
        if (arch !== process.arch) await rm(join(platformDir, arch), { recursive: true, force: true });
      }
    }
  }
}

interface PackResult {
  name: string;
  filename: string;
}

async function npmPack(specs: string[], destination: string): Promise<PackResult[]> {
  const stdout = await run(
    process.platform === 'win32' ? 'npm.cmd' : 'npm',
    ['pack', ...specs, '--pack-destination', destination, '--json', '--ignore-scripts', '--loglevel=error'],
    destination,
  );
  try {
    return JSON.parse(stdout) as PackResult[];
  } catch {
    throw new RuntimeProvisionError(`npm pack printed something other than JSON: ${stdout.slice(0, 300)}`);
  }
}

function run(command: string, args: string[], cwd: string, timeoutMs = 15 * 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: process.env,
      shell: process.platform === 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Our own timer: spawn's `timeout` option leaves one armed (keeping the process alive) when
    // the command cannot start at all.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new RuntimeProvisionError(
          `cannot run ${command} to provision onnxruntime-node ${ONNXRUNTIME_PIN.version}: ${error.message}. ` +
            `Put npm on PATH, or install onnxruntime-node@${ONNXRUNTIME_PIN.version} where model-gate can import it.`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new RuntimeProvisionError(
            `${command} ${args.slice(0, 2).join(' ')} failed (${signal ?? `exit ${code}`}) while provisioning onnxruntime-node ${ONNXRUNTIME_PIN.version}: ${err.trim().split('\n').slice(-5).join(' ')}`,
          ),
        );
    });
  });
}
