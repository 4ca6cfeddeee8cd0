/**
 * The prediction drift family: the candidate's predictions on the reference rows against those on
 * the current rows, and the baseline's against the candidate's (checks/drift.ts). The data's own
 * drift is measured before the model runs; this family judges it again with the predictions'.
 */
import type { DataDrift } from '../../drift/run.ts';
import { runPredictionDrift, type PredictionDrift } from '../drift.ts';
import type { Family } from '../family.ts';

declare module '../family.ts' {
  interface Measurements {
    prediction_drift?: PredictionDrift;
    /** The data's drift judged again in one multiplicity family with the predictions' (validate lists its rows). */
    data_drift?: DataDrift;
  }
}

export const drift: Family = {
  id: 'drift',
  modes: ['validate'],
  requires: ['drift_data'],
  needs: ['predictions'],
  reads: ['baseline_view'],
  produces: ['prediction_drift', 'data_drift'],
  enabled: (ctx) => ctx.config.drift.enabled && ctx.config.drift.predictions.enabled,
  async run(ctx, got) {
    const { checks, drift, data } = await runPredictionDrift(ctx, got.need('predictions'), got.measured.baseline_view ?? null);
    return { checks, produced: { prediction_drift: drift, ...(data ? { data_drift: data } : {}) } };
  },
};
