/**
 * npm run bench: speed targets as ratios against a reference measured in the same run.
 *   1. rows/s of the suite's batched inference vs a bare onnxruntime-node loop (target >= 0.95),
 *      for the example model and an MLP with three 1024-wide hidden layers;
 *   2. whole-run wall time of `model-gate validate` on both;
 *   3. the action's start-up time, against a bare `node -e 0`;
 *   4. evaluation of 1,000,000 labelled rows × 30 features from CSV: rows/s and peak RSS
 *      (target <= 1 GB);
 *   5. `model-gate drift` against pandas + scipy + numpy computing the same measures on the same
 *      CSV files (bench/drift_reference.py): whole-process wall time as a ratio (target < 1), the
 *      measures compared, and peak RSS on 1,000,000 rows × 20 (target <= 1 GB).
 *   6. the load generator against wrk (Debian's package) on the same trivial server (nginx
 *      answering a fixed JSON body): achieved requests/s as a ratio (target >= 0.8), both with one
 *      thread and 16 connections, runs interleaved, the median of each.
 *   7. reading a wide CSV, 50 rows × 150,528 columns (a 224×224 RGB image per row): wall time
 *      against plain readFileSync + split + Number into one Float64Array per column (target <= 2),
 *      time per cell against a quarter as many columns (linear: target <= 1.5), peak RSS (target
 *      <= 1 GB); numpy.loadtxt on the same file for information when /usr/bin/python3 has numpy.
 *   8. `model-gate validate` with defaults on a 10 MB image model (bench/validate-image.ts): wall
 *      time (target < 60 s), CPU time against a bare onnxruntime process making the latency loop's
 *      calls, peak RSS of the gate plus its ONNX child (target <= 1 GB).
 *   9. the baseline comparison on 1,000,000 rows, in process and as `validate --baseline` against a
 *      bare CSV + two-model inference floor (bench/comparison.ts);
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOnnxRuntime } from '../src/runners/onnxruntime-loader.ts';
import { PREDICTION_BATCH, predictAll } from '../src/checks/predictions.ts';
import { generateRows } from '../src/data/generate.ts';
import { bindInputs, feedsFor } from '../src/data/features.ts';
import { openIsolatedOnnxRunner } from '../src/runners/onnx-process.ts';
import { mlp } from '../test/support/onnx-builder.ts';
import { benchValidateImage } from './validate-image.ts';
import { benchComparison } from './comparison.ts';

const ort = await loadOnnxRuntime({ info: () => undefined });
const ROWS = 32768;
const BATCH = PREDICTION_BATCH; // the batch the suite uses
const ROUNDS = 15;
const work = mkdtempSync(join(tmpdir(), 'mg-bench-'));
const mlpPath = join(work, 'mlp-1024.onnx');
writeFileSync(mlpPath, mlp([256, 1024, 1024, 1024, 10]));
const models = [
  { name: 'iris (example)', path: 'examples/iris/model.onnx' },
  { name: 'MLP 256-1024x3-10', path: mlpPath },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

interface Row {
  [k: string]: string | number;
}
const results: Row[] = [];

for (const model of models) {
  // The runner the gate uses: the model in its own process, each call crossing to it and back.
  const runner = await openIsolatedOnnxRunner(model.path, { callTimeoutMs: 600_000 });
  const bindings = bindInputs(runner.signature, null, undefined, new Set());
  const rows = generateRows(bindings, ROWS, 7, null);
  const input = bindings[0]!.name;
  // The bare loop gets the same rows, already in onnxruntime tensors: the best case.
  const session = await ort.InferenceSession.create(model.path, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  const bareFeeds: Record<string, InstanceType<typeof ort.Tensor>>[] = [];
  for (let s = 0; s < ROWS; s += BATCH) {
    const f = feedsFor(rows, s, Math.min(BATCH, ROWS - s))[input]!;
    bareFeeds.push({ [input]: new ort.Tensor('float32', f.data as Float32Array, f.dims as number[]) });
  }
  const bare: number[] = [];
  const suite: number[] = [];
  // Warm up both, and repeat each pass enough times for a round to last ~0.5 s.
  const t0 = process.hrtime.bigint();
  await predictAll(runner, rows, BATCH);
  for (const f of bareFeeds) await session.run(f);
  const reps = Math.max(1, Math.ceil(1 / seconds(t0)));
  const timeBare = async () => {
    const t = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) for (const f of bareFeeds) await session.run(f);
    bare.push((reps * ROWS) / seconds(t));
  };
  const timeSuite = async () => {
    const t = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) await predictAll(runner, rows, BATCH);
    suite.push((reps * ROWS) / seconds(t));
  };
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved rounds in alternating order (ABBA), so drift in machine load hits both sides alike.
    if (r % 2 === 0) {
      await timeBare();
      await timeSuite();
    } else {
      await timeSuite();
      await timeBare();
    }
  }
  await runner.close();
  await session.release();
  // Each round pairs the two sides under the same machine load; the median pair decides.
  const ratio = median(suite.map((x, i) => x / bare[i]!));
  results.push({
    measure: `batched inference, ${model.name}`,
    'model-gate': `${Math.round(median(suite)).toLocaleString('en')} rows/s`,
    reference: `${Math.round(median(bare)).toLocaleString('en')} rows/s (bare onnxruntime loop)`,
    ratio: ratio.toFixed(3),
    target: '>= 0.95',
    met: ratio >= 0.95 ? 'yes' : 'NO',
  });
}

const node = process.execPath;
function wall(args: string[], env: NodeJS.ProcessEnv = process.env, repeat = 3): number {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(node, args, { env, stdio: 'ignore' });
    times.push(seconds(t0));
  }
  return median(times);
}

const out = join(work, 'out');
for (const model of models) {
  const t = wall(['dist/cli.js', 'validate', '--model', model.path, '--out', out], process.env, 1);
  results.push({ measure: `validate wall time, ${model.name}`, 'model-gate': `${t.toFixed(2)} s`, reference: '', ratio: '', target: '', met: '' });
}
const bareNode = wall(['-e', '0'], process.env, 5);
const startEnv = { ...process.env, 'INPUT_MODE': 'validate', GITHUB_ACTIONS: 'true' };
const startup = wall(['dist/index.js'], startEnv, 5); // no model given: settings, config, exit
results.push({
  measure: 'action start-up (to a usage error)',
  'model-gate': `${(startup * 1000).toFixed(0)} ms`,
  reference: `${(bareNode * 1000).toFixed(0)} ms (node -e 0)`,
  ratio: (startup / bareNode).toFixed(2),
  target: '',
  met: '',
});

// 4. A large labelled eval set, written once; the whole CLI run is measured from outside.
const BIG_ROWS = Number(process.env.MODEL_GATE_BENCH_ROWS ?? 1_000_000);
const FEATURES = 30;
const bigCsv = join(work, 'big.csv');
const bigModel = join(work, 'mlp-30.onnx');
writeFileSync(bigModel, mlp([FEATURES, 32, 1]));
{
  const stream = createWriteStream(bigCsv);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  stream.write([...Array.from({ length: FEATURES }, (_, j) => `f${j}`), 'y'].join(',') + '\n');
  for (let r = 0; r < BIG_ROWS; r++) {
    const row = Array.from({ length: FEATURES }, () => rand().toFixed(5));
    if (!stream.write(`${row.join(',')},${rand().toFixed(5)}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}
const bigConfig = join(work, 'big.yml');
writeFileSync(bigConfig, 'metrics: { task: regression }\nchecks:\n  latency: { iterations: 20, warmup: 2 }\n');
// Peak RSS as the process itself saw it, printed at exit.
const rssHook = `data:text/javascript,process.on('exit',()=>process.stderr.write('MAXRSS_KB '+process.resourceUsage().maxRSS+'\\n'))`;
const t0 = process.hrtime.bigint();
const big = spawnSync(node, ['--import', rssHook, 'dist/cli.js', 'validate', '--model', bigModel, '--data', bigCsv, '--label', 'y', '--config', bigConfig, '--out', out], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const bigSeconds = seconds(t0);
const rssMb = Number(/MAXRSS_KB (\d+)/.exec(big.stderr)?.[1] ?? Number.NaN) / 1024;
results.push({
  measure: `validate with metrics, ${BIG_ROWS.toLocaleString('en')} rows × ${FEATURES} features (CSV)`,
  'model-gate': `${Math.round(BIG_ROWS / bigSeconds).toLocaleString('en')} rows/s, ${bigSeconds.toFixed(1)} s (exit ${big.status})`,
  reference: '',
  ratio: '',
  target: '',
  met: '',
});
results.push({
  measure: 'peak RSS of that run',
  'model-gate': `${Math.round(rssMb)} MB`,
  reference: '1024 MB',
  ratio: (rssMb / 1024).toFixed(2),
  target: '<= 1.00',
  met: rssMb <= 1024 ? 'yes' : 'NO',
});

// 8. The baseline comparison at a million rows (bench/comparison.ts), on the same CSV.
results.push(...(await benchComparison({ work, node, bigCsv, bigModel, rows: BIG_ROWS, features: FEATURES })));

// 5. Drift against the Python stack. Features: Irwin–Hall noise, some shifted, some with ties.
async function writeDriftCsv(path: string, rows: number, seed: number, shift: number): Promise<void> {
  const stream = createWriteStream(path);
  let s = seed;
  const u = () => (s = (s * 48271) % 2147483647) / 2147483648;
  stream.write(`${Array.from({ length: DRIFT_FEATURES }, (_, j) => `f${j}`).join(',')}\n`);
  const cells: string[] = new Array(DRIFT_FEATURES);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < DRIFT_FEATURES; j++) {
      const v = u() + u() + u() + u() - 2 + (j % 4 === 0 ? shift : 0);
      cells[j] = j % 5 === 4 ? v.toFixed(1) : v.toFixed(6);
    }
    if (!stream.write(`${cells.join(',')}\n`)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}
const DRIFT_FEATURES = 20;
const python = '/usr/bin/python3';
const driftCases = [
  { name: '200,000 vs 150,000 rows', ref: 200_000, cur: 150_000 },
  { name: '1,000,000 vs 1,000,000 rows', ref: Number(process.env.MODEL_GATE_BENCH_ROWS ?? 1_000_000), cur: Number(process.env.MODEL_GATE_BENCH_ROWS ?? 1_000_000) },
];
for (const c of driftCases) {
  const refCsv = join(work, `drift-ref-${c.ref}.csv`);
  const curCsv = join(work, `drift-cur-${c.cur}.csv`);
  await writeDriftCsv(refCsv, c.ref, 101, 0);
  await writeDriftCsv(curCsv, c.cur, 202, 0.02);
  const t1 = process.hrtime.bigint();
  const ours = spawnSync(node, ['--import', rssHook, 'dist/cli.js', 'drift', '--json', '--reference', refCsv, '--current', curCsv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const oursSeconds = seconds(t1);
  const t2 = process.hrtime.bigint();
  const theirs = spawnSync(python, ['bench/drift_reference.py', refCsv, curCsv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const theirSeconds = seconds(t2);
  if (ours.status === 2 || theirs.status !== 0) {
    results.push({ measure: `drift ${c.name}`, 'model-gate': `exit ${ours.status}: ${ours.stderr.slice(0, 200)}`, reference: `exit ${theirs.status}: ${theirs.stderr.slice(-200)}`, ratio: '', target: '', met: 'NO' });
    continue;
  }
  // Both computed the same numbers: the largest relative difference over every measure.
  const report = JSON.parse(ours.stdout) as { features: Record<string, number | string>[] };
  const python_ = JSON.parse(theirs.stdout) as Record<string, Record<string, number>>;
  let worst = 0;
  for (const f of report.features) {
    for (const [k, v] of Object.entries(python_[f.name as string]!)) {
      const mine = f[k] as number;
      worst = Math.max(worst, Math.abs(mine - v) / Math.max(Math.abs(v), 1e-300));
    }
  }
  const ratio = oursSeconds / theirSeconds;
  results.push({
    measure: `drift wall time, ${c.name} × ${DRIFT_FEATURES} (CSV)`,
    'model-gate': `${oursSeconds.toFixed(2)} s`,
    reference: `${theirSeconds.toFixed(2)} s (pandas + scipy)`,
    ratio: ratio.toFixed(2),
    target: '< 1.00',
    met: ratio < 1 ? 'yes' : 'NO',
  });
  results.push({ measure: '  largest relative difference of any measure', 'model-gate': worst.toExponential(1), reference: '', ratio: '', target: '<= 1e-6', met: worst <= 1e-6 ? 'yes' : 'NO' });
  const driftRss = Number(/MAXRSS_KB (\d+)/.exec(ours.stderr)?.[1] ?? Number.NaN) / 1024;
  results.push({ measure: '  peak RSS of model-gate drift', 'model-gate': `${Math.round(driftRss)} MB`, reference: '1024 MB', ratio: (driftRss / 1024).toFixed(2), target: '<= 1.00', met: driftRss <= 1024 ? 'yes' : 'NO' });
}

// 6. The load generator must not be the bottleneck: against wrk on the same nginx.
const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
const nginxBin = which('nginx') || (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : '');
const wrkBin = which('wrk');
if (!nginxBin || !wrkBin) {
  results.push({ measure: 'load generator vs wrk', 'model-gate': 'skipped', reference: `needs ${[!nginxBin && 'nginx', !wrkBin && 'wrk'].filter(Boolean).join(' and ')} (apt-get install nginx-light wrk)`, ratio: '', target: '>= 0.80', met: '' });
} else {
  const ngx = join(work, 'nginx');
  mkdirSync(ngx, { recursive: true });
  const port = 18000 + Math.floor(Math.random() * 1000);
  writeFileSync(
    join(ngx, 'nginx.conf'),
    `worker_processes 1;\ndaemon off;\npid ${ngx}/nginx.pid;\nerror_log ${ngx}/error.log;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  client_body_temp_path ${ngx}/body;\n  proxy_temp_path ${ngx}/proxy;\n  fastcgi_temp_path ${ngx}/fastcgi;\n  uwsgi_temp_path ${ngx}/uwsgi;\n  scgi_temp_path ${ngx}/scgi;\n  keepalive_requests 10000000;\n  server {\n    listen 127.0.0.1:${port};\n    default_type application/json;\n    location / { return 200 '{"outputs":[1]}'; }\n  }\n}\n`,
  );
  const server = spawn(nginxBin, ['-c', join(ngx, 'nginx.conf'), '-p', ngx], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const body = '{"inputs": [[5.1,3.5,1.4,0.2]]}';
  writeFileSync(join(ngx, 'post.lua'), `wrk.method = "POST"\nwrk.body = '${body}'\nwrk.headers["Content-Type"] = "application/json"\n`);
  writeFileSync(join(ngx, 'rows.csv'), 'a,b,c,d\n5.1,3.5,1.4,0.2\n');
  writeFileSync(join(ngx, 'load.yml'), `model:\n  endpoint:\n    url: http://127.0.0.1:${port}\n    protocol: custom\n    custom: { path: /infer, ready_path: /ping, template: '{"inputs": \${rows}}', outputs: { y: /outputs } }\n`);
  const CONNECTIONS = 16;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < 3; round++) {
    const o = spawnSync(node, ['dist/cli.js', 'load', '--config', join(ngx, 'load.yml'), '--data', join(ngx, 'rows.csv'), '--concurrency', String(CONNECTIONS), '--duration', '5', '--warmup', '1', '--json', '--out', join(ngx, 'out')], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    ours.push(JSON.parse(o.stdout).load.runs[0].achieved_rps as number);
    const w = spawnSync(wrkBin, ['-t1', `-c${CONNECTIONS}`, '-d6s', '-s', join(ngx, 'post.lua'), `http://127.0.0.1:${port}/infer`], { encoding: 'utf8' });
    theirs.push(Number(/Requests\/sec:\s+([\d.]+)/.exec(w.stdout)?.[1] ?? Number.NaN));
  }
  server.kill('SIGTERM');
  const ratio = median(ours) / median(theirs);
  results.push({
    measure: `load generator vs wrk, nginx, ${CONNECTIONS} connections, 1 thread`,
    'model-gate': `${Math.round(median(ours)).toLocaleString('en')} req/s`,
    reference: `${Math.round(median(theirs)).toLocaleString('en')} req/s (wrk)`,
    ratio: ratio.toFixed(2),
    target: '>= 0.80',
    met: ratio >= 0.8 ? 'yes' : 'NO',
  });
}

// 7. Wide data: each reader runs in its own process, so its peak RSS is its own.
{
  const WIDE_ROWS = 50;
  const writeWide = async (path: string, columns: number) => {
    const stream = createWriteStream(path);
    stream.write(Array.from({ length: columns }, (_, j) => `px${j}`).join(',') + '\n');
    const cells: number[] = new Array(columns);
    for (let r = 0; r < WIDE_ROWS; r++) {
      for (let j = 0; j < columns; j++) cells[j] = (r * 31 + j * 7) % 256;
      if (!stream.write(`${cells.join(',')}\n`)) await once(stream, 'drain');
    }
    stream.end();
    await once(stream, 'finish');
  };
  const csvModule = join(process.cwd(), 'src/data/csv.ts');
  const ours = join(work, 'wide-read.ts');
  writeFileSync(
    ours,
    `import { readCsv } from ${JSON.stringify(csvModule)};\nconst t = performance.now();\nconst d = await readCsv(process.argv[2]!);\n` +
      `if (d.columns.length * d.rows === 0) process.exit(3);\nconsole.log(JSON.stringify({ s: (performance.now() - t) / 1000, rss: process.resourceUsage().maxRSS / 1024 }));\n`,
  );
  const plain = join(work, 'wide-plain.mjs');
  writeFileSync(
    plain,
    `import { readFileSync } from 'node:fs';\nconst t = performance.now();\nconst lines = readFileSync(process.argv[2], 'utf8').split('\\n');\n` +
      `const cols = lines[0].split(',').map(() => new Float64Array(lines.length - 2));\n` +
      `for (let r = 1; r < lines.length; r++) { if (!lines[r]) continue; const cells = lines[r].split(','); for (let j = 0; j < cells.length; j++) cols[j][r - 1] = Number(cells[j]); }\n` +
      `console.log(JSON.stringify({ s: (performance.now() - t) / 1000, rss: process.resourceUsage().maxRSS / 1024 }));\n`,
  );
  const timed = (args: string[], bin = node) => {
    const t = process.hrtime.bigint();
    const run = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (run.status !== 0) return { s: Number.NaN, rss: Number.NaN, wall: seconds(t), error: `exit ${run.status}: ${run.stderr.slice(-200)}` };
    return { ...(JSON.parse(run.stdout.trim().split('\n').pop()!) as { s: number; rss: number }), wall: seconds(t), error: '' };
  };
  const WIDE = 150_528;
  const wide = join(work, 'wide.csv');
  const quarter = join(work, 'wide-quarter.csv');
  await writeWide(wide, WIDE);
  await writeWide(quarter, WIDE / 4);
  // Interleaved, three rounds, the median of each.
  const mine: ReturnType<typeof timed>[] = [];
  const theirs: ReturnType<typeof timed>[] = [];
  const small: ReturnType<typeof timed>[] = [];
  for (let round = 0; round < 3; round++) {
    mine.push(timed(['--experimental-strip-types', ours, wide]));
    theirs.push(timed([plain, wide]));
    small.push(timed(['--experimental-strip-types', ours, quarter]));
  }
  const med = (xs: ReturnType<typeof timed>[], k: 's' | 'rss') => median(xs.map((x) => x[k]));
  const failed = [...mine, ...small].find((x) => x.error);
  const ratio = med(mine, 's') / med(theirs, 's');
  results.push({
    measure: `read CSV, ${WIDE_ROWS} rows × ${WIDE.toLocaleString('en')} columns`,
    'model-gate': failed ? failed.error : `${med(mine, 's').toFixed(2)} s`,
    reference: `${med(theirs, 's').toFixed(2)} s (readFileSync + split + Number)`,
    ratio: ratio.toFixed(2),
    target: '<= 2.00',
    met: ratio <= 2 ? 'yes' : 'NO',
  });
  const perCell = med(mine, 's') / (WIDE * WIDE_ROWS) / (med(small, 's') / ((WIDE / 4) * WIDE_ROWS));
  results.push({
    measure: `  time per cell vs ${(WIDE / 4).toLocaleString('en')} columns (linear = 1)`,
    'model-gate': `${med(small, 's').toFixed(2)} s for a quarter of the columns`,
    reference: '',
    ratio: perCell.toFixed(2),
    target: '<= 1.50',
    met: perCell <= 1.5 ? 'yes' : 'NO',
  });
  const wideRss = med(mine, 'rss');
  results.push({
    measure: '  peak RSS of that read',
    'model-gate': `${Math.round(wideRss)} MB`,
    reference: `1024 MB (plain split: ${Math.round(med(theirs, 'rss'))} MB)`,
    ratio: (wideRss / 1024).toFixed(2),
    target: '<= 1.00',
    met: wideRss <= 1024 ? 'yes' : 'NO',
  });
  const numpy = spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  if (numpy) {
    const script = `import numpy, resource, sys, time\nt = time.perf_counter()\nnumpy.loadtxt(sys.argv[1], delimiter=',', skiprows=1)\nprint('{"s": %f, "rss": %f}' % (time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))\n`;
    const np = timed(['-c', script, wide], python);
    results.push({ measure: '  numpy.loadtxt, same file (information)', 'model-gate': '', reference: np.error || `${np.s.toFixed(2)} s, ${Math.round(np.rss)} MB`, ratio: '', target: '', met: '' });
  }
}

// 8. Validate with defaults on a 10 MB image model.
results.push(...(await benchValidateImage()));

console.table(results);
