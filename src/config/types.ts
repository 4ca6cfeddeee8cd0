/** The config after validation and defaults (see schema/model-gate.schema.json). */
import type { Severity } from '../core/check-result.ts';
import type { Outcome } from '../core/probe-outcome.ts';
import type { CommandConfig } from '../runners/command.ts';
import type { DType } from '../runners/types.ts';
import type { Multiplicity } from '../stats/multiplicity.ts';
import type { EndpointConfig } from '../runners/http/protocols.ts';

/** Element types an input can be sent as: every tensor type but float16. */
export type InputDType = Exclude<DType, 'float16'>;

/** A constant fed to an input: a scalar (broadcast to the input's shape) or a nested array. */
export type InputValue = number | boolean | string | InputValue[];

export interface InputBindingConfig {
  columns?: string[];
  dtype?: InputDType;
  /** A constant fed to every call instead of data. */
  value?: InputValue;
  /** The input's dims without the batch axis, giving sizes to dynamic dims. */
  shape?: number[];
  /** Where the batch axis is; null: the input has none. */
  batch_axis?: number | null;
}

export interface OutputConfig {
  kind?: 'probabilities' | 'labels' | 'scores' | 'logits';
  range?: [number, number];
  classes?: (number | string)[];
}

export interface ScenarioConfig {
  enabled: boolean;
  expect: Outcome[];
  severity: Severity;
  /** oversized_batch: the most rows in the batch. */
  size?: number;
  /** oversized_batch: the most input the batch may carry, in MiB. */
  max_mb?: number;
  /** oversized_request: the body's size in MB. */
  size_mb?: number;
}

