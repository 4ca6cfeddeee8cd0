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

/** Runs `work`, failing after `ms` so that no wait on a model can hang the gate. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Per-call ceiling for a single inference. */
export const INFERENCE_TIMEOUT_MS = 60_000;
