/** The config after validation and defaults (see schema/model-gate.schema.json). */
import type { Severity } from '../checks/types.ts';

export type Outcome = 'rejected' | 'non_finite' | 'finite' | 'empty';
export type InputDType = 'float32' | 'float64' | 'int32' | 'int64';

export interface InputBindingConfig {
  columns?: string[];
  dtype?: InputDType;
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
}

export const SCENARIOS = [
  'wrong_feature_count',
  'wrong_dtype',
  'nan_input',
  'inf_input',
  'empty_batch',
  'missing_input',
  'oversized_batch',
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
    inputs?: Record<string, InputBindingConfig>;
    outputs?: Record<string, OutputConfig>;
  };
  baseline?: string | null;
  data: { eval?: string; label?: string; reference?: string; generated_rows: number; seed: number };
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
  promotion: { stages: number[]; bake_minutes: number };
}
