/**
 * The metrics family: the predictions read as a model view, evaluated on the labels, and held to
 * the configured bounds (checks/metrics.ts). The comparison and slices read its view and
 * evaluation, so it runs for them even when `metrics.enabled` is false (then without its rows).
 */
import type { Evaluation, MetricReport, ModelView } from '../evaluation.ts';
import type { Family } from '../family.ts';
import { judgeMetrics } from '../metrics.ts';

declare module '../family.ts' {
  interface Measurements {
    /** The candidate's predictions as the metrics read them; null when its outputs cannot be read so. */
    view?: ModelView | null;
    /** The view against the labels; null without labels or when they do not fit. */
    evaluation?: Evaluation | null;
    /** The candidate's metrics on the labelled rows. */
    metrics?: MetricReport | null;
  }
  interface ReportSections {
    /** Metrics on the labelled rows, by name (`metrics.candidate.accuracy`); null without labels. */
    metrics: { task: string; rows: number; candidate: MetricValues; baseline: MetricValues | null } | null;
  }
}

export type MetricValues = Record<string, unknown>;

const valuesOf = (r: MetricReport): MetricValues => ({
  ...r.values,
  ...(r.per_class ? { per_class: r.per_class, classes: r.classes, confusion_matrix: r.confusion_matrix } : {}),
  ...(r.reliability ? { reliability: r.reliability } : {}),
});

export const metrics: Family = {
  id: 'metrics',
  modes: ['validate'],
  needs: ['predictions'],
  produces: ['view', 'evaluation', 'metrics'],
  enabled: (ctx) => ctx.config.metrics.enabled,
  async run(ctx, got) {
    const outcome = judgeMetrics(got.need('predictions'), ctx.labels, ctx.config);
    return { checks: outcome.checks, produced: { view: outcome.view, evaluation: outcome.evaluation, metrics: outcome.report } };
  },
  report(m) {
    const candidate = m.metrics;
    if (!candidate) return { metrics: null };
    const baseline = m.baseline_metrics;
    return { metrics: { task: candidate.task, rows: candidate.rows, candidate: valuesOf(candidate), baseline: baseline ? valuesOf(baseline) : null } };
  },
};
