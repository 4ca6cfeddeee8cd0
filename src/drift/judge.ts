/**
 * Which measure decides whether a feature drifted, and the verdicts. The choice follows
 * Evidently's defaults: on small reference samples a test decides (KS for numeric features with
 * more than 5 distinct values, else chi-squared, or the z-test for two values); on larger ones,
 * where p-values flag negligible shifts, a distance does (normed Wasserstein for numeric
 * features, Jensen–Shannon for categorical and low-cardinality ones).
 */
import type { Severity } from '../checks/types.ts';
import { LOW_CARDINALITY, type FeatureKind, type FeatureMeasures } from './measure.ts';

export const DRIFT_METHODS = ['ks', 'chi2', 'z', 'wasserstein', 'jensen_shannon', 'psi'] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

/** Tests decide by p ≤ threshold; distances by value ≥ threshold. */
export const IS_TEST: Record<DriftMethod, boolean> = { ks: true, chi2: true, z: true, wasserstein: false, jensen_shannon: false, psi: false };

export const METHOD_LABEL: Record<DriftMethod, string> = {
  ks: 'KS p',
  chi2: 'chi² p',
  z: 'z-test p',
  wasserstein: 'normed Wasserstein',
  jensen_shannon: 'Jensen–Shannon',
  psi: 'PSI',
};

export interface FeatureRule {
  method?: DriftMethod;
  threshold?: number;
  kind?: FeatureKind;
  severity?: Severity;
  ignore?: boolean;
}

export interface DriftRules {
  /** Fewer present values than this on either side: inconclusive. */
  min_rows: number;
  /** Reference sizes above this are judged by distances rather than tests. */
  large_sample_rows: number;
  p_value: number;
  distance: number;
  psi: { bins: number; floor: number; warning: number; blocker: number };
  dataset_share: number;
  features: Record<string, FeatureRule>;
}

export type FeatureStatus = 'drifted' | 'stable' | 'inconclusive' | 'error';

/** A feature's line in the drift report: its verdict and every measure computed. */
export type FeatureDrift = Omit<Partial<FeatureMeasures>, 'name' | 'kind'> & {
  name: string;
  kind: FeatureKind | null;
  status: FeatureStatus;
  method: DriftMethod | null;
  value: number | null;
  threshold: number | null;
  drifted: boolean | null;
  /** PSI against its warning / blocker levels; null when the samples are too small for PSI to gate. */
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

export function chooseMethod(m: FeatureMeasures, referenceRows: number, rules: DriftRules): DriftMethod {
  const lowCardinality = m.kind === 'categorical' || m.distinct <= LOW_CARDINALITY;
  if (referenceRows <= rules.large_sample_rows) {
    if (!lowCardinality) return 'ks';
    return m.distinct <= 2 && m.z_p_value !== undefined ? 'z' : 'chi2';
  }
  return lowCardinality ? 'jensen_shannon' : 'wasserstein';
}

function valueOf(m: FeatureMeasures, method: DriftMethod): number | undefined {
  switch (method) {
    case 'ks':
      return m.ks_p_value;
    case 'chi2':
      return m.chi2_p_value;
    case 'z':
      return m.z_p_value;
    case 'wasserstein':
      return m.wasserstein_normed;
    case 'jensen_shannon':
      return m.jensen_shannon;
    case 'psi':
      return m.psi;
  }
}

/** Significant digits for messages, not float noise. */
export const fmt = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-4 ? x.toExponential(2) : String(Number(x.toPrecision(3))));

export function judgeFeature(m: FeatureMeasures, rules: DriftRules): FeatureDrift {
  const rule = rules.features[m.name] ?? {};
  const method = rule.method ?? chooseMethod(m, m.n_reference, rules);
  const threshold = rule.threshold ?? (method === 'psi' ? rules.psi.warning : IS_TEST[method] ? rules.p_value : rules.distance);
  const value = valueOf(m, method);
  // PSI's own sampling noise is about (bins − 1)·(1/n₁ + 1/n₂): 0.25 at 90 vs 60 rows. Its
  // levels only gate where that noise is small, on the same large samples where distances decide.
  const psiJudged = Math.min(m.n_reference, m.n_current) > rules.large_sample_rows;
  const psiLevel = !psiJudged ? null : m.psi >= rules.psi.blocker ? 'blocker' : m.psi >= rules.psi.warning ? 'warning' : 'ok';
  const base = { ...m, method, threshold, psi_level: psiLevel } as const;
  if (value === undefined) {
    return { ...base, status: 'error', value: null, drifted: null, message: `${METHOD_LABEL[method]} does not apply to a ${m.kind} feature with ${m.distinct} distinct values` };
  }
  // NaN compares false both ways, which would read as "stable": an undefined measure is an error.
  const undefinedMeasure = Number.isNaN(value) ? METHOD_LABEL[method] : Number.isNaN(m.psi) ? 'PSI' : null;
  if (undefinedMeasure) {
    return { ...base, psi_level: null, status: 'error', value: null, drifted: null, message: `${undefinedMeasure} is undefined on these values (NaN)` };
  }
  const sizes = `${m.n_reference.toLocaleString('en')} vs ${m.n_current.toLocaleString('en')} values`;
  if (Math.min(m.n_reference, m.n_current) < rules.min_rows) {
    return {
      ...base,
      status: 'inconclusive',
      value,
      drifted: null,
      message: `inconclusive: ${sizes}, fewer than ${rules.min_rows} on a side (${METHOD_LABEL[method]} ${fmt(value)})`,
    };
  }
  const drifted = IS_TEST[method] ? value <= threshold : value >= threshold;
  const comparison = IS_TEST[method] ? (drifted ? '≤' : '>') : drifted ? '≥' : '<';
  const missing = m.missing.reference + m.missing.current > 0 ? `; missing ${m.missing.reference.toLocaleString('en')} / ${m.missing.current.toLocaleString('en')}` : '';
  return {
    ...base,
    status: drifted ? 'drifted' : 'stable',
    value,
    drifted,
    message: `${drifted ? 'drifted' : 'stable'}: ${METHOD_LABEL[method]} ${fmt(value)} ${comparison} ${fmt(threshold)}; PSI ${fmt(m.psi)} (${sizes}${missing})`,
  };
}

export function featureError(name: string, message: string, kind: FeatureKind | null = null): FeatureDrift {
  return { name, kind, status: 'error', method: null, value: null, threshold: null, drifted: null, psi_level: null, message };
}

export function summarize(features: FeatureDrift[], rules: DriftRules): DriftSummary {
  const judged = features.filter((f) => f.status === 'drifted' || f.status === 'stable').length;
  const drifted = features.filter((f) => f.status === 'drifted').length;
  const share = judged === 0 ? null : drifted / judged;
  return { features, judged, drifted, drifted_share: share, dataset_drift: share === null ? null : share >= rules.dataset_share };
}
