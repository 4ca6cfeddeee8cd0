// Bundles the entry points (the action, the CLI, and the child process that runs a model apart)
// with @vercel/ncc into dist/ (ESM). onnxruntime-node stays out of the bundle: its native binaries
// are provisioned at run time (src/runners/onnxruntime-loader.ts).
// `node scripts/build.mjs [--out DIR] [cli.js ...]` builds some entries elsewhere (tests do).
import ncc from '@vercel/ncc';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
const dist = values.out ?? join(root, 'dist');
const all = { 'index.js': 'src/index.ts', 'cli.js': 'src/cli.ts', 'onnx-worker.js': 'src/onnx-worker.ts' };
for (const name of positionals) if (!(name in all)) throw new Error(`unknown entry ${name} (one of ${Object.keys(all).join(', ')})`);
const entries = positionals.length ? Object.fromEntries(positionals.map((name) => [name, all[name]])) : all;

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
for (const [out, entry] of Object.entries(entries)) {
  const { code, assets } = await ncc(join(root, entry), {
    externals: ['onnxruntime-node'],
    minify: false,
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2023',
  });
  const shebang = out === 'cli.js' && !code.startsWith('#!') ? '#!/usr/bin/env node\n' : '';
  await writeFile(join(dist, out), shebang + code, { mode: out === 'cli.js' ? 0o755 : 0o644 });
  for (const [name, asset] of Object.entries(assets)) {
    if (name === 'package.json') continue;
    // ncc takes a path like join(resolve(x, 'promotion'), y) for a file to ship, copies the folder
    // into dist/ and rewrites the runtime path to point there: never what this code means.
    if (name !== 'licenses.txt') throw new Error(`ncc relocated ${name} into ${out}'s assets: a runtime path built from a literal folder name looked static to it; build the folder path in a variable first`);
    // Each bundle lists the licenses of what it contains.
    const target = name === 'licenses.txt' ? out.replace(/\.js$/, '.licenses.txt') : name;
    await mkdir(dirname(join(dist, target)), { recursive: true });
    await writeFile(join(dist, target), asset.source);
  }
}
await writeFile(join(dist, 'package.json'), '{\n  "type": "module"\n}\n');
