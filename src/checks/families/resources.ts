/** The resources family: the model's memory and size against the limits, read after the latency loop when it ran (checks/resources.ts). */
import type { Family } from '../family.ts';
import { judgeResources, measureResources } from '../resources.ts';

export const resources: Family = {
  id: 'resources',
  // `model-gate load` reports the memory too, for information.
  modes: ['validate', 'load'],
  reads: ['latency_memory'],
  enabled: (ctx) => ctx.config.checks.resources.enabled,
  async run(ctx, got) {
    const memory = got.measured.latency_memory;
    return { checks: judgeResources(await measureResources(ctx, memory), ctx.config.checks.resources, memory !== undefined) };
  },
};
