/**
 * The check families that run on a loaded model, in order. A new family is one file under
 * checks/ and one line here.
 */
import { agreementOf, compareMetrics, judgeAgreement, judgeComparison, signatureMismatch, type Agreement, type ComparisonReport } from './compare.ts';
import { throttledProgress, type CheckContext } from './context.ts';
import { runPredictionDrift, type PredictionDrift } from './drift.ts';
import { runErrorScenarios, type ScenarioOutcome } from './error-scenarios.ts';
import { evaluationOf, readModelView, computeMetrics, EvaluationError, type MetricReport, type ModelView } from './evaluation.ts';
import { compareLatency, judgeLatencyComparison, timeInterleaved, type LatencyComparison } from './latency-ab.ts';
import { runLatency, type LatencyStats } from './latency.ts';
import { judgeMetrics } from './metrics.ts';
import { judgeOutputs } from './outputs.ts';
import { PREDICTION_BATCH, predictAll, type Predictions } from './predictions.ts';
import { judgeResources, measureResources, modelMemory } from './resources.ts';
import { runSlices, sliceSettings, type SliceReport } from './slices.ts';
import { runSmoke } from './smoke.ts';
import { errored, result, skipped, type CheckResult } from '../core/check-result.ts';
import { getErrorMessage } from '../errors.ts';
import type { LoadReport } from '../load/judge.ts';
import type { ModelMemory } from '../runners/types.ts';
import { runLoadTest } from '../load/load-test.ts';

/** What families measured besides their checklist items; later families may read earlier ones. */
export interface Measurements {
  predictions?: Predictions;
  latency?: LatencyStats[];
  error_scenarios?: ScenarioOutcome[];
  view?: ModelView | null;
  metrics?: { candidate: MetricReport | null; baseline: MetricReport | null };
  comparison?: ComparisonReport;
  agreement?: Agreement;
  latency_comparison?: LatencyComparison;
  evaluation?: ReturnType<typeof evaluationOf> | null;
  /** The baseline's predictions on the eval rows, as read for comparison. */
  baseline_view?: ModelView | null;
  prediction_drift?: PredictionDrift;
  load?: LoadReport;
  /** The model process's memory around the latency loop. */
  latency_memory?: { before: ModelMemory | null; after: ModelMemory | null };
  slices?: SliceReport;
}

export interface CheckFamily {
  name: string;
  enabled(ctx: CheckContext): boolean;
  run(ctx: CheckContext, measured: Measurements): Promise<CheckResult[]>;
}

/**
 * Runs every enabled family in order, each after the ones whose measurements it reads; a family
 * that throws is one errored blocker (`<family>.run`), and the others still run.
 */
export async function runFamilies(ctx: CheckContext, measured: Measurements): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  for (const family of FAMILIES) {
    if (!family.enabled(ctx)) continue;
    try {
      for (const c of await family.run(ctx, measured)) checks.push(c);
    } catch (error) {
      checks.push(errored(`${family.name}.run`, family.name, 'blocker', `${family.name} checks could not run: ${getErrorMessage(error)}`));
    }
  }
  return checks;
}

/** Every family skipped: the model did not load, so none could run. */
export const familiesNotRun = (): CheckResult[] => FAMILIES.map((family) => skipped(`${family.name}.run`, family.name, 'info', 'not run: the model did not load'));

/** Predictions over every row, made once and shared by the families that judge them. */
async function predictions(ctx: CheckContext, measured: Measurements): Promise<Predictions> {
  if (!measured.predictions) {
    ctx.progress(`predicting: ${ctx.rows.rows.toLocaleString('en')} rows`);
    measured.predictions = await predictAll(ctx.runner, ctx.rows, PREDICTION_BATCH, throttledProgress(ctx, 'predicting'));
  }
  return measured.predictions;
}

