/** The smoke family: one row and batches answer, with outputs of the declared shapes (checks/smoke.ts). */
import type { Family } from '../family.ts';
import { runSmoke } from '../smoke.ts';

export const smoke: Family = {
  id: 'smoke',
  modes: ['validate', 'load'],
  enabled: (ctx) => ctx.config.checks.smoke.enabled,
  run: async (ctx) => ({ checks: await runSmoke(ctx) }),
};
