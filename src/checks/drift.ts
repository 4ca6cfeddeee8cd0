/**
 * Prediction drift: the candidate's predictions on the reference rows against those on the
 * current rows, and the baseline's against the candidate's on the same rows. Predictions are
 * read as the metrics read them: the predicted class (categorical) and the score (P(positive)
 * or the top probability) for classifiers, the value for regressors.
 */
import type { GateConfig } from '../config/types.ts';
import { describeBadRows, findBadRows, keptRows, missingFedBy } from '../data/bad-rows.ts';
import { columnNames, type Dataset } from '../data/dataset.ts';
import { arrayWidths, featuresFromDataset, type FeatureRows } from '../data/features.ts';
import { featureCheck } from '../drift/checks.ts';
import { assess, featureError, judgeFamily, type FeatureDrift } from '../drift/judge.ts';
import { judgeWithPredictions, type DataDrift } from '../drift/run.ts';
import { measureFeature, type FeatureSample } from '../drift/measure.ts';
import { getErrorMessage } from '../errors.ts';
import type { CheckContext } from './context.ts';
import type { ModelView } from './evaluation.ts';
import { EmbeddingOutputError, EvaluationError, independentProbabilities, readModelView } from './evaluation.ts';
import { numbersOf, PREDICTION_BATCH, predictAll, type Predictions } from './predictions.ts';
import { throttledProgress } from './context.ts';
import { result, type CheckResult } from '../core/check-result.ts';

export interface PredictionDrift {
  /** The candidate on the reference rows vs on the current rows. */
  reference_vs_current: FeatureDrift[];
  /** The baseline vs the candidate on the current rows. */
  baseline_vs_candidate: FeatureDrift[];
}

/**
 * The model inputs' rows of another data set (its bad rows skipped, its empty cells fed as the
 * eval rows' are: data.bad_rows.missing_features), bound as the eval rows are.
 */
export function rowsOf(dataset: Dataset, like: FeatureRows, policy: GateConfig['data']['bad_rows']): FeatureRows {
  const used = [...new Set(like.bindings.flatMap((b) => b.columns ?? []))];
  // A text column feeds a text input; every other input takes numbers.
  const text = new Set(like.bindings.filter((b) => b.dtype === 'string').flatMap((b) => b.columns ?? []));
  const absent = used.filter((name) => !dataset.columns.some((c) => c.name === name));
  if (absent.length > 0) {
    const what = absent.every((n) => text.has(n)) ? 'input column' : 'numeric input column';
    throw new Error(`${dataset.path} lacks the model's ${what}${absent.length === 1 ? '' : 's'} ${absent.map((n) => `"${n}"`).join(', ')}; its columns are: ${columnNames(dataset)}`);
  }
  const notNumbers = used.filter((name) => !text.has(name) && dataset.columns.some((c) => c.name === name && !c.values && c.kind === 'text'));
  if (notNumbers.length > 0) {
    throw new Error(`${dataset.path}: the model's input column${notNumbers.length === 1 ? '' : 's'} ${notNumbers.map((n) => `"${n}"`).join(', ')} hold${notNumbers.length === 1 ? 's' : ''} text there, but the model takes numbers`);
  }
  const bad = findBadRows(dataset, used, undefined, arrayWidths(like.bindings), missingFedBy(policy, like.bindings, dataset));
  const rows = featuresFromDataset(dataset, like.bindings, keptRows(bad));
  if (rows.rows === 0) throw new Error(`${dataset.path} has no usable rows: ${describeBadRows(bad)}`);
  return rows;
}

/** A prediction view as drift samples: `prediction` and, for classifiers with scores, `score`. */
export function predictionSamples(view: ModelView): Record<string, FeatureSample> {
  if (view.task === 'regression') return { prediction: { kind: 'numeric', values: view.pred } };
  const classes = view.classes.map(String);
  const out: Record<string, FeatureSample> = {
    prediction: { kind: 'categorical', values: Array.from(view.pred, (k) => (k < 0 ? null : classes[k]!)) },
  };
  if (view.score) out.score = { kind: 'numeric', values: view.score };
  return out;
}

/** Why the predictions are an embedding (no predicted class or value to watch), or null. */
function embeddingOf(predictions: Predictions, ctx: CheckContext): string | null {
  try {
    readModelView(predictions, ctx.config, ctx.labels);
  } catch (error) {
    if (error instanceof EmbeddingOutputError) return error.message;
  }
  return null;
}