export const FAMILIES: readonly CheckFamily[] = [
  { name: 'smoke', enabled: (c) => c.config.checks.smoke.enabled, run: (c) => runSmoke(c) },
  {
    name: 'outputs',
    enabled: (c) => c.config.checks.outputs.enabled,
    run: async (ctx, measured) => judgeOutputs(await predictions(ctx, measured), ctx.config),
  },
  {
    name: 'metrics',
    enabled: (c) => c.config.metrics.enabled,
    run: async (ctx, measured) => {
      const outcome = judgeMetrics(await predictions(ctx, measured), ctx.labels, ctx.config);
      measured.view = outcome.view;
      measured.evaluation = outcome.evaluation;
      measured.metrics = { candidate: outcome.report, baseline: null };
      return outcome.checks;
    },
  },
  {
    name: 'comparison',
    enabled: (c) => c.config.comparison.enabled && c.baseline !== null,
    run: (ctx, measured) => runComparison(ctx, measured),
  },
  {
    // After the comparison, whose baseline predictions it reads per slice.
    name: 'slices',
    enabled: (c) => c.config.metrics.enabled && sliceSettings(c.config) !== null,
    run: async (ctx, measured) => {
      const { checks, report } = runSlices(ctx, measured.evaluation ?? null, measured.baseline_view ?? null);
      if (report) measured.slices = report;
      return checks;
    },
  },
  {
    name: 'drift',
    enabled: (c) => c.config.drift.enabled && c.config.drift.predictions.enabled && c.drift !== null,
    run: async (ctx, measured) => {
      const { checks, drift } = await runPredictionDrift(ctx, await predictions(ctx, measured), measured.baseline_view ?? null);
      measured.prediction_drift = drift;
      return checks;
    },
  },
  {
    name: 'latency',
    enabled: (c) => c.config.checks.latency.enabled,
    run: async (ctx, measured) => {
      const before = await modelMemory(ctx.runner);
      const { checks, stats } = await runLatency(ctx);
      measured.latency = stats;
      measured.latency_memory = { before, after: await modelMemory(ctx.runner) };
      return checks;
    },
  },
  {
    name: 'errors',
    enabled: (c) => c.config.checks.errors.enabled,
    run: async (ctx, measured) => {
      const { checks, outcomes } = await runErrorScenarios(ctx);
      measured.error_scenarios = outcomes;
      return checks;
    },
  },
  {
    name: 'load',
    enabled: (c) => c.config.load.enabled,
    run: async (ctx, measured) => {
      const { checks, report } = await runLoadTest(ctx);
      measured.load = report;
      return checks;
    },
  },
  {
    name: 'resources',
    enabled: (c) => c.config.checks.resources.enabled,
    run: async (ctx, measured) => judgeResources(await measureResources(ctx, measured.latency_memory), ctx.config.checks.resources, measured.latency_memory !== undefined),
  },
];

async function runComparison(ctx: CheckContext, measured: Measurements): Promise<CheckResult[]> {
  const { runner: baseline, path, rows: ownRows } = ctx.baseline!;
  // With feeds of its own, the baseline's outputs are read for what they are (probabilities, labels), by kind.
  const mismatch = ownRows ? null : signatureMismatch(ctx.runner.signature, baseline.signature);
  const baseRows = ownRows ?? ctx.rows;
  const differs = ownRows ? ` (the baseline was fed the rows its own way, its signature differing from the candidate's: ${signatureMismatch(ctx.runner.signature, baseline.signature)})` : '';
  if (mismatch) {
    return [
      result({ id: 'comparison.signature', category: 'comparison', severity: 'blocker', status: 'fail', message: `the baseline ${path} cannot be compared on the same rows: ${mismatch}` }),
    ];
  }
  const checks: CheckResult[] = [];
  const candidatePredictions = await predictions(ctx, measured);
  ctx.progress(`comparison: baseline on ${ctx.rows.rows.toLocaleString('en')} rows`);
  const basePredictions = await predictAll(baseline, baseRows, PREDICTION_BATCH, throttledProgress(ctx, 'comparison'));
  const view = measured.view ?? safeView(candidatePredictions, ctx);
  let baseView: ModelView | null = null;
  try {
    baseView = readModelView(basePredictions, ctx.config);
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
            message: `predictions not compared: neither model's outputs can be read as predictions (${getErrorMessage(error)}); set model.outputs.<name>.kind (e.g. probabilities) to compare them`,
          }),
    );
  }
  measured.baseline_view = baseView;
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
      measured.agreement = agreementOf(view, baseView);
      checks.push(...judgeAgreement(measured.agreement, ctx.config));
      const candidate = measured.evaluation;
      if (candidate && ctx.labels) {
        try {
          const base = evaluationOf(baseView, ctx.labels);
          measured.metrics = { candidate: measured.metrics?.candidate ?? null, baseline: computeMetrics(base, ctx.config.metrics.ece_bins) };
          ctx.progress(`comparison: metric changes on ${ctx.rows.rows.toLocaleString('en')} rows`);
          measured.comparison = compareMetrics(candidate, base, ctx.config, throttledProgress(ctx, 'comparison: bootstrap', 2000, 'resamples'));
          checks.push(...judgeComparison(measured.comparison, candidate.task, ctx.config));
        } catch (error) {
          const message = error instanceof EvaluationError ? `baseline: ${error.message}` : getErrorMessage(error);
          checks.push(result({ id: 'comparison.metrics', category: 'comparison', severity: 'blocker', status: 'error', message }));
        }
      } else {
        checks.push(
          result({ id: 'comparison.metrics', category: 'comparison', severity: 'info', status: 'skip', message: 'metric changes not compared: no labelled evaluation data' }),
        );
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
    measured.latency_comparison = compareLatency(times.candidate, times.baseline, ctx.config, times.stopped);
    checks.push(...judgeLatencyComparison(measured.latency_comparison, ctx.config));
  }
  return checks;
}

function safeView(p: Predictions, ctx: CheckContext): ModelView | null {
  try {
    return readModelView(p, ctx.config);
  } catch {
    return null;
  }
}
