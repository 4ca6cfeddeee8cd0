/**
 * Inputs when no evaluation data is given, seeded, and shaped by what the signature says an input
 * means: floats uniform within each column's range in the reference data, else standard normal;
 * integer inputs small non-negative ids (within the reference range when there is one); inputs
 * named like masks all ones, like token types or recurrent state all zeros; booleans 0/1; uint8
 * (image bytes) 0–255.
 */
import { uniformSource } from '../stats/random.ts';
import { column, type Dataset } from './dataset.ts';
import { featureRows, isInteger, rowWidth, type FeatureRows, type InputBinding } from './features.ts';
import { MASK_NAME, STATE_NAME, TOKEN_TYPE_NAME } from './input-hints.ts';

/** Ids drawn for integer inputs: 0–99, or fewer below the table an input indexes (an embedding of 50 rows: 0–49). */
const MAX_ID = 100;

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
    if (b.source.kind === 'constant') return new Float64Array(0);
    const width = rowWidth(b);
    const ranges = b.columns && reference ? b.columns.map((c) => columnRange(reference, c)) : null;
    const out = new Float64Array(rows * width);
    const fill = (draw: (j: number) => number) => {
      for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) out[r * width + j] = draw(j);
    };
    if (MASK_NAME.test(b.name)) fill(() => 1);
    else if (TOKEN_TYPE_NAME.test(b.name) || STATE_NAME.test(b.name)) fill(() => 0);
    else if (b.dtype === 'bool') fill(() => (random() < 0.5 ? 0 : 1));
    else if (b.dtype === 'uint8') fill(() => Math.floor(random() * 256));
    else if (isInteger(b.dtype)) {
      fill((j) => {
        const range = ranges?.[j];
        const top = (b.ids ?? Number.POSITIVE_INFINITY) - 1; // the table's last row
        const lo = Math.min(range ? Math.max(0, Math.ceil(range[0])) : 0, top);
        const hi = Math.min(range ? Math.max(lo, Math.floor(range[1])) : MAX_ID - 1, top);
        return lo + Math.floor(random() * (hi - lo + 1));
      });
    } else {
      fill((j) => {
        const range = ranges?.[j];
        return range ? range[0] + random() * (range[1] - range[0]) : normal();
      });
    }
    return out;
  });
  const small = bindings.filter((b) => b.ids !== undefined && b.ids < MAX_ID && isInteger(b.dtype) && !MASK_NAME.test(b.name) && !TOKEN_TYPE_NAME.test(b.name));
  const source = reference
    ? `${rows} rows generated within the ranges of ${reference.path} (seed ${seed})`
    : `${rows} rows generated (seed ${seed}): floats standard normal, ids 0–${MAX_ID - 1}${small.length > 0 ? ` (${small.map((b) => `"${b.name}" 0–${b.ids! - 1}, the rows of the table it indexes`).join('; ')})` : ''}, masks 1`;
  return featureRows(bindings, rows, values, source);
}

function columnRange(data: Dataset, name: string): [number, number] | undefined {
  const values = column(data, name)?.values;
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
