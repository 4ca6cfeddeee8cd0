/**
 * Every drift measure for one feature, reference against current. Pure and columnar: numeric
 * values are sorted once and that order serves the KS test, the Wasserstein distance, the PSI
 * bins and the distinct count. Missing values (NaN, ±∞, empty cells) are counted, never binned.
 * What several measures share is computed here in one pass (the ECDF comparison: KS and
 * Wasserstein; the reference-quantile bins: PSI, Jensen–Shannon, binned chi²; category counts:
 * chi² and z); a measure of its own is computed by its descriptor's `measure` (methods.ts).
 */
import type { FeatureMeasures, FeatureSample, FeatureSides } from './feature-measures.ts';
import { DRIFT_MEASURES, type DriftMeasure } from './methods.ts';
import { chi2Binned, chi2TwoSample } from '../stats/chi2.ts';
import { jensenShannon } from '../stats/jensen-shannon.ts';
import { compareEcdfs } from '../stats/ecdf.ts';
import { ksTest } from '../stats/ks.ts';
import { twoProportionZ } from '../stats/proportions.ts';
import { binShares, psiOfShares, quantileEdges, type PsiOptions } from '../stats/psi.ts';
import { sortFloat64 } from '../stats/sort.ts';
import { sharedHistogram } from '../stats/histogram.ts';

/** Numeric features with at most this many distinct values are also tested as categories. */
export const LOW_CARDINALITY = 5;

export type { FeatureMeasures, FeatureSample, FeatureSides } from './feature-measures.ts';

/** Finite values, sorted, and how many were missing. */
function present(values: ArrayLike<number>): { sorted: Float64Array; missing: number } {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[n++] = v;
  }
  return { sorted: sortFloat64(out.subarray(0, n)), missing: values.length - n };
}

/** Distinct values of two sorted arrays with their counts on each side (merge walk). */
function valueCounts(a: Float64Array, b: Float64Array): { values: number[]; ca: number[]; cb: number[] } {
  const values: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    let x = 0;
    let y = 0;
    while (i < a.length && a[i] === v) {
      i++;
      x++;
    }
    while (j < b.length && b[j] === v) {
      j++;
      y++;
    }
    values.push(v);
    ca.push(x);
    cb.push(y);
  }
  return { values, ca, cb };
}

/** Chi-squared, z (two categories) and the share-based distances over category counts. */
function categoryMeasures(ra: ArrayLike<number>, rb: ArrayLike<number>, floor: number) {
  const na = sum(ra);
  const nb = sum(rb);
  const chi2 = chi2TwoSample(ra, rb);
  const shares = (r: ArrayLike<number>, n: number) => Float64Array.from(r, (c) => c / n);
  const out: Partial<FeatureMeasures> = {
    chi2_statistic: chi2.statistic,
    chi2_p_value: chi2.pValue,
    chi2_dof: chi2.dof,
    psi: psiOfShares(shares(ra, na), shares(rb, nb), floor),
    jensen_shannon: jensenShannon(ra, rb),
    binned_p_value: chi2.pValue,
    bins: ra.length,
  };
  if (ra.length === 2) {
    const z = twoProportionZ(rb[1]!, nb, ra[1]!, na);
    out.z_statistic = z.statistic;
    out.z_p_value = z.pValue;
  }
  return out;
}

const sum = (xs: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
};

export class FeatureError extends Error {}

