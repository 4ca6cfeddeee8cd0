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
