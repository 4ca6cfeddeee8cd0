/** The slices family: every metric per slice, candidate against baseline, under the multiplicity control (checks/slices.ts). */
import type { Family } from '../family.ts';
import { runSlices, sliceSettings, type SliceReport } from '../slices.ts';

declare module '../family.ts' {
  interface Measurements {
    slices?: SliceReport;
  }
  interface ReportSections {
    /** Metrics per slice (`slices:` in the config), candidate against baseline; absent or null without slices. */
    slices?: SliceReport | null;
  }
}

export const slices: Family = {
  id: 'slices',
  modes: ['validate'],
  needs: ['evaluation'],
  // The baseline's predictions, from the comparison when it runs.
  reads: ['baseline_view'],
  produces: ['slices'],
  enabled: (ctx) => ctx.config.metrics.enabled && sliceSettings(ctx.config) !== null,
  async run(ctx, got) {
    const { checks, report } = runSlices(ctx, got.measured.evaluation ?? null, got.measured.baseline_view ?? null);
    return { checks, produced: report ? { slices: report } : {} };
  },
  report: (m) => (m.slices ? { slices: m.slices } : {}),
};
