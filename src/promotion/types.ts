/**
 * What the canary judge reads and returns: windows of metric data, per-metric results with their
 * test evidence, verdicts. Apart from the judge (judge.ts) so the evidence tests, the histogram
 * helpers, the providers and the reports can share them without importing the judge.
 */
import type { PromotionMetric } from '../config/types.ts';

export type CanaryVerdict = 'pass' | 'fail' | 'inconclusive' | 'error';

/** A cumulative histogram: bucket upper bounds (`le`, +Inf last) and counts up to each. */
export interface Histogram {
  le: number[];
  cumulative: number[];
}

export type MetricData =
  | { kind: 'error_rate'; errors: Pair<number | null>; requests: Pair<number | null> }
  | { kind: 'latency'; buckets: Pair<Histogram | null> }
  | { kind: 'latency'; samples: Pair<number[] | null> }
  | { kind: 'value'; value: Pair<number | null> };

export interface Pair<T> {
  canary: T;
  stable: T;
}

/** The sequential test behind a pooled metric's verdict: what it bounds, the bound, the evidence. */
export interface TestEvidence {
  /** The test, e.g. "mixture SPRT on canary − (1.1 × stable + 0.1%)". */
  test: string;
  /** The quantity bounded, in words ("canary error rate − (1.1 × stable + 0.1%)"). */
  quantity: string;
  /** How the quantity reads: a share (shown in %) or a log ratio (shown as ×). */
  unit: 'share' | 'log_ratio';
  estimate: number;
  /** The always-valid interval at `confidence`: the verdict fails when `lower` > 0. */
  lower: number;
  upper: number;
  confidence: number;
  /** Windows, and canary / stable counts (requests, or windows of samples) pooled. */
  pooled: { windows: number; canary: number; stable: number | null; of: 'requests' | 'windows'; stages?: string[] };
}

export interface MetricResult {
  name: string;
  kind: PromotionMetric['kind'];
  verdict: CanaryVerdict;
  /** A failure that rolls back at once. */
  critical: boolean;
  values: Record<string, number | null>;
  thresholds: string;
  reason: string;
  /** Pooled metrics: the test that decided (a failing one rolls back at once: it is the stage's one test). */
  evidence?: TestEvidence;
}

export interface Measurement {
  index: number;
  at: string;
  verdict: CanaryVerdict;
  metrics: MetricResult[];
}
