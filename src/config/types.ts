/**
 * The config after validation and defaults, under the names the tree imports. The shapes are
 * generated from schema/model-gate.schema.json into ./schema-types.ts (scripts/generate-config-types.mjs);
 * this file only names parts of them and keeps the value lists the code iterates.
 * test/unit/config-types.test.ts checks that both are fresh and agree with the schema.
 */
import schema from '../../schema/model-gate.schema.json' with { type: 'json' };
import type { DriftConfig, FeatureRule, InputBindingConfig, MetricsConfig } from './schema-types.ts';

export type {
  BaselineConfig,
  GateConfig,
  InputBindingConfig,
  InputValue,
  LatencyLimits,
  LoadConfig,
  MetricQuery,
  MetricThreshold,
  MonitorConfig,
  MonitorSource,
  OutputConfig,
  PromotionConfig,
  PromotionMetric,
  ResourceLimits,
  ScenarioConfig,
  SliceSpec,
  SlicesConfig,
  FeatureRule,
} from './schema-types.ts';

/** Element types an input can be sent as: every tensor type but float16. */
export type InputDType = NonNullable<InputBindingConfig['dtype']>;

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

export type Task = Exclude<MetricsConfig['task'], 'auto'>;

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

/** The drift measures a feature rule can name (`drift.features.<name>.method`), in the schema's order. */
export type DriftMethod = NonNullable<FeatureRule['method']>;
export const DRIFT_METHODS: readonly DriftMethod[] = schema.properties.drift.properties.features.additionalProperties.properties.method.enum as DriftMethod[];

export type FeatureKind = NonNullable<FeatureRule['kind']>;

/** The drift section's rules for judging a feature (the rest of the section says what to measure). */
export type DriftRules = Pick<
  DriftConfig,
  'min_rows' | 'large_sample_rows' | 'p_value' | 'distance' | 'psi' | 'dataset_share' | 'multiplicity' | 'features'
>;
