/**
 * Which measure decides whether a feature drifted, and the verdicts, sized by the effective sample
 * size n_eff = n₁n₂/(n₁+n₂) (the size that sets a two-sample statistic's noise), not by the
 * reference's size alone. Up to `large_sample_rows` effective values a test decides (KS for
 * numeric features with more than 5 distinct values, else chi-squared, or the z-test for two
 * values); above it, where p-values flag negligible shifts, a distance must also be material
 * (normed Wasserstein for numeric features, Jensen–Shannon for categorical and low-cardinality
 * ones). Either way a feature drifts only when its noise test still rejects after the run's
 * multiplicity adjustment (Holm by default): a distance above its threshold but within its own
 * sampling noise is stable. PSI gates on its levels under the same condition, at any size.
 */
import type { DriftMethod, DriftRules, FeatureKind } from '../config/types.ts';
import { compact, significant } from '../core/format.ts';
import { chi2Isf } from '../stats/chi2.ts';
import { adjust, type Multiplicity } from '../stats/multiplicity.ts';
import { LOW_CARDINALITY, type FeatureMeasures } from './measure.ts';
import { DRIFT_MEASURES, NOISE_TESTS, type NoiseTest } from './methods.ts';

/** How reports name each measure's value (from the measures' descriptors). */
export const METHOD_LABEL = Object.fromEntries(Object.entries(DRIFT_MEASURES).map(([k, d]) => [k, d.label])) as Record<DriftMethod, string>;

export type FeatureStatus = 'drifted' | 'stable' | 'inconclusive' | 'error';

export type { NoiseTest } from './methods.ts';

/** A feature's line in the drift report: its verdict and every measure computed. */
export type FeatureDrift = Omit<Partial<FeatureMeasures>, 'name' | 'kind'> & {
  name: string;
  kind: FeatureKind | null;
  status: FeatureStatus;
  method: DriftMethod | null;
  value: number | null;
  threshold: number | null;
  drifted: boolean | null;
  /** n₁n₂/(n₁+n₂) of the present values; null when not measured. */
  effective_rows?: number | null;
  /** The noise test behind the verdict, its raw p-value and the p-value adjusted over the run's drift items. */
  noise_test?: NoiseTest | null;
  p_value?: number | null;
  p_adjusted?: number | null;
  /** PSI that sampling noise alone exceeds 5% of the time at these sizes (≈ χ²₀.₉₅(bins − 1) / n_eff). */
  psi_noise?: number | null;
  /** PSI against its warning / blocker levels, counted only beyond sampling noise; null when not judged. */
  psi_level: 'ok' | 'warning' | 'blocker' | null;
  message: string;
};

export interface DriftSummary {
  features: FeatureDrift[];
  /** Features with a verdict (drifted or stable). */
  judged: number;
  drifted: number;
  drifted_share: number | null;
  dataset_drift: boolean | null;
}

export const effectiveRows = (n1: number, n2: number) => (n1 * n2) / (n1 + n2);

export function chooseMethod(m: FeatureMeasures, rules: DriftRules): DriftMethod {
  const lowCardinality = m.kind === 'categorical' || m.distinct <= LOW_CARDINALITY;
  if (effectiveRows(m.n_reference, m.n_current) <= rules.large_sample_rows) {
    if (!lowCardinality) return 'ks';
    return m.distinct <= 2 && m.z_p_value !== undefined ? 'z' : 'chi2';
  }
  return lowCardinality ? 'jensen_shannon' : 'wasserstein';
}

/** A method's value and its noise test's p-value on a feature; undefined where they do not apply. */
function valueOf(m: FeatureMeasures, method: DriftMethod): number | undefined {
  return DRIFT_MEASURES[method].value(m);
}

function noiseOf(m: FeatureMeasures, method: DriftMethod): { test: NoiseTest; p: number | undefined } {
  const test = DRIFT_MEASURES[method].noise;
  return { test, p: NOISE_TESTS[test].p(m) };
}

const ADJUSTED: Record<Multiplicity, string> = { holm: 'Holm', bh: 'BH', none: 'unadjusted' };

/**
 * A feature judged alone (a family of one). Within a run, `judgeFamily` re-decides the features
 * together with adjusted p-values.
 */
export function judgeFeature(m: FeatureMeasures, rules: DriftRules): FeatureDrift {
  return judgeFamily([assess(m, rules)], rules)[0]!;
}

