/** What a check family receives. Families never print, read inputs or call GitHub. */
import type { Clock } from '../clock.ts';
import type { GateConfig } from '../config/types.ts';
import type { FeatureRows } from '../data/features.ts';
import type { ModelRunner } from '../runners/types.ts';

export interface CheckContext {
  config: GateConfig;
  runner: ModelRunner;
  rows: FeatureRows;
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
