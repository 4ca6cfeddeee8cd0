/** The latency family: timed calls per batch size against the limits, with the model process's memory around them (checks/latency.ts). */
import type { ModelMemory } from '../../runners/types.ts';
import type { Family } from '../family.ts';
import { runLatency, type LatencyStats } from '../latency.ts';
import { modelMemory } from '../resources.ts';

declare module '../family.ts' {
  interface Measurements {
    latency?: LatencyStats[];
    /** The model process's memory around the latency loop. */
    latency_memory?: { before: ModelMemory | null; after: ModelMemory | null };
  }
  interface ReportSections {
    latency: LatencyStats[];
  }
}

export const latency: Family = {
  id: 'latency',
  modes: ['validate'],
  produces: ['latency', 'latency_memory'],
  enabled: (ctx) => ctx.config.checks.latency.enabled,
  async run(ctx) {
    const before = await modelMemory(ctx.runner);
    const { checks, stats } = await runLatency(ctx);
    return { checks, produced: { latency: stats, latency_memory: { before, after: await modelMemory(ctx.runner) } } };
  },
  report: (m) => ({ latency: m.latency ?? [] }),
};
