/**
 * What measure.ts computes for one feature, and the prepared sides a drift measure's descriptor
 * (methods.ts) computes its own value from. Types only, shared by the measuring and the judging.
 */
import type { FeatureKind } from '../config/types.ts';
import type { SharedHistogram } from '../stats/histogram.ts';

/** One side of a feature: numbers (NaN = missing) or category labels (null = missing). */
export type FeatureSample = { kind: 'numeric'; values: ArrayLike<number> } | { kind: 'categorical'; values: readonly (string | null)[] };

export interface FeatureMeasures {
  name: string;
  kind: FeatureKind;
  /** Values present (not missing) on each side. */
  n_reference: number;
  n_current: number;
  missing: { reference: number; current: number };
  /** Distinct present values over both sides. */
  distinct: number;
  ks_statistic?: number;
  ks_p_value?: number;
  ks_method?: 'exact' | 'asymptotic';
  wasserstein?: number;
  wasserstein_normed?: number;
  psi: number;
  jensen_shannon: number;
  /**
   * PSI's and Jensen–Shannon's own sampling noise: chi-squared on the counts in the bins they are
   * computed over (the reference-quantile bins of a numeric feature, the categories otherwise),
   * and how many bins hold values. Under no drift, n_eff·PSI and 8·n_eff·JS² are both close to
   * χ² with bins − 1 degrees of freedom.
   */
  binned_p_value: number;
  bins: number;
  chi2_statistic?: number;
  chi2_p_value?: number;
  chi2_dof?: number;
  /** Two categories only: current share minus reference share of the second category, as z. */
  z_statistic?: number;
  z_p_value?: number;
  /** Categories (or low-cardinality values) with their counts, reference then current. */
  categories?: { value: string; reference: number; current: number }[];
  /** Numeric features with more distinct values: both sides on the same equal-width bins (the report keeps a few). */
  histogram?: SharedHistogram;
}

/**
 * A feature's present values, prepared once for every measure: numbers sorted ascending (missing
 * ones left out), or category counts in the order of `categories` (sorted).
 */
export type FeatureSides =
  | { kind: 'numeric'; reference: Float64Array; current: Float64Array }
  | { kind: 'categorical'; categories: readonly string[]; reference: readonly number[]; current: readonly number[] };
