/** The load family: the configured load runs against the model, judged against the SLO (load/load-test.ts). */
import type { LoadReport } from '../../load/judge.ts';
import { runLoadTest } from '../../load/load-test.ts';
import type { Family } from '../family.ts';

declare module '../family.ts' {
  interface Measurements {
    load?: LoadReport;
  }
  interface ReportSections {
    /** The load test: every run's figures, and the endpoint's health; null when it did not run. */
    load: LoadReport | null;
  }
}

export const load: Family = {
  id: 'load',
  modes: ['validate', 'load'],
  produces: ['load'],
  enabled: (ctx) => ctx.mode === 'load' || ctx.config.load.enabled,
  async run(ctx) {
    const { checks, report } = await runLoadTest(ctx);
    return { checks, produced: { load: report } };
  },
  report: (m) => ({ load: m.load ?? null }),
};
