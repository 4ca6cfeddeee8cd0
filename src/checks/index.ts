/**
 * The check families that run on a loaded model, in order. A new family is one file under
 * checks/ and one line here.
 */
import { throttledProgress, type CheckContext } from './context.ts';
import { runErrorScenarios, type ScenarioOutcome } from './error-scenarios.ts';
import { runLatency, type LatencyStats } from './latency.ts';
import { judgeOutputs } from './outputs.ts';
import { PREDICTION_BATCH, predictAll, type Predictions } from './predictions.ts';
import { runSmoke } from './smoke.ts';
import type { CheckResult } from './types.ts';

/** What families measured besides their checklist items; later families may read earlier ones. */
export interface Measurements {
  predictions?: Predictions;
  latency?: LatencyStats[];
  error_scenarios?: ScenarioOutcome[];
}

export interface CheckFamily {
  name: string;
  enabled(ctx: CheckContext): boolean;
  run(ctx: CheckContext, measured: Measurements): Promise<CheckResult[]>;
}

export const FAMILIES: readonly CheckFamily[] = [
  { name: 'smoke', enabled: (c) => c.config.checks.smoke.enabled, run: (c) => runSmoke(c) },
  {
    name: 'outputs',
    enabled: (c) => c.config.checks.outputs.enabled,
    run: async (ctx, measured) => {
      ctx.progress(`outputs: ${ctx.rows.rows.toLocaleString('en')} rows`);
      measured.predictions = await predictAll(ctx.runner, ctx.rows, PREDICTION_BATCH, throttledProgress(ctx, 'outputs'));
      return judgeOutputs(measured.predictions, ctx.config);
    },
  },
  {
    name: 'latency',
    enabled: (c) => c.config.checks.latency.enabled,
    run: async (ctx, measured) => {
      const { checks, stats } = await runLatency(ctx);
      measured.latency = stats;
      return checks;
    },
  },
  {
    name: 'errors',
    enabled: (c) => c.config.checks.errors.enabled,
    run: async (ctx, measured) => {
      const { checks, outcomes } = await runErrorScenarios(ctx);
      measured.error_scenarios = outcomes;
      return checks;
    },
  },
];