/** Measures with their method, value and noise p-value, before the run's adjustment. */
export function assess(m: FeatureMeasures, rules: DriftRules): FeatureDrift {
  const rule = rules.features[m.name] ?? {};
  const method = rule.method ?? chooseMethod(m, rules);
  const threshold = rule.threshold ?? DRIFT_MEASURES[method].defaultThreshold(rules);
  const value = valueOf(m, method);
  const noise = noiseOf(m, method);
  const nEff = effectiveRows(m.n_reference, m.n_current);
  const psiNoise = m.bins > 1 ? chi2Isf(0.05, m.bins - 1) / nEff : 0;
  const base = { ...m, method, threshold, effective_rows: significant(nEff, 6), noise_test: noise.test, p_value: noise.p ?? null, p_adjusted: null, psi_noise: psiNoise, psi_level: null } as const;
  if (value === undefined || noise.p === undefined) {
    return { ...base, status: 'error', value: null, drifted: null, message: `${DRIFT_MEASURES[method].label} does not apply to a ${m.kind} feature with ${m.distinct} distinct values` };
  }
  // NaN compares false both ways, which would read as "stable": an undefined measure is an error.
  const undefinedMeasure = Number.isNaN(value) ? DRIFT_MEASURES[method].label : Number.isNaN(m.psi) ? 'PSI' : Number.isNaN(noise.p) ? `the ${NOISE_TESTS[noise.test].label} p-value` : null;
  if (undefinedMeasure) {
    return { ...base, status: 'error', value: null, drifted: null, message: `${undefinedMeasure} is undefined on these values (NaN)` };
  }
  const sizes = `${m.n_reference.toLocaleString('en')} vs ${m.n_current.toLocaleString('en')} values`;
  if (Math.min(m.n_reference, m.n_current) < rules.min_rows) {
    return { ...base, status: 'inconclusive', value, drifted: null, message: `inconclusive: ${sizes}, fewer than ${rules.min_rows} on a side (${DRIFT_MEASURES[method].label} ${compact(value)})` };
  }
  // Judged in judgeFamily, once the family's adjusted p-values are known.
  return { ...base, status: 'stable', value, drifted: false, message: '' };
}

/**
 * The run's verdicts: the noise p-values of every judgeable item adjusted together (items in
 * error or inconclusive take no part), then each item decided on its adjusted p-value.
 */
export function judgeFamily(items: readonly FeatureDrift[], rules: DriftRules): FeatureDrift[] {
  const judgeable = items.map((f, i) => (f.status === 'stable' || f.status === 'drifted' ? i : -1)).filter((i) => i >= 0);
  const adjusted = adjust(
    judgeable.map((i) => items[i]!.p_value!),
    rules.multiplicity,
  );
  const out = [...items];
  judgeable.forEach((i, k) => {
    out[i] = withAdjustedVerdict(items[i]!, adjusted[k]!, rules);
  });
  return out;
}

function withAdjustedVerdict(f: FeatureDrift, pAdjusted: number, rules: DriftRules): FeatureDrift {
  const method = f.method!;
  const value = f.value!;
  const threshold = f.threshold!;
  const alpha = DRIFT_MEASURES[method].isTest ? threshold : rules.p_value;
  const beyondNoise = pAdjusted <= alpha;
  const material = DRIFT_MEASURES[method].isTest ? true : value >= threshold;
  const drifted = beyondNoise && material;
  const psi = f.psi!;
  const psiLevel = !beyondNoise ? 'ok' : psi >= rules.psi.blocker ? 'blocker' : psi >= rules.psi.warning ? 'warning' : 'ok';
  const noise = `${NOISE_TESTS[f.noise_test!].label} p ${compact(f.p_value!)}${rules.multiplicity === 'none' ? '' : `, ${ADJUSTED[rules.multiplicity]} ${compact(pAdjusted)}`}`;
  const sizes = `${f.n_reference!.toLocaleString('en')} vs ${f.n_current!.toLocaleString('en')} values, n_eff ${compact(f.effective_rows!)}`;
  const missing = f.missing && f.missing.reference + f.missing.current > 0 ? `; missing ${f.missing.reference.toLocaleString('en')} / ${f.missing.current.toLocaleString('en')}` : '';
  const rounded = (x: number) => significant(x, 6);
  let verdict: string;
  if (DRIFT_MEASURES[method].isTest) {
    verdict = `${noise} ${beyondNoise ? '≤' : '>'} ${compact(alpha)}`;
  } else if (!material) {
    verdict = `${DRIFT_MEASURES[method].label} ${compact(value)} < ${compact(threshold)} (${noise})`;
  } else {
    verdict = `${DRIFT_MEASURES[method].label} ${compact(value)} ≥ ${compact(threshold)}${beyondNoise ? ` and beyond sampling noise (${noise} ≤ ${compact(alpha)})` : `, but within sampling noise (${noise} > ${compact(alpha)})`}`;
  }
  // The PSI printed beside its noise level, so a reader can see why a PSI over a level did not gate.
  const psiNote = `PSI ${compact(psi)}${psi >= rules.psi.warning && !beyondNoise ? ` (noise level ${compact(f.psi_noise!)}, not beyond noise)` : ''}`;
  return {
    ...f,
    status: drifted ? 'drifted' : 'stable',
    drifted,
    p_adjusted: pAdjusted,
    psi_noise: rounded(f.psi_noise!),
    psi_level: psiLevel,
    message: `${drifted ? 'drifted' : 'stable'}: ${verdict}; ${psiNote} (${sizes}${missing})`,
  };
}

export function featureError(name: string, message: string, kind: FeatureKind | null = null): FeatureDrift {
  return { name, kind, status: 'error', method: null, value: null, threshold: null, drifted: null, p_value: null, p_adjusted: null, psi_level: null, message };
}

export function summarize(features: FeatureDrift[], rules: DriftRules): DriftSummary {
  const judged = features.filter((f) => f.status === 'drifted' || f.status === 'stable').length;
  const drifted = features.filter((f) => f.status === 'drifted').length;
  const share = judged === 0 ? null : drifted / judged;
  return { features, judged, drifted, drifted_share: share, dataset_drift: share === null ? null : share >= rules.dataset_share };
}
