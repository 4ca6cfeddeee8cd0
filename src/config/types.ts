/** The config after validation and defaults (see schema/model-gate.schema.json). */
import type { Severity } from '../checks/types.ts';
import type { DriftRules } from '../drift/judge.ts';
import type { CommandConfig } from '../runners/command.ts';
import type { DType } from '../runners/types.ts';
import type { EndpointConfig } from '../runners/http/protocols.ts';

/** What a model did with a bad request; the last three only over HTTP (status 2xx, 5xx, 4xx without a body). */
export type Outcome = 'rejected' | 'non_finite' | 'finite' | 'empty' | 'accepted' | 'server_error' | 'no_error_body';
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
  kind?: 'probabilities' | 'labels' | 'scores';
  range?: [number, number];
  classes?: (number | string)[];
}

export interface ScenarioConfig {
  enabled: boolean;
  expect: Outcome[];
  severity: Severity;
  size?: number;
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
  baseline?: string | null;
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
      batch_sizes: number[];
      limits: Record<string, LatencyLimits>;
    };
    errors: { enabled: boolean } & Record<ScenarioName, ScenarioConfig>;
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
    confidence: number;
    alpha: number;
    resamples: number;
    seed: number;
    severity: Severity;
    agreement: { max_flip_share: number | null; max_score_psi: number | null; severity: Severity };
    latency: {
      enabled: boolean;
      batch_size: number;
      warmup: number;
      iterations: number;
      warning_ratio: number;
      blocker_ratio: number;
    };
  };
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
  confidence: number;
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
  analysis: {
    failure_limit: number;
    consecutive_failure_limit: number;
    inconclusive_limit: number;
    consecutive_error_limit: number;
    min_success_rate: number;
    success_window: number;
    on_inconclusive: 'hold' | 'rollback';
    hold_minutes: number;
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
