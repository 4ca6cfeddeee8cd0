/** What a check family receives. Families never print, read inputs or call GitHub. */
import type { Clock } from '../clock.ts';
import type { GateConfig } from '../config/types.ts';
import type { Dataset } from '../data/dataset.ts';
import type { FeatureRows } from '../data/features.ts';
import type { ModelRunner } from '../runners/types.ts';
import type { Labels } from './evaluation.ts';

export interface CheckContext {
  config: GateConfig;
  runner: ModelRunner;
  rows: FeatureRows;
  /** Labels (and weights) of the same rows, when the evaluation data has them. */
  labels: Labels | null;
  /** The baseline model, loaded, when one is given and loads. */
  baseline: { runner: ModelRunner; path: string } | null;
  /** Data for prediction drift: the reference, and the current data when it is not the eval data (null). */
  drift: { reference: Dataset; current: Dataset | null } | null;
  clock: Clock;
  /** Reports a phase that may take more than a moment. */
  progress: (message: string) => void;
}

/** A (done, total) callback that reports at most every `intervalMs`, for long passes over data. */
export function throttledProgress(ctx: CheckContext, label: string, intervalMs = 2000): (done: number, total: number) => void {
  let last = ctx.clock.now();
  return (done, total) => {
    const now = ctx.clock.now();
    if (now - last < intervalMs || done >= total) return;
    last = now;
    ctx.progress(`${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} rows`);
  };
}