/**
 * The candidate's predictions as drift samples. A multi-label model's tags have no one predicted
 * class: each tag's probability is a numeric sample of its own (`<output>_<column>`).
 */
function samplesOf(predictions: Predictions, ctx: CheckContext): Record<string, FeatureSample> {
  try {
    // Read as the metrics read them (the labels settle one plain score column against 0/1 labels), so
    // the baseline's view, read that way too, compares like with like.
    return predictionSamples(readModelView(predictions, ctx.config, ctx.labels));
  } catch (error) {
    const tags = error instanceof EvaluationError ? independentProbabilities(predictions, ctx.config) : undefined;
    if (!tags) throw error;
    const values = numbersOf(tags);
    const rows = values.length / tags.width;
    const out: Record<string, FeatureSample> = {};
    for (let k = 0; k < tags.width; k++) out[`${tags.name}_${k}`] = { kind: 'numeric', values: Float64Array.from({ length: rows }, (_, r) => values[r * tags.width + k]!) };
    return out;
  }
}

/** The predictions' items measured, before the multiplicity adjustment. */
function assessAll(reference: Record<string, FeatureSample>, current: Record<string, FeatureSample>, ctx: CheckContext): FeatureDrift[] {
  const rules = { ...ctx.config.drift, features: {} };
  return Object.keys(current)
    .filter((name) => reference[name])
    .map((name) => {
      try {
        return assess(measureFeature(name, reference[name]!, current[name]!, rules.psi), rules);
      } catch (error) {
        return featureError(name, getErrorMessage(error));
      }
    });
}

/**
 * The candidate's prediction drift is one multiplicity family with the data's drift (features and
 * label): `data` comes back judged again with it. The baseline against the candidate compares two
 * models on the same rows, not the data over time, so its items are a family of their own.
 */
export async function runPredictionDrift(
  ctx: CheckContext,
  candidateOnEval: Predictions,
  baselineView: ModelView | null,
): Promise<{ checks: CheckResult[]; drift: PredictionDrift; data: DataDrift | null }> {
  const cfg = ctx.config.drift;
  const { reference, current } = ctx.drift!;
  let data = ctx.drift!.data;
  const drift: PredictionDrift = { reference_vs_current: [], baseline_vs_candidate: [] };
  const checks: CheckResult[] = [];
  try {
    const embedding = embeddingOf(candidateOnEval, ctx);
    if (embedding) {
      checks.push(result({ id: 'drift.prediction', category: 'drift', severity: 'info', status: 'skip', message: `prediction drift not measured: ${embedding}` }));
      return { checks, drift, data };
    }
    const onEval = samplesOf(candidateOnEval, ctx);
    const predict = async (dataset: Dataset) => {
      const rows = rowsOf(dataset, ctx.rows, ctx.config.data.bad_rows);
      ctx.progress(`drift: predicting ${rows.rows.toLocaleString('en')} rows of ${dataset.path}`);
      return samplesOf(await predictAll(ctx.runner, rows, PREDICTION_BATCH, throttledProgress(ctx, 'drift')), ctx);
    };
    const onCurrent = current === null ? onEval : await predict(current);
    const items = assessAll(await predict(reference), onCurrent, ctx);
    if (data) {
      const joint = judgeWithPredictions(data, items, cfg);
      data = joint.drift;
      drift.reference_vs_current = joint.predictions;
    } else {
      drift.reference_vs_current = judgeFamily(items, cfg);
    }
    for (const f of drift.reference_vs_current) {
      checks.push(featureCheck(f, { prefix: 'drift.prediction', severity: cfg.predictions.severity, psiGates: true, rules: cfg }));
    }
    if (baselineView) {
      drift.baseline_vs_candidate = judgeFamily(assessAll(predictionSamples(baselineView), onEval, ctx), cfg);
      for (const f of drift.baseline_vs_candidate) {
        checks.push(featureCheck(f, { prefix: 'drift.baseline', severity: cfg.predictions.baseline_severity, psiGates: false, rules: cfg }));
      }
    }
  } catch (error) {
    checks.push(
      result({ id: 'drift.prediction', category: 'drift', severity: cfg.predictions.severity, status: 'error', message: `prediction drift could not be measured: ${getErrorMessage(error)}` }),
    );
  }
  return { checks, drift, data };
}
