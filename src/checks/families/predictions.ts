/** Predictions over every evaluation row, made once for the families that judge them; no rows of its own. */
import { throttledProgress } from '../context.ts';
import type { Family } from '../family.ts';
import { PREDICTION_BATCH, predictAll, type Predictions } from '../predictions.ts';

declare module '../family.ts' {
  interface Measurements {
    predictions?: Predictions;
  }
}

export const predictions: Family = {
  id: 'predictions',
  modes: ['validate'],
  produces: ['predictions'],
  internal: true,
  enabled: () => false,
  async run(ctx) {
    ctx.progress(`predicting: ${ctx.rows.rows.toLocaleString('en')} rows`);
    return { checks: [], produced: { predictions: await predictAll(ctx.runner, ctx.rows, PREDICTION_BATCH, throttledProgress(ctx, 'predicting')) } };
  },
};
