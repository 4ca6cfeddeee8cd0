/**
 * Feature and label drift between two loaded data sets, as the config asks: summary and checklist
 * items. The features and the label are one multiplicity family (drift.multiplicity).
 */
import { skipped, type CheckResult } from '../core/check-result.ts';
import type { DriftRules, GateConfig } from '../config/types.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Decision } from '../decision.ts';
import { datasetCheck, featureCheck } from './checks.ts';
import { datasetDrift, featureCount, featureDrift, withElementColumns } from './datasets.ts';
import { featureError, judgeFamily, summarize, type DriftSummary, type FeatureDrift } from './judge.ts';

export interface DataDrift {
  reference: { path: string; rows: number };
  current: { path: string; rows: number };
  summary: DriftSummary;
  label: FeatureDrift | null;
  checks: CheckResult[];
}

export function dataDrift(config: GateConfig, referenceData: Dataset, currentData: Dataset, options: { columns?: readonly string[]; exclude?: ReadonlySet<string> } = {}): DataDrift {
  const rules = config.drift;
  const reference = withElementColumns(referenceData, rules.max_features);
  const current = withElementColumns(currentData, rules.max_features);
  const assessed = datasetDrift(reference, current, rules, { columns: options.columns ?? rules.columns, exclude: options.exclude });
  let label: FeatureDrift | null = null;
  const labelName = config.data.label;
  if (labelName && rules.labels.enabled) {
    const ref = reference.columns.find((c) => c.name === labelName);
    const cur = current.columns.find((c) => c.name === labelName);
    // Labels are classes unless they are many distinct numbers (a regression target).
    if (ref && cur) label = featureDrift(labelName, ref, cur, rules, null, null);
    else if (ref || cur) label = featureError(labelName, `label column "${labelName}" is not in ${ref ? current.path : reference.path}`);
  }
  const sides = { reference: { path: reference.path, rows: reference.rows }, current: { path: current.path, rows: current.rows } };
  return judged(sides, assessed, label, [], rules).drift;
}

/**
 * The features, the label and `more` items (the predictions' drift) judged as one multiplicity
 * family, with the data's checklist rows. Judged items keep their raw p-values, so a data drift
 * judged alone can be judged again with the predictions once they are known.
 */
function judged(sides: Pick<DataDrift, 'reference' | 'current'>, features: readonly FeatureDrift[], label: FeatureDrift | null, more: readonly FeatureDrift[], rules: GateConfig['drift']): { drift: DataDrift; more: FeatureDrift[] } {
  const all = judgeFamily([...features, ...(label ? [label] : []), ...more], rules);
  const judgedFeatures = all.slice(0, features.length);
  const judgedLabel = label ? all[features.length]! : null;
  const summary = summarize(judgedFeatures, rules);
  const checks = summary.features.map((f) => featureCheck(f, { prefix: 'drift.feature', severity: rules.severity, psiGates: true, rules }));
  checks.push(datasetCheck(summary, rules, rules.dataset_severity));
  if (judgedLabel) checks.push(featureCheck({ ...judgedLabel }, { prefix: 'drift.label', severity: rules.labels.severity, psiGates: false, rules }));
  return { drift: { ...sides, summary, label: judgedLabel, checks }, more: all.slice(features.length + (label ? 1 : 0)) };
}

/**
 * The data's drift judged again together with the predictions' (drift.multiplicity over every
 * drift warning of the run): the adjusted data drift and the predictions' items, judged.
 */
export function judgeWithPredictions(data: DataDrift, predictions: readonly FeatureDrift[], rules: GateConfig['drift']): { drift: DataDrift; predictions: FeatureDrift[] } {
  const { drift, more } = judged(data, data.summary.features, data.label, predictions, rules);
  return { drift, predictions: more };
}

/**
 * Validate's data drift: the current data (drift.current, else the eval data) against the
 * reference, or a skipped drift.dataset saying why it was not measured (no current data; more
 * columns than drift.max_features and none named). The label, weight and id columns are not features.
 */
export function measureDataDrift(config: GateConfig, reference: Dataset, current: Dataset | null, progress: (message: string) => void): { checks: CheckResult[]; drift: DataDrift | null } {
  if (!current) {
    return { checks: [skipped('drift.dataset', 'drift', 'info', 'drift not measured: no current data to compare with the reference (data.eval or drift.current)')], drift: null };
  }
  const scalarColumns = featureCount(reference, config.drift.max_features);
  if (!config.drift.columns && scalarColumns > config.drift.max_features) {
    // Per-column tests over an image's pixels or an embedding's dims say little and cost much.
    const message = `drift not measured: ${reference.path} has ${scalarColumns.toLocaleString('en')} columns, more than drift.max_features (${config.drift.max_features.toLocaleString('en')}); name the columns to watch in drift.columns`;
    return { checks: [skipped('drift.dataset', 'drift', 'info', message)], drift: null };
  }
  const { label, weight, id } = config.data;
  progress('drift: comparing the data with the reference');
  const drift = dataDrift(config, reference, current, { exclude: new Set([label, weight, id].filter((x): x is string => !!x)) });
  return { checks: drift.checks, drift };
}

/** The drift block of the reports (validate's `drift`, and `model-gate drift --json` itself). */
export interface DriftSection {
  reference: { path: string; rows: number };
  current: { path: string; rows: number };
  rules: Omit<DriftRules, 'features'>;
  features: FeatureDrift[];
  judged_features: number;
  drifted_features: number;
  drifted_share: number | null;
  dataset_drift: boolean | null;
  label: FeatureDrift | null;
}

/** The JSON of `model-gate drift --json`; the same block sits under `drift` in the validate report. */
export type DriftReport = {
  tool: { name: 'model-gate'; version: string };
  decision: Decision;
  reason: string;
  headline: string;
} & DriftSection & { checks: CheckResult[]; duration_ms: number };

export function driftSection(d: DataDrift, config: GateConfig): DriftSection {
  const r = config.drift;
  return {
    reference: d.reference,
    current: d.current,
    rules: { min_rows: r.min_rows, large_sample_rows: r.large_sample_rows, p_value: r.p_value, distance: r.distance, psi: r.psi, dataset_share: r.dataset_share, multiplicity: r.multiplicity },
    features: keepHistograms(d.summary.features),
    judged_features: d.summary.judged,
    drifted_features: d.summary.drifted,
    drifted_share: d.summary.drifted_share,
    dataset_drift: d.summary.dataset_drift,
    label: d.label,
  };
}

/** How many features keep their histogram in the report: the most drifted, for the pictures. */
export const HISTOGRAMS_KEPT = 6;

/** Drifted first, then by PSI: the order the report draws distributions in. */
export const driftRank = (a: FeatureDrift, b: FeatureDrift) =>
  Number(b.status === 'drifted') - Number(a.status === 'drifted') || (Number.isFinite(b.psi) ? b.psi! : -1) - (Number.isFinite(a.psi) ? a.psi! : -1);

/** Every feature's histogram is measured; the report keeps only the few it draws, so wide data stays small. */
function keepHistograms(features: FeatureDrift[]): FeatureDrift[] {
  const kept = new Set(features.filter((f) => f.histogram).sort(driftRank).slice(0, HISTOGRAMS_KEPT).map((f) => f.name));
  return features.map((f) => {
    if (!f.histogram || kept.has(f.name)) return f;
    const rest = { ...f };
    delete rest.histogram;
    return rest;
  });
}
