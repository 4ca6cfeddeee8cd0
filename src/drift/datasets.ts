/**
 * Feature drift between two data sets: which columns are compared, each column as a feature
 * sample, and every feature measured and judged. A problem with one column (absent on a side,
 * numbers on one side and text on the other, no values) is that feature's error; the others are
 * still judged. Features come back assessed (measures, method, noise p-value); `judgeFamily`
 * decides them together with the run's other drift items.
 */
import { column, type Column, type Dataset } from '../data/dataset.ts';
import { getErrorMessage } from '../errors.ts';
import type { DriftRules, FeatureKind } from '../config/types.ts';
import { assess, featureError, type FeatureDrift } from './judge.ts';
import { measureFeature, type FeatureSample } from './measure.ts';

export interface DriftOptions {
  /** Columns to compare; default: the reference's columns. */
  columns?: readonly string[];
  /** Columns never compared as features (label, weight, id). */
  exclude?: ReadonlySet<string>;
}

/** Rows whose cells can be trusted: malformed rows are left out of every feature. */
function trusted(dataset: Dataset): Uint8Array | null {
  if (dataset.malformed.length === 0) return null;
  const bad = new Uint8Array(dataset.rows);
  for (const r of dataset.malformed) bad[r] = 1;
  return bad;
}

/** A column as one side of a feature; numbers become category labels when the kind says so. */
export function sampleOf(column: Column, kind: FeatureKind, bad: Uint8Array | null): FeatureSample {
  const keep = (r: number) => !bad || bad[r] === 0;
  if (column.values) {
    const values = bad ? column.values.filter((_, r) => keep(r)) : column.values;
    if (kind === 'numeric') return { kind, values };
    return { kind, values: Array.from(values, (v) => (Number.isNaN(v) ? null : String(v))) };
  }
  const text = bad ? column.text!.filter((_, r) => keep(r)) : column.text!;
  return { kind: 'categorical', values: text };
}

const kindOf = (column: Column): FeatureKind => (column.kind === 'numeric' ? 'numeric' : 'categorical');

export function featureDrift(name: string, reference: Column, current: Column, rules: DriftRules, badRef: Uint8Array | null, badCur: Uint8Array | null): FeatureDrift {
  const declared = rules.features[name]?.kind;
  const refKind = kindOf(reference);
  const curKind = kindOf(current);
  if (!declared && refKind !== curKind) {
    const [numeric, textSide] = refKind === 'numeric' ? ['reference', 'current'] : ['current', 'reference'];
    return featureError(
      name,
      `"${name}" holds numbers in the ${numeric} data but text in the ${textSide} data; fix the data, or set drift.features.${name}.kind: categorical`,
    );
  }
  const kind = declared ?? refKind;
  if (kind === 'numeric' && (refKind !== 'numeric' || curKind !== 'numeric')) {
    return featureError(name, `"${name}" is declared numeric but holds text in the ${refKind === 'numeric' ? 'current' : 'reference'} data`, kind);
  }
  try {
    return assess(measureFeature(name, sampleOf(reference, kind, badRef), sampleOf(current, kind, badCur), rules.psi), rules);
  } catch (error) {
    return featureError(name, getErrorMessage(error), kind);
  }
}

const widthOf = (c: Column) => (c.array?.shape ? c.array.shape.reduce((a, b) => a * b, 1) : 0);

/**
 * Array columns of one fixed shape and at most `max` elements, as one numeric column per element
 * (`X[0]`, `X[1]`, …, flat index): an .npz's `X` [N, 4] holds four features, each drifting on its
 * own. Wider arrays (images, audio, token ids) stay whole, and per-column drift leaves them out.
 */
export function withElementColumns(d: Dataset, max: number): Dataset {
  if (!d.columns.some((c) => c.kind === 'array' && widthOf(c) > 0 && widthOf(c) <= max)) return d;
  const columns = d.columns.flatMap((c): Column[] => {
    const width = widthOf(c);
    if (c.kind !== 'array' || width === 0 || width > max) return [c];
    const { values, offsets } = c.array!;
    const whole = (r: number) => offsets[r + 1]! - offsets[r]! === width;
    let missing = 0;
    for (let r = 0; r < d.rows; r++) if (!whole(r)) missing++;
    return Array.from({ length: width }, (_, j) => {
      const out = new Float64Array(d.rows);
      for (let r = 0; r < d.rows; r++) out[r] = whole(r) ? values[offsets[r]! + j]! : Number.NaN;
      return { name: `${c.name}[${j}]`, kind: 'numeric', values: out, text: null, missing, invalid: c.invalid };
    });
  });
  return { ...d, columns };
}

/** The columns per-column drift would compare: scalar columns and the elements of narrow arrays. */
export const featureCount = (d: Dataset, max: number) =>
  d.columns.reduce((n, c) => n + (c.kind !== 'array' ? 1 : widthOf(c) <= max ? widthOf(c) : 0), 0);

export function datasetDrift(reference: Dataset, current: Dataset, rules: DriftRules, options: DriftOptions = {}): FeatureDrift[] {
  const exclude = options.exclude ?? new Set<string>();
  // Array columns (token ids, images) are left out by default: a per-feature test of a whole array
  // says nothing; named explicitly, they are reported as not measurable.
  const names = (options.columns ?? reference.columns.filter((c) => c.kind !== 'array').map((c) => c.name)).filter(
    (n) => !exclude.has(n) && !rules.features[n]?.ignore,
  );
  const badRef = trusted(reference);
  const badCur = trusted(current);
  return names.map((name) => {
    const ref = column(reference, name);
    const cur = column(current, name);
    if (!ref || !cur) {
      const missingFrom = [!ref && reference.path, !cur && current.path].filter(Boolean).join(' and ');
      return featureError(name, `column "${name}" is not in ${missingFrom}`);
    }
    if (ref.kind === 'array' || cur.kind === 'array') return featureError(name, `column "${name}" holds arrays: drift is measured per scalar column, not on arrays`);
    return featureDrift(name, ref, cur, rules, badRef, badCur);
  });
}
