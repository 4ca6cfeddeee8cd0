/**
 * Inputs when no evaluation data is given: seeded, uniform within each column's range in the
 * reference data, or standard normal when there is no reference either.
 */
import { uniformSource } from '../stats/random.ts';
import type { Dataset } from './dataset.ts';
import { featureRows, rowWidth, type FeatureRows, type InputBinding } from './features.ts';

export function generateRows(
  bindings: InputBinding[],
  rows: number,
  seed: number,
  reference: Dataset | null,
): FeatureRows {
  const random = uniformSource(seed);
  const normal = () => {
    // Box-Muller; 1 - u keeps the log finite.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const values = bindings.map((b) => {
    const width = rowWidth(b);
    const ranges = b.columns && reference ? b.columns.map((c) => columnRange(reference, c)) : null;
    const out = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        const range = ranges?.[j];
        out[r * width + j] = range ? range[0] + random() * (range[1] - range[0]) : normal();
      }
    }
    return out;
  });
  const source = reference
    ? `${rows} rows generated within the ranges of ${reference.path} (seed ${seed})`
    : `${rows} rows generated from a standard normal distribution (seed ${seed})`;
  return featureRows(bindings, rows, values, source);
}

function columnRange(data: Dataset, name: string): [number, number] | undefined {
  const values = data.columns.find((c) => c.name === name)?.values;
  if (!values) return undefined;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}
