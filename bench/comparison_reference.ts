/**
 * The bare floor for `validate --baseline` on a big CSV (bench/comparison.ts): read the file,
 * split it, parse every feature with Number into one Float32Array, then run both models over it
 * in the suite's batches with onnxruntime-node. Usage: comparison_reference.ts <csv> <model> <baseline>
 */
import { readFileSync } from 'node:fs';
import { loadOnnxRuntime } from '../src/runners/onnxruntime-loader.ts';
import { PREDICTION_BATCH } from '../src/checks/predictions.ts';

const [csv, ...models] = process.argv.slice(2);
const ort = await loadOnnxRuntime({ info: () => undefined });
const lines = readFileSync(csv!, 'utf8').split('\n');
const header = lines[0]!.split(',');
const width = header.length - 1; // the last column is the label
const n = lines.length - 1 - (lines[lines.length - 1] === '' ? 1 : 0);
const x = new Float32Array(n * width);
const y = new Float64Array(n);
for (let r = 0; r < n; r++) {
  const cells = lines[r + 1]!.split(',');
  for (let j = 0; j < width; j++) x[r * width + j] = Number(cells[j]);
  y[r] = Number(cells[width]);
}
let checksum = 0;
for (const path of models) {
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  const input = session.inputNames[0]!;
  for (let s = 0; s < n; s += PREDICTION_BATCH) {
    const rows = Math.min(PREDICTION_BATCH, n - s);
    const out = await session.run({ [input]: new ort.Tensor('float32', x.subarray(s * width, (s + rows) * width), [rows, width]) });
    checksum += (out[session.outputNames[0]!]!.data as Float32Array)[0]!;
  }
  await session.release();
}
console.log(JSON.stringify({ rows: n, checksum }));
