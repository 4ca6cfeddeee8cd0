/**
 * The drift measures a feature can be judged by, one descriptor each, and the noise tests behind
 * them. judge.ts and checks.ts know a measure only through this list: its label, whether it is a
 * test (decides by p ≤ threshold) or a distance (by value ≥ threshold, and only beyond noise),
 * how it is computed (by measure.ts's shared pass, or by its own `measure`) and read, which test gives its
 * sampling noise, and its threshold when the feature's rule sets none. The list's keys are the
 * schema's `drift.features.<name>.method` enum (the compiler holds them equal).
 */
import type { DriftMethod, DriftRules } from '../config/types.ts';
import { populationStd } from '../stats/wasserstein.ts';
import type { FeatureMeasures, FeatureSides } from './feature-measures.ts';

/** The test whose null gives a measure's sampling noise. */
export type NoiseTest = 'ks' | 'chi2' | 'z' | 'binned_chi2';

export interface NoiseTestDescriptor {
  label: string;
  /** Its p-value on a feature, or undefined when it does not apply (z: only two categories). */
  p(m: FeatureMeasures): number | undefined;
}

export const NOISE_TESTS: Record<NoiseTest, NoiseTestDescriptor> = {
  ks: { label: 'KS', p: (m) => m.ks_p_value },
  chi2: { label: 'chi²', p: (m) => m.chi2_p_value },
  z: { label: 'z-test', p: (m) => m.z_p_value },
  binned_chi2: { label: 'binned chi²', p: (m) => m.binned_p_value },
};

export interface DriftMeasure {
  /** How reports name its value. */
  label: string;
  /** Tests decide by p ≤ threshold; distances by value ≥ threshold, and only when beyond noise. */
  isTest: boolean;
  /**
   * Computes its value for measure.ts, when the shared pass does not (a new measure: from the
   * prepared sides, calling its stats/ file; `shared` holds what the pass computed). The fields
   * it returns are the feature's in report.json.
   */
  measure?(sides: FeatureSides, shared: FeatureMeasures): Partial<FeatureMeasures>;
  /** Its value on a feature, or undefined when it does not apply to this feature. */
  value(m: FeatureMeasures): number | undefined;
  /** The test that says whether the value is beyond sampling noise (a test is its own). */
  noise: NoiseTest;
  /** Its threshold when the feature's rule names none. */
  defaultThreshold(rules: DriftRules): number;
}

const pValue = (rules: DriftRules) => rules.p_value;
const distance = (rules: DriftRules) => rules.distance;

/**
 * Wasserstein has no closed-form null; KS tests the same hypothesis on the same ECDFs. PSI and
 * Jensen–Shannon are functions of bin counts, whose null is the chi-squared test on those counts.
 */
export const DRIFT_MEASURES = {
  ks: { label: 'KS p', isTest: true, value: (m) => m.ks_p_value, noise: 'ks', defaultThreshold: pValue },
  chi2: { label: 'chi² p', isTest: true, value: (m) => m.chi2_p_value, noise: 'chi2', defaultThreshold: pValue },
  z: { label: 'z-test p', isTest: true, value: (m) => m.z_p_value, noise: 'z', defaultThreshold: pValue },
  wasserstein: {
    label: 'normed Wasserstein',
    isTest: false,
    // Normed like Evidently: the distance in units of the reference's spread, floored at 0.001.
    measure: (sides, shared) => (sides.kind === 'numeric' && shared.wasserstein !== undefined ? { wasserstein_normed: shared.wasserstein / Math.max(populationStd(sides.reference), 0.001) } : {}),
    value: (m) => m.wasserstein_normed,
    noise: 'ks',
    defaultThreshold: distance,
  },
  jensen_shannon: { label: 'Jensen–Shannon', isTest: false, value: (m) => m.jensen_shannon, noise: 'binned_chi2', defaultThreshold: distance },
  psi: { label: 'PSI', isTest: false, value: (m) => m.psi, noise: 'binned_chi2', defaultThreshold: (rules) => rules.psi.warning },
} satisfies Record<DriftMethod, DriftMeasure>;
