/** The outputs family: every prediction finite, probabilities that sum to one, labels among the classes (checks/outputs.ts). */
import type { Family } from '../family.ts';
import { judgeOutputs } from '../outputs.ts';

export const outputs: Family = {
  id: 'outputs',
  modes: ['validate'],
  needs: ['predictions'],
  enabled: (ctx) => ctx.config.checks.outputs.enabled,
  run: async (ctx, got) => ({ checks: judgeOutputs(got.need('predictions'), ctx.config) }),
};
