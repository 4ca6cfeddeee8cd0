/**
 * The comparison family: the baseline on the same rows, its predictions read as the candidate's
 * are, agreement, the metric changes under the non-inferiority margins, and interleaved latency
 * (checks/compare.ts, checks/latency-ab.ts). It needs the candidate's evaluation, so the metrics
 * family runs for it even with `metrics.enabled: false`.
 */
import { agreementOf, compareMetrics, judgeAgreement, judgeComparison, signatureMismatch, type Agreement, type ComparisonReport, type MetricComparison } from '../compare.ts';
import type { McNemar } from '../../stats/mcnemar.ts';
import { throttledProgress, type CheckContext } from '../context.ts';
import { evaluationOf, readModelView, withPrimaryMetric, computeMetrics, EmbeddingOutputError, EvaluationError, type Labels, type MetricReport, type ModelView } from '../evaluation.ts';
import type { Family, FamilyOutcome, Inputs, Measurements } from '../family.ts';
import { compareLatency, judgeLatencyComparison, timeInterleaved, type LatencyComparison } from '../latency-ab.ts';
import { PREDICTION_BATCH, predictAll, type Predictions } from '../predictions.ts';
import { result, type CheckResult } from '../../core/check-result.ts';
import { getErrorMessage } from '../../errors.ts';

declare module '../family.ts' {
  interface Measurements {
    comparison?: ComparisonReport;
    agreement?: Agreement;
    latency_comparison?: LatencyComparison;
    /** The baseline's predictions on the eval rows, as read for comparison. */
    baseline_view?: ModelView | null;
    /** The baseline's metrics on the labelled rows. */
    baseline_metrics?: MetricReport;
  }
  interface ReportSections {
    /** The candidate against the baseline on the same rows; null without a baseline. */
    comparison: {
      confidence: number;
      resamples: number;
      seed: number;
      metrics: Record<string, Omit<MetricComparison, 'metric'>>;
      mcnemar: McNemar | null;
      agreement: Agreement | null;
    } | null;
    latency_comparison: LatencyComparison | null;
  }
}

export const comparison: Family = {
  id: 'comparison',
  modes: ['validate'],
  requires: ['baseline'],
  needs: ['predictions', 'evaluation'],
  produces: ['comparison', 'agreement', 'latency_comparison', 'baseline_view', 'baseline_metrics'],
  enabled: (ctx) => ctx.config.comparison.enabled,
  run: (ctx, got) => runComparison(ctx, got),
  report: (m, config) => ({
    comparison:
      m.comparison || m.agreement
        ? {
            confidence: config.comparison.confidence,
            resamples: config.comparison.resamples,
            seed: config.comparison.seed,
            metrics: Object.fromEntries((m.comparison?.metrics ?? []).map(({ metric, ...rest }) => [metric, rest])),
            mcnemar: m.comparison?.mcnemar ?? null,
            agreement: m.agreement ?? null,
          }
        : null,
    latency_comparison: m.latency_comparison ?? null,
  }),
};