/** All measures; throws FeatureError when a side has no values to compare. */
export function measureFeature(name: string, reference: FeatureSample, current: FeatureSample, psi: PsiOptions): FeatureMeasures {
  if (reference.kind !== current.kind) {
    throw new FeatureError(`"${name}" is ${reference.kind} in the reference but ${current.kind} in the current data`);
  }
  if (reference.kind === 'numeric' && current.kind === 'numeric') {
    const a = present(reference.values);
    const b = present(current.values);
    emptyCheck(name, a.sorted.length, reference.values.length, b.sorted.length, current.values.length);
    const ecdf = compareEcdfs(a.sorted, b.sorted);
    const ks = ksTest(a.sorted.length, b.sorted.length, ecdf.ks);
    const wd = ecdf.wasserstein;
    const edges = quantileEdges(a.sorted, psi.bins);
    const sa = binShares(a.sorted, edges);
    const sb = binShares(b.sorted, edges);
    const counts = (shares: Float64Array, n: number) => Float64Array.from(shares, (x) => Math.round(x * n));
    const binned = chi2Binned(counts(sa, a.sorted.length), counts(sb, b.sorted.length));
    const measures: FeatureMeasures = {
      name,
      kind: 'numeric',
      n_reference: a.sorted.length,
      n_current: b.sorted.length,
      missing: { reference: a.missing, current: b.missing },
      distinct: ecdf.distinct,
      ks_statistic: ks.statistic,
      ks_p_value: ks.pValue,
      ks_method: ks.method,
      wasserstein: wd,
      psi: psiOfShares(sa, sb, psi.floor),
      jensen_shannon: jensenShannon(sa, sb),
      binned_p_value: binned.pValue,
      bins: binned.dof + 1,
    };
    withOwnMeasures(measures, { kind: 'numeric', reference: a.sorted, current: b.sorted });
    if (measures.distinct <= LOW_CARDINALITY) {
      const counts = valueCounts(a.sorted, b.sorted);
      const { chi2_statistic, chi2_p_value, chi2_dof, z_statistic, z_p_value } = categoryMeasures(counts.ca, counts.cb, psi.floor);
      Object.assign(measures, { chi2_statistic, chi2_p_value, chi2_dof, z_statistic, z_p_value });
      measures.categories = counts.values.map((v, k) => ({ value: String(v), reference: counts.ca[k]!, current: counts.cb[k]! }));
    } else {
      const histogram = sharedHistogram(a.sorted, b.sorted);
      if (histogram) measures.histogram = histogram;
    }
    return stripUndefined(measures);
  }
  const ref = reference.values as readonly (string | null)[];
  const cur = current.values as readonly (string | null)[];
  const index = new Map<string, number>();
  const ca: number[] = [];
  const cb: number[] = [];
  const tally = (values: readonly (string | null)[], mine: number[], other: number[]) => {
    let missing = 0;
    for (const v of values) {
      if (v === null || v === '') {
        missing++;
        continue;
      }
      let k = index.get(v);
      if (k === undefined) {
        k = mine.length;
        index.set(v, k);
        mine.push(0);
        other.push(0);
      }
      mine[k]!++;
    }
    return missing;
  };
  const missingA = tally(ref, ca, cb);
  const missingB = tally(cur, cb, ca);
  const na = ref.length - missingA;
  const nb = cur.length - missingB;
  emptyCheck(name, na, ref.length, nb, cur.length);
  // Sorted categories, so that the z-test's "second category" does not depend on row order.
  const order = [...index.keys()].sort();
  const ra = order.map((k) => ca[index.get(k)!]!);
  const rb = order.map((k) => cb[index.get(k)!]!);
  const measures: FeatureMeasures = {
    name,
    kind: 'categorical',
    n_reference: na,
    n_current: nb,
    missing: { reference: missingA, current: missingB },
    distinct: order.length,
    ...(categoryMeasures(ra, rb, psi.floor) as Pick<FeatureMeasures, 'psi' | 'jensen_shannon' | 'binned_p_value' | 'bins'>),
  };
  withOwnMeasures(measures, { kind: 'categorical', categories: order, reference: ra, current: rb });
  measures.categories = order.map((value, k) => ({ value, reference: ra[k]!, current: rb[k]! }));
  return stripUndefined(measures);
}

const OWN: DriftMeasure[] = Object.values(DRIFT_MEASURES).filter((d: DriftMeasure) => d.measure !== undefined);

/** Adds the values the measures compute themselves, from the prepared sides and the shared pass. */
function withOwnMeasures(measures: FeatureMeasures, sides: FeatureSides): void {
  for (const d of OWN) Object.assign(measures, d.measure!(sides, measures));
}

function emptyCheck(name: string, na: number, ta: number, nb: number, tb: number): void {
  const side = (n: number, total: number, which: string) =>
    n > 0 ? null : total === 0 ? `the ${which} data has no rows` : `every value of "${name}" in the ${which} data is missing (${total.toLocaleString('en')} rows)`;
  const problem = side(na, ta, 'reference') ?? side(nb, tb, 'current');
  if (problem) throw new FeatureError(problem);
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