export const SCENARIOS = [
  'wrong_feature_count',
  'wrong_dtype',
  'nan_input',
  'inf_input',
  'empty_batch',
  'missing_input',
  'oversized_batch',
  'malformed_json',
  'wrong_content_type',
  'oversized_request',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Limits on the memory of the run (`checks.resources`); without a limit the figures are reported only. */
export interface ResourceLimits {
  enabled: boolean;
  /** Peak resident memory of the gate plus the model's process, in MiB. */
  max_rss_mb: number | null;
  /** Growth of the model's resident memory over the latency loop, in MiB (a leak shows here). */
  max_rss_growth_mb: number | null;
  severity: Severity;
}

export interface LatencyLimits {
  p50_ms?: number;
  p95_ms?: number;
  p99_ms?: number;
  max_ms?: number;
  min_rows_per_s?: number;
}

interface Family {
  enabled: boolean;
  severity: Severity;
}

/** The baseline given as `model` is: a file, an HTTP endpoint or a command (`path` then versions it). */
export interface BaselineConfig {
  path?: string;
  endpoint?: EndpointConfig;
  command?: CommandConfig;
}

export interface GateConfig {
  version: 1;
  model: {
    path?: string;
    sha256?: string;
    /** Deadline of one call to an ONNX model, in seconds. */
    timeout_seconds: number;
    inputs?: Record<string, InputBindingConfig>;
    outputs?: Record<string, OutputConfig>;
    endpoint?: EndpointConfig;
    command?: CommandConfig;
  };
  /** A file (path, http(s) URL or git:<ref>:<path>), or where it runs, as `model` says it. */
  baseline?: string | BaselineConfig | null;
  data: {
    eval?: string;
    label?: string;
    weight?: string;
    id?: string;
    reference?: string;
    generated_rows: number;
    seed: number;
    bad_rows: { policy: 'skip' | 'fail'; max_share: number; severity: Severity };
    /** Readers' bounds: the longest line (MiB) and the most columns a data file may have. */
    max_line_mb?: number;
    max_columns?: number;
  };
  fail_on: 'no-go' | 'delay';
  checks: {
    artifact: Family & { max_size_mb: number | null };
    smoke: Family & { batch_sizes: number[]; rtol: number; atol: number };
    outputs: Family & { probability_tolerance: number };
    latency: Family & {
      warmup: number;
      iterations: number;
      /** Level of the percentiles' intervals; more calls (up to max_iterations, within time_budget_s) while a limit lies inside. */
      confidence: number;
      max_iterations: number;
      time_budget_s: number;
      batch_sizes: number[];
      limits: Record<string, LatencyLimits>;
    };
    /** `time_budget_s`: the whole suite's time; what it could not run within it fails as a warning. */
    errors: { enabled: boolean; time_budget_s: number } & Record<ScenarioName, ScenarioConfig>;
    resources: ResourceLimits;
  };
  metrics: {
    enabled: boolean;
    task: 'auto' | Task;
    output?: string;
    label_output?: string;
    classes?: (number | string)[];
    primary?: MetricName;
    ece_bins: number;
    severity: Severity;
    thresholds: Partial<Record<MetricName, MetricThreshold>>;
  };
  comparison: {
    enabled: boolean;
    /** Two-sided confidence of the intervals; every decision is one-sided at (1 − confidence)/2. */
    confidence: number;
    /** Level of the two-sided tests beside the intervals (McNemar, latency Mann–Whitney); metric-change decisions use (1 − confidence)/2. */
    alpha: number;
    resamples: number;
    seed: number;
    severity: Severity;
    /** Default regression margin of share-type metrics (accuracy, F1, AUC, R², …), absolute. */
    max_regression: number;
    /** Default regression margin of error metrics (log loss, Brier, RMSE, MAE, …), share of |baseline|. */
    max_regression_relative: number;
    /** Power at which the minimum detectable effect is stated. */
    power: number;
    agreement: { max_flip_share: number | null; max_score_psi: number | null; severity: Severity };
    latency: {
      enabled: boolean;
      batch_size: number;
      warmup: number;
      iterations: number;
      /** More interleaved pairs (up to this, within time_budget_s) while a ratio limit lies inside the interval. */
      max_iterations: number;
      time_budget_s: number;
      warning_ratio: number;
      blocker_ratio: number;
      /** Slowdowns of p95 below this (ms) never warn or block: each ratio limit is at least 1 + this / baseline p95. */
      min_slowdown_ms: number;
    };
  };
  /** Per-slice metrics and comparisons; absent when no slices are configured. */
  slices?: SliceSpec[] | SlicesConfig;
  drift: DriftRules & {
    enabled: boolean;
    current?: string;
    columns?: string[];
    /** Above this many columns (without drift.columns), per-column drift is not measured. */
    max_features: number;
    severity: Severity;
    dataset_severity: Severity;
    predictions: { enabled: boolean; severity: Severity; baseline_severity: Severity };
    labels: { enabled: boolean; severity: Severity };
  };
  load: LoadConfig;
  promotion: PromotionConfig;
  monitor: MonitorConfig;
}

export interface SliceSpec {
  column: string;
  /** Ascending bin edges for a numeric column; without them each distinct value is a slice. */
  bins?: number[];
  min_rows?: number;
}

/** The object form of `slices:`; the list form is `by` alone (defaults in checks/slices.ts). */
export interface SlicesConfig {
  by: SliceSpec[];
  min_rows?: number;
  multiplicity?: Multiplicity;
  max_slices?: number;
  severity?: Severity;
}

export interface MetricQuery {
  canary: string;
  stable: string;
}

export interface PromotionMetric {
  name: string;
  kind: 'error_rate' | 'latency' | 'value';
  errors?: MetricQuery;
  requests?: MetricQuery;
  buckets?: MetricQuery;
  samples?: MetricQuery;
  step_seconds: number;
  value?: MetricQuery;
  max?: number;
  critical_max?: number;
  min?: number;
  max_relative?: { factor?: number; plus: number };
  warning_ratio?: number;
  critical_ratio?: number;
  /** latency (buckets): the share of requests slower than `le` against stable's (× factor + plus). */
  tail?: { le?: number; factor: number; plus: number };
  /** When set, each of the metric's sequential tests runs at α = 1 − confidence per stage. */
  confidence?: number;
  critical: boolean;
}

export interface PromotionConfig {
  stages: number[];
  shadow: boolean;
  bake_minutes: number;
  interval_seconds: number;
  traffic: { command?: string; rollback?: string; promote?: string; shadow?: string; timeout_seconds: number; retry_seconds: number };
  provider: 'prometheus' | 'json';
  prometheus?: { url: string; bearer_token?: string; username?: string; password?: string; timeout_seconds: number };
  json?: { source: string };
  min_requests: number;
  metrics: PromotionMetric[];
  /** The rollback drill (src/promotion/drill.ts); window and timeout default from interval_seconds. */
  drill: { require: boolean; metric?: string; window_seconds?: number; timeout_seconds?: number };
  analysis: {
    failure_limit: number;
    consecutive_failure_limit: number;
    inconclusive_limit: number;
    consecutive_error_limit: number;
    min_success_rate: number;
    success_window: number;
    on_inconclusive: 'hold' | 'rollback';
    hold_minutes: number;
    false_rollback_budget: number;
  };
}

export interface LoadConfig {
  enabled: boolean;
  concurrency: number[];
  rate: number | null;
  duration_s: number;
  warmup_s: number;
  batch_size: number;
  max_in_flight: number;
  slo: { p95_ms: number | null; p99_ms: number | null; min_rps: number | null; max_error_rate: number | null };
  severity: { latency: Severity; throughput: Severity; errors: Severity };
}

export type Task = 'binary' | 'multiclass' | 'regression';

export const CLASSIFICATION_METRICS = [
  'accuracy',
  'balanced_accuracy',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_micro',
  'recall_micro',
  'f1_micro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'roc_auc',
  'log_loss',
  'brier',
  'ece',
] as const;
export const REGRESSION_METRICS = ['rmse', 'mae', 'r2', 'mape', 'max_error'] as const;
export type MetricName = (typeof CLASSIFICATION_METRICS)[number] | (typeof REGRESSION_METRICS)[number];

export interface MetricThreshold {
  min?: number;
  max?: number;
  direction?: 'higher' | 'lower';
  max_regression?: number;
  max_regression_relative?: number;
  min_improvement?: number;
  min_improvement_relative?: number;
  suspicious_improvement?: number;
  suspicious_improvement_relative?: number;
  severity?: Severity;
}

/** A data set's origin in the monitor section: a path, a URL, or a command printing the data. */
export type MonitorSource =
  | string
  | { path?: string; url?: string; command?: string; format?: 'csv' | 'jsonl' | 'parquet'; timeout_seconds?: number; max_mb?: number };

export interface MonitorConfig {
  id?: string;
  environment: string;
  version?: string;
  window?: MonitorSource;
  reference?: MonitorSource;
  labels?: MonitorSource;
  id_column?: string;
  label?: string;
  score?: string;
  /** Multiclass: class (as in the label column) -> the column with the model's probability of it. */
  scores?: Record<string, string>;
  prediction?: string;
  threshold: number;
  positive: number | string | boolean;
  min_rows: number;
  performance: { enabled: boolean; metrics: ('accuracy' | 'precision' | 'recall' | 'f1' | 'roc_auc')[]; severity: Severity };
  drift: { enabled: boolean };
  operational: { enabled: boolean; window_minutes: number };
  issue: { enabled: boolean; labels: string[]; history: number };
  alerts: { for: string; window: string };
}

/** The drift measures a feature rule can name (`drift.features.<name>.method`). */
export const DRIFT_METHODS = ['ks', 'chi2', 'z', 'wasserstein', 'jensen_shannon', 'psi'] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

export type FeatureKind = 'numeric' | 'categorical';

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
  /** Effective sizes n₁n₂/(n₁+n₂) above this are judged by distances (beyond noise) rather than tests alone. */
  large_sample_rows: number;
  /** The family's significance level: a feature's noise test must reject at adjusted p ≤ this. */
  p_value: number;
  distance: number;
  psi: { bins: number; floor: number; warning: number; blocker: number };
  dataset_share: number;
  /** How the p-values of one run's drift items are adjusted: Holm (family-wise), Benjamini–Hochberg (false discoveries), or none. */
  multiplicity: Multiplicity;
  features: Record<string, FeatureRule>;
}