async function runComparison(ctx: CheckContext, got: Inputs): Promise<FamilyOutcome> {
  const { measured } = got;
  const produced: Partial<Measurements> = {};
  const { runner: baseline, path, rows: ownRows } = ctx.baseline!;
  // With feeds of its own, the baseline's outputs are read for what they are (probabilities, labels), by kind.
  const mismatch = ownRows ? null : signatureMismatch(ctx.runner.signature, baseline.signature);
  const baseRows = ownRows ?? ctx.rows;
  const differs = ownRows ? ` (the baseline was fed the rows its own way, its signature differing from the candidate's: ${signatureMismatch(ctx.runner.signature, baseline.signature)})` : '';
  if (mismatch) {
    return {
      checks: [
        result({ id: 'comparison.signature', category: 'comparison', severity: 'blocker', status: 'fail', message: `the baseline ${path} cannot be compared on the same rows: ${mismatch}` }),
      ],
    };
  }
  const checks: CheckResult[] = [];
  const candidatePredictions = got.need('predictions');
  ctx.progress(`comparison: baseline on ${ctx.rows.rows.toLocaleString('en')} rows`);
  const basePredictions = await predictAll(baseline, baseRows, PREDICTION_BATCH, throttledProgress(ctx, 'comparison'));
  const view = measured.view ?? safeView(candidatePredictions, ctx);
  let baseView: ModelView | null = null;
  try {
    baseView = readModelView(basePredictions, ctx.config, ctx.labels);
  } catch (error) {
    // When the candidate's outputs cannot be read that way either (e.g. a `scores` output two
    // wide), there are no predictions to compare on either side: a skip with the cause, not a
    // blocker against the baseline for what the config says of both models.
    checks.push(
      view
        ? result({ id: 'comparison.outputs', category: 'comparison', severity: 'blocker', status: 'fail', message: `the baseline's outputs cannot be read as predictions: ${getErrorMessage(error)}${differs}` })
        : result({
            id: 'comparison.outputs',
            category: 'comparison',
            severity: 'info',
            status: 'skip',
            message:
              error instanceof EmbeddingOutputError
                ? `predictions not compared: ${error.message}`
                : `predictions not compared: neither model's outputs can be read as predictions (${getErrorMessage(error)}); if an output holds class probabilities, labels or logits, say so in model.outputs.<name>.kind to compare them`,
          }),
    );
  }
  produced.baseline_view = baseView;
  if (baseView && view) {
    const classCount = (v: ModelView) => (v.task === 'regression' ? 0 : v.classes.length);
    const guessed = baseView.task !== 'regression' && view.task !== 'regression' && baseView.guessed === true && !view.through && classCount(baseView) !== classCount(view);
    if (baseView.task !== view.task) {
      checks.push(result({ id: 'comparison.outputs', category: 'comparison', severity: 'blocker', status: 'fail', message: `the baseline is a ${baseView.task} model, the candidate a ${view.task} one${differs}` }));
    } else if (guessed) {
      // Plain scores taken for class logits only because nothing said otherwise, against a candidate
      // whose classes are known and differ in number: more likely not predictions at all.
      checks.push(
        result({
          id: 'comparison.outputs',
          category: 'comparison',
          severity: 'blocker',
          status: 'fail',
          message: `the baseline's outputs cannot be read as predictions: the ${classCount(baseView)} score columns of "${baseView.outputs}" would be class logits, but the candidate has ${classCount(view)} classes; say what they are in model.outputs.${baseView.outputs}.kind${differs}`,
        }),
      );
    } else {
      produced.agreement = agreementOf(view, baseView);
      checks.push(...judgeAgreement(produced.agreement, ctx.config));
      const candidate = measured.evaluation;
      if (candidate && ctx.labels) {
        try {
          const base = evaluationOf(baseView, ctx.labels);
          produced.baseline_metrics = computeMetrics(base, ctx.config.metrics.ece_bins);
          ctx.progress(`comparison: metric changes on ${ctx.rows.rows.toLocaleString('en')} rows`);
          // The labels are the candidate's: they choose the default primary metric for both models.
          const config = withPrimaryMetric(candidate, ctx.config);
          produced.comparison = compareMetrics(candidate, base, config, throttledProgress(ctx, 'comparison: bootstrap', 2000, 'resamples'));
          checks.push(...judgeComparison(produced.comparison, candidate.task, config));
        } catch (error) {
          const message = error instanceof EvaluationError ? `baseline: ${error.message}` : getErrorMessage(error);
          checks.push(result({ id: 'comparison.metrics', category: 'comparison', severity: 'blocker', status: 'error', message }));
        }
      } else if (ctx.labels) {
        // Labels the candidate's predictions cannot be evaluated on: fail closed, with the cause
        // (the metrics family's own rows are not listed when metrics.enabled is false).
        checks.push(result({ id: 'comparison.metrics', category: 'comparison', severity: 'blocker', status: 'error', message: `metric changes not compared: ${candidateProblem(view, ctx.labels)}` }));
      } else {
        checks.push(result({ id: 'comparison.metrics', category: 'comparison', severity: 'info', status: 'skip', message: 'metric changes not compared: no labelled evaluation data' }));
      }
    }
  }
  if (ctx.config.comparison.latency.enabled && ctx.runner.kind !== baseline.kind) {
    // An endpoint against an in-process file times the network and the server, not the model.
    checks.push(
      result({
        id: 'comparison.latency.p95_ratio',
        category: 'comparison',
        severity: 'info',
        status: 'skip',
        message: `latency not compared: the candidate runs as ${ctx.runner.kind} and the baseline as ${baseline.kind}, so the times are not alike`,
      }),
    );
  } else if (ctx.config.comparison.latency.enabled) {
    ctx.progress('comparison: latency, interleaved');
    const times = await timeInterleaved(ctx.runner, baseline, ctx.rows, ctx.config, ctx.clock, baseRows);
    produced.latency_comparison = compareLatency(times.candidate, times.baseline, ctx.config, times.stopped);
    checks.push(...judgeLatencyComparison(produced.latency_comparison, ctx.config));
  }
  return { checks, produced };
}

/** Why the candidate's predictions could not be evaluated on the labels (the metrics family said it first). */
function candidateProblem(view: ModelView, labels: Labels): string {
  try {
    evaluationOf(view, labels);
  } catch (error) {
    return `the candidate's predictions cannot be evaluated on the labels: ${getErrorMessage(error)}`;
  }
  return "the candidate's metrics could not be computed (see metrics.*)";
}

function safeView(p: Predictions, ctx: CheckContext): ModelView | null {
  try {
    return readModelView(p, ctx.config, ctx.labels);
  } catch {
    return null;
  }
}
