/** What a check family receives. Families never print, read inputs or call GitHub. */
import type { Clock } from '../clock.ts';
import type { GateConfig } from '../config/types.ts';
import type { Dataset } from '../data/dataset.ts';
import type { DataDrift } from '../drift/run.ts';
import type { FeatureRows } from '../data/features.ts';
import type { ModelRunner } from '../runners/types.ts';
import type { Labels } from './evaluation.ts';

/** A slice column's cells, row-aligned with the evaluated rows; null when the data has no such column. */
export type SliceColumn = { values: Float64Array | null; text: string[] | null } | null;

export interface CheckContext {
  /** `validate`, or `load` (`model-gate load`: the smoke and load tests alone). */
  mode: 'validate' | 'load';
  config: GateConfig;
  runner: ModelRunner;
  rows: FeatureRows;
  /** Labels (and weights) of the same rows, when the evaluation data has them. */
  labels: Labels | null;
  /**
   * The baseline model, loaded, when one is given and loads; `rows` are its own feeds of the same
   * rows when its inputs differ from the candidate's (a pickle behind a command against an ONNX file).
   */
  baseline: { runner: ModelRunner; path: string; rows?: FeatureRows } | null;
  /**
   * Data for prediction drift: the reference, the current data when it is not the eval data
   * (null), and the data's drift as judged alone, to be judged again with the predictions'.
   */
  drift: { reference: Dataset; current: Dataset | null; data: DataDrift | null } | null;
  /** The columns `slices:` reads, row-aligned with `rows`, by name (null: not in the data). */
  sliceColumns?: ReadonlyMap<string, SliceColumn>;
  clock: Clock;
  /** Reports a phase that may take more than a moment. */
  progress: (message: string) => void;
}

/** What a counter line starts with: "label: done / total unit". The CLI redraws these in place on a terminal. */
export const COUNTER_LINE = /^[^\n]+: [\d,]+ \/ [\d,]+ \S+/;

const seconds = (ms: number) => (ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

/**
 * A (done, total) callback for a long pass over data (prediction, bootstrap, drift, load): reports
 * "label: done / total rows (pct), rate/s, about N s left" at most every `intervalMs`, and the
 * finished pass once, only when it was long enough to have reported before.
 */
export function throttledProgress(ctx: Pick<CheckContext, 'clock' | 'progress'>, label: string, intervalMs = 2000, unit = 'rows'): (done: number, total: number) => void {
  const start = ctx.clock.now();
  let last = start;
  let reported = false;
  let finished = false;
  const count = (n: number) => Math.round(n).toLocaleString('en');
  return (done, total) => {
    if (finished) return;
    const now = ctx.clock.now();
    const elapsed = now - start;
    if (done >= total) {
      finished = true;
      if (reported) ctx.progress(`${label}: ${count(total)} / ${count(total)} ${unit}, done in ${seconds(elapsed)}`);
      return;
    }
    if (now - last < intervalMs) return;
    last = now;
    reported = true;
    // Rate over the whole pass so far: steadier than the last interval's; no ETA before any progress.
    const rate = elapsed > 0 && done > 0 ? (done / elapsed) * 1000 : null;
    const eta = rate ? `, about ${seconds(((total - done) / rate) * 1000)} left` : '';
    const pct = total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
    ctx.progress(`${label}: ${count(done)} / ${count(total)} ${unit}${pct}${rate ? `, ${count(rate)} ${unit}/s` : ''}${eta}`);
  };
}
