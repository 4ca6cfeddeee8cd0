/**
 * The candidate against the baseline on the same rows: each metric's change with its interval
 * (compare-estimate.ts), judged as a non-inferiority test against a tolerated margin (a
 * regression blocks when it is shown to be larger than the margin, not when it is merely
 * significant), superiority for improvement claims, the power of the eval set, McNemar's exact
 * test on per-row correctness for information, and how far predictions moved. Every decision
 * is one-sided at α = (1 − comparison.confidence) / 2. Pure: over both models' evaluations.
 */
import type { GateConfig, MetricName, MetricThreshold } from '../config/types.ts';
import type { Interval } from '../stats/bootstrap.ts';
import { discordant, mcnemarExact, type McNemar } from '../stats/mcnemar.ts';
import { asImprovement, judgeNonInferiority, judgeSuperiority, type NonInferiorityJudgement } from '../stats/noninferiority.ts';
import { psi } from '../stats/psi.ts';
import type { ModelSignature } from '../runners/types.ts';
import { estimateChanges, PERMUTATION_BELOW_ROWS, type DeltaEstimate } from './compare-estimate.ts';
import { HIGHER_IS_BETTER, metricsForTask, primaryMetric, type Evaluation, type ModelView } from './evaluation.ts';
import { nonFiniteEvaluation } from './finite.ts';
import { result, type CheckResult, type CheckStatus, type Severity } from '../core/check-result.ts';
import { formatMetric, percentRounded } from '../core/format.ts';

const CATEGORY = 'comparison';

export type ComparisonVerdict = 'improvement' | 'regression' | 'no significant change';

export interface MetricComparison extends DeltaEstimate {
  metric: MetricName;
  direction: 'higher' | 'lower';
  /** McNemar's two-sided p for accuracy (information: it does not decide); otherwise null. */
  p_value: number | null;
  /** Significance of the change at the one-sided level, whatever the margin. */
  verdict: ComparisonVerdict | null;
  /**
   * The non-inferiority judgement against the metric's regression margin (its max_regression,
   * else max_regression_relative, else the default margin for the primary metric); null when the
   * metric has no regression margin or no interval.
   */
  noninferiority: (NonInferiorityJudgement & { relative: boolean }) | null;
}

export interface Agreement {
  rows: number;
  /** Share of rows whose predicted class differs (classification). */
  flip_share: number | null;
  mean_abs_score_delta: number | null;
  /** PSI of the candidate's scores against the baseline's (baseline deciles). */
  score_psi: number | null;
  /** Why class changes were not counted (the two models name their classes with no value in common), or absent. */
  classes_unmatched?: string;
}

export interface ComparisonReport {
  /** Two-sided confidence of the intervals shown. */
  confidence: number;
  /** One-sided level of every decision: (1 − confidence) / 2. */
  alpha: number;
  resamples: number;
  seed: number;
  rows: number;
  metrics: MetricComparison[];
  mcnemar: McNemar | null;
}

/** The one-sided level of every comparison decision: an interval end at `confidence` is a one-sided bound at this level. */
export const oneSidedAlpha = (confidence: number) => Number(((1 - confidence) / 2).toPrecision(12));

/** Why the baseline cannot be compared on the same feeds, or null. */
export function signatureMismatch(candidate: ModelSignature, baseline: ModelSignature): string | null {
  const problems: string[] = [];
  for (const c of candidate.inputs) {
    const b = baseline.inputs.find((x) => x.name === c.name);
    if (!b) problems.push(`input "${c.name}" is missing`);
    else if (b.dtype !== c.dtype) problems.push(`input "${c.name}" is ${b.dtype}, the candidate's is ${c.dtype}`);
    else if (JSON.stringify(fixedDims(b.shape)) !== JSON.stringify(fixedDims(c.shape))) {
      problems.push(`input "${c.name}" has shape [${b.shape.join(', ')}], the candidate's [${c.shape.join(', ')}]`);
    }
  }
  for (const b of baseline.inputs) if (!candidate.inputs.some((x) => x.name === b.name)) problems.push(`it needs input "${b.name}", which the candidate does not have`);
  for (const c of candidate.outputs) if (!baseline.outputs.some((x) => x.name === c.name)) problems.push(`output "${c.name}" is missing`);
  return problems.length ? problems.join('; ') : null;
}

const fixedDims = (shape: readonly (number | string | null)[]) => shape.slice(1).map((d) => (typeof d === 'number' ? d : null));

export function agreementOf(candidate: ModelView, baseline: ModelView): Agreement {
  const n = candidate.pred.length;
  let flips: number | null = null;
  let unmatched: string | undefined;
  if (candidate.task !== 'regression' && baseline.task !== 'regression' && disjoint(candidate.classes, baseline.classes)) {
    // Text classes against index classes (a pickle's "setosa" against an ONNX file's 0): every
    // row would "change class", which says nothing about the models.
    unmatched = `classes not compared: the candidate's (${candidate.classes.join(', ')}) and the baseline's (${baseline.classes.join(', ')}) have no value in common; name the baseline's classes with metrics.classes`;
  } else if (candidate.task !== 'regression' && baseline.task !== 'regression') {
    // By class value, not index: the two models may list their classes in different orders.
    const c = classOf(candidate.classes);
    const b = classOf(baseline.classes);
    flips = 0;
    for (let i = 0; i < n; i++) if (c(candidate.pred[i]!) !== b(baseline.pred[i]!)) flips++;
  }
  let meanAbs: number | null = null;
  let scorePsi: number | null = null;
  if (candidate.score && baseline.score) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(candidate.score[i]! - baseline.score[i]!);
    meanAbs = s / n;
    scorePsi = psi(baseline.score, candidate.score);
  }
  return { rows: n, flip_share: flips === null ? null : flips / n, mean_abs_score_delta: meanAbs, score_psi: scorePsi, ...(unmatched ? { classes_unmatched: unmatched } : {}) };
}

const disjoint = (a: readonly (number | string)[], b: readonly (number | string)[]) =>
  a.length > 0 && b.length > 0 && !a.some((x) => b.some((y) => typeof x === typeof y && x === y));

/** A predicted class index as a comparable key (-1: a label outside the model's classes). */
const classOf = (classes: readonly (number | string)[]) => {
  const keys = classes.map((c) => (typeof c === 'number' ? `n:${c}` : `s:${c}`));
  return (k: number) => (k >= 0 ? keys[k]! : 'outside');
};

export function judgeAgreement(a: Agreement, config: GateConfig): CheckResult[] {
  const cfg = config.comparison.agreement;
  const parts = [
    a.flip_share !== null ? `${percentRounded(a.flip_share)} of rows change class` : (a.classes_unmatched ?? null),
    a.mean_abs_score_delta !== null ? `mean |Δ score| ${formatMetric(a.mean_abs_score_delta)}` : null,
    a.score_psi !== null ? `score PSI ${formatMetric(a.score_psi)}` : null,
  ].filter(Boolean);
  const checks = [
    result({
      id: 'comparison.agreement',
      category: CATEGORY,
      severity: 'info',
      status: 'pass',
      value: { flip_share: a.flip_share, mean_abs_score_delta: a.mean_abs_score_delta, score_psi: a.score_psi },
      message: `predictions against the baseline on ${a.rows.toLocaleString('en')} rows: ${parts.join(', ')}`,
    }),
  ];
  const limit = (id: string, value: number | null, max: number | null, what: string) => {
    if (max === null) return;
    checks.push(
      result({
        id,
        category: CATEGORY,
        severity: cfg.severity,
        status: value === null ? 'fail' : value <= max ? 'pass' : 'fail',
        value,
        threshold: `<= ${max}`,
        message: value === null ? `${what} cannot be measured: ${(id === 'comparison.flip_share' && a.classes_unmatched) || 'not for this model'}` : `${what} ${formatMetric(value)} ${value <= max ? 'within' : 'above'} ${max}`,
      }),
    );
  };
  limit('comparison.flip_share', a.flip_share, cfg.max_flip_share, 'share of rows changing class');
  limit('comparison.score_psi', a.score_psi, cfg.max_score_psi, 'score PSI');
  return checks;
}

const hasChange = (t: MetricThreshold | undefined) =>
  !!t &&
  [t.max_regression, t.max_regression_relative, t.min_improvement, t.min_improvement_relative, t.suspicious_improvement, t.suspicious_improvement_relative].some(
    (x) => x !== undefined,
  );

/** Metrics to compare: the primary, and every metric with a change threshold. */
export function comparedMetrics(task: Evaluation['task'], config: GateConfig): MetricName[] {
  const valid = new Set(metricsForTask(task));
  const names = new Set<MetricName>([primaryMetric(task, config)]);
  for (const [name, t] of Object.entries(config.metrics.thresholds) as [MetricName, MetricThreshold][]) if (hasChange(t) && valid.has(name)) names.add(name);
  return [...names];
}

export function compareMetrics(
  candidate: Evaluation,
  baseline: Evaluation,
  config: GateConfig,
  /** (done, total) resamples, for a bootstrap that may run for a while on large data. */
  progress?: (done: number, total: number) => void,
): ComparisonReport {
  // Fail closed before resampling: no metric change is defined on NaN or infinite predictions.
  const refused = nonFiniteEvaluation(candidate, 'candidate') ?? nonFiniteEvaluation(baseline, 'baseline');
  if (refused) throw new Error(refused);
  const cfg = config.comparison;
  const alpha = oneSidedAlpha(cfg.confidence);
  const names = comparedMetrics(candidate.task, config);
  const n = candidate.task === 'regression' ? candidate.y.length : candidate.data.y.length;
  const estimates = estimateChanges(candidate, baseline, names, {
    confidence: cfg.confidence,
    resamples: cfg.resamples,
    seed: cfg.seed,
    eceBins: config.metrics.ece_bins,
    progress,
  });
  let mcnemar: McNemar | null = null;
  if (candidate.task !== 'regression' && baseline.task !== 'regression') {
    // A plain loop: Uint8Array.from(y, fn) walks the labels through the iterator protocol.
    const right = (e: typeof candidate & { task: 'binary' | 'multiclass' }) => {
      const { y, pred } = e.data;
      const out = new Uint8Array(y.length);
      for (let i = 0; i < y.length; i++) out[i] = pred[i] === y[i] ? 1 : 0;
      return out;
    };
    const [b, c] = discordant(right(candidate), right(baseline as typeof candidate & { task: 'binary' | 'multiclass' }));
    mcnemar = mcnemarExact(b, c);
  }
  const metrics = names.map((metric, i): MetricComparison => {
    const e = estimates[i]!;
    const direction = config.metrics.thresholds[metric]?.direction ?? (HIGHER_IS_BETTER.has(metric) ? 'higher' : 'lower');
    const margin = regressionMargin(metric, candidate.task, config);
    const interval = margin?.relative ? e.relative_interval : e.interval;
    const estimate = margin?.relative ? e.relative_delta : e.delta;
    const noninferiority =
      margin && interval && estimate !== null
        ? { ...judgeNonInferiority({ estimate, interval, se: margin.relative ? e.relative_se : e.se, direction, rows: n }, margin.value, alpha, cfg.power), relative: margin.relative }
        : null;
    return {
      metric,
      direction,
      ...e,
      p_value: metric === 'accuracy' && mcnemar ? mcnemar.p_value : null,
      verdict: e.interval ? verdictOf(e, direction, alpha, n) : null,
      noninferiority,
    };
  });
  return { confidence: cfg.confidence, alpha, resamples: cfg.resamples, seed: cfg.seed, rows: n, metrics, mcnemar };
}

/**
 * Whether the change is significant at the one-sided α: its interval excludes 0 and, below 100
 * rows, the paired permutation test agrees (the bootstrap alone over-rejects there).
 */
function verdictOf(e: DeltaEstimate, direction: 'higher' | 'lower', alpha: number, rows: number): ComparisonVerdict {
  const imp = asImprovement(e.interval!, direction);
  const perm = permutationSays(e, direction, alpha, rows);
  if (imp.low > 0 && perm.better) return 'improvement';
  if (imp.high < 0 && perm.worse) return 'regression';
  return 'no significant change';
}

/** The small-sample permutation test's say on "better" and "worse" (always yes from 100 rows on). */
function permutationSays(e: DeltaEstimate, direction: 'higher' | 'lower', alpha: number, rows: number): { better: boolean; worse: boolean; available: boolean } {
  if (rows >= PERMUTATION_BELOW_ROWS) return { better: true, worse: true, available: true };
  const p = e.permutation;
  if (!p) return { better: false, worse: false, available: false };
  const better = direction === 'higher' ? p.greater : p.less;
  const worse = direction === 'higher' ? p.less : p.greater;
  return { better: better <= alpha, worse: worse <= alpha, available: true };
}

const VERDICT_PHRASE: Record<ComparisonVerdict, string> = {
  improvement: 'a significant improvement',
  regression: 'a significant but tolerated regression',
  'no significant change': 'no significant change',
};

/** Metrics whose natural scale is a share (0–1, higher is better): their default margin is absolute. */
const ABSOLUTE_MARGIN = HIGHER_IS_BETTER;

/** The default non-inferiority margin of a metric without a change rule of its own. */
export function defaultMargin(metric: MetricName, config: GateConfig): { value: number; relative: boolean } {
  const c = config.comparison;
  return ABSOLUTE_MARGIN.has(metric) ? { value: c.max_regression, relative: false } : { value: c.max_regression_relative, relative: true };
}

/** The margin a metric's regression is held to: its own rule, else the default for the primary metric. */
export function regressionMargin(metric: MetricName, task: Evaluation['task'], config: GateConfig): { value: number; relative: boolean } | null {
  const t = config.metrics.thresholds[metric];
  if (t?.max_regression !== undefined) return { value: t.max_regression, relative: false };
  if (t?.max_regression_relative !== undefined) return { value: t.max_regression_relative, relative: true };
  return metric === primaryMetric(task, config) && !hasChange(t) ? defaultMargin(metric, config) : null;
}

const fmtInterval = (i: Interval) => `[${formatMetric(i.low)}, ${formatMetric(i.high)}]`;
const marginLabel = (x: number, relative: boolean) => (relative ? `${percentRounded(x)} of the baseline` : formatMetric(x));

/** One checklist item per change rule; the primary metric's default non-inferiority rule when none is set. */
export function judgeComparison(report: ComparisonReport, task: Evaluation['task'], config: GateConfig): CheckResult[] {
  const checks: CheckResult[] = [];
  const level = percentRounded(report.confidence, 1);
  const alpha = report.alpha;
  const alphaLabel = `one-sided α = ${percentRounded(alpha)}`;
  const power = config.comparison.power;
  const primary = primaryMetric(task, config);
  for (const m of report.metrics) {
    const t = config.metrics.thresholds[m.metric];
    const severity: Severity = t?.severity ?? config.metrics.severity;
    const id = `comparison.${m.metric}`;
    const base = { category: CATEGORY, value: m.delta };
    const estimate = `${m.metric} ${formatMetric(m.candidate)} vs ${formatMetric(m.baseline)}: Δ ${m.delta === null ? 'n/a' : formatMetric(m.delta)}${
      m.interval ? ` (${level} CI ${fmtInterval(m.interval)}, ${m.method})` : ''
    }${m.p_value !== null ? `, McNemar p=${formatMetric(m.p_value)}` : ''}`;
    if (!m.interval || m.delta === null) {
      checks.push(result({ ...base, id, severity, status: 'error', message: `${estimate}: the change could not be estimated on these rows` }));
      continue;
    }
    const perm = permutationSays(m, m.direction, alpha, report.rows);
    const smallNote = report.rows < PERMUTATION_BELOW_ROWS ? `; below ${PERMUTATION_BELOW_ROWS} rows a claim also needs the paired permutation test` : '';
    const rules: { id: string; threshold: string; status: CheckStatus; severity: Severity; message: string }[] = [];

    const change = (relative: boolean) =>
      relative
        ? m.relative_interval && m.relative_delta !== null
          ? { estimate: m.relative_delta, interval: m.relative_interval, se: m.relative_se, direction: m.direction, rows: report.rows }
          : null
        : { estimate: m.delta!, interval: m.interval!, se: m.se, direction: m.direction, rows: report.rows };

    const regressionRule = (ruleId: string, margin: number, relative: boolean, ruleSeverity: Severity) => {
      const label = marginLabel(margin, relative);
      const threshold = `regress by <= ${label} (${alphaLabel})`;
      const ch = change(relative);
      if (!ch) return rules.push({ id: ruleId, threshold, status: 'error', severity: ruleSeverity, message: `${estimate}: the relative change is undefined (baseline ≈ 0)` });
      const j = judgeNonInferiority(ch, margin, alpha, power);
      const held = `held to a margin of ${label} at ${alphaLabel}${powerNote(j, relative)}`;
      let status: CheckStatus;
      let message: string;
      if (j.verdict === 'inferior' && perm.worse) {
        status = 'fail';
        message = `${estimate}, ${held}: worse than the tolerated regression`;
      } else if (j.verdict === 'non-inferior') {
        status = 'pass';
        message = `${estimate}, ${held}: within the tolerated regression (${VERDICT_PHRASE[m.verdict ?? 'no significant change']})`;
      } else if (m.method === 'same classes on every row') {
        status = 'warn';
        // With none of n rows differing, n ≥ ln α / ln(1 − share) bounds the differing share within the margin.
        const share = Math.min(relative ? margin * Math.abs(m.baseline ?? 0) : margin, 0.5);
        const needed = share > 0 ? ` about ${Math.ceil(Math.log(alpha) / Math.log(1 - share)).toLocaleString('en')} rows would show non-inferiority` : '';
        message = `${estimate}, ${held}: the two models predict the same class on all ${report.rows.toLocaleString('en')} rows, which bounds the change at ${formatMetric(ch.interval.high)} (one-sided α), more than the margin${needed ? `;${needed}` : ''}`;
      } else if (!perm.available) {
        status = 'warn';
        message = `${estimate}, ${held}: cannot judge on ${report.rows} rows (fewer than ${PERMUTATION_BELOW_ROWS}, and the two models' predictions cannot be exchanged for the permutation test)`;
      } else if (j.underpowered) {
        status = 'warn';
        message = `${estimate}, ${held}: the eval set is too small to show non-inferiority — about ${j.rows_needed!.toLocaleString('en')} rows would be needed; a GO here is not evidence that the candidate is as good${smallNote}`;
      } else {
        status = 'warn';
        message = `${estimate}, ${held}: a regression beyond the margin is neither shown nor ruled out${smallNote}`;
      }
      rules.push({ id: ruleId, threshold, status, severity: ruleSeverity, message });
    };

    const improveRule = (ruleId: string, needed: number, relative: boolean) => {
      const label = relative ? percentRounded(needed) : formatMetric(needed);
      const threshold = `improve by >= ${label} (${alphaLabel})`;
      const ch = change(relative);
      if (!ch) return rules.push({ id: ruleId, threshold, status: 'error', severity, message: `${estimate}: the relative change is undefined (baseline ≈ 0)` });
      const ok = judgeSuperiority(ch, needed).shown && perm.better;
      rules.push({
        id: ruleId,
        threshold,
        status: ok ? 'pass' : 'fail',
        severity,
        message: ok
          ? `${estimate}: improved by at least ${label} (superiority at ${alphaLabel})`
          : `${estimate}: an improvement of ${label} is not shown at ${alphaLabel} (${m.verdict})${smallNote}`,
      });
    };

    const suspiciousRule = (ruleId: string, limit: number, relative: boolean) => {
      const label = relative ? percentRounded(limit) : formatMetric(limit);
      const ch = change(relative);
      const flagged = !!ch && asImprovement(ch.interval, m.direction).low > limit;
      rules.push({
        id: ruleId,
        threshold: `improvement <= ${label}`,
        status: flagged ? 'warn' : 'pass',
        severity: t?.severity ?? 'warning',
        message: flagged ? `${estimate}: improved by more than ${label}, which is suspicious (label leakage? a different eval set?)` : `${estimate}: no suspicious improvement`,
      });
    };

    if (t?.max_regression !== undefined) regressionRule(`${id}.max_regression`, t.max_regression, false, severity);
    if (t?.max_regression_relative !== undefined) regressionRule(`${id}.max_regression_relative`, t.max_regression_relative, true, severity);
    if (t?.min_improvement !== undefined) improveRule(`${id}.min_improvement`, t.min_improvement, false);
    if (t?.min_improvement_relative !== undefined) improveRule(`${id}.min_improvement_relative`, t.min_improvement_relative, true);
    if (t?.suspicious_improvement !== undefined) suspiciousRule(`${id}.suspicious_improvement`, t.suspicious_improvement, false);
    if (t?.suspicious_improvement_relative !== undefined) suspiciousRule(`${id}.suspicious_improvement_relative`, t.suspicious_improvement_relative, true);
    if (rules.length === 0 && m.metric === primary) {
      // Default: the primary metric may not regress by more than the default margin.
      const d = defaultMargin(m.metric, config);
      regressionRule(id, d.value, d.relative, config.comparison.severity);
    }
    for (const r of rules) checks.push(result({ ...base, ...r }));
  }
  return checks;
}

/** ", smallest detectable regression 0.012 (80% power)" — the power statement of a judgement. */
function powerNote(j: NonInferiorityJudgement, relative: boolean): string {
  if (j.mde === null) return '';
  return `, smallest detectable regression ${relative ? percentRounded(j.mde) : formatMetric(j.mde)} (${percentRounded(j.power, 1)} power)`;
}

/** The baseline named for comparison could not be opened: an error, not a comparison skipped in silence. */
export function baselineNotLoaded(spec: string, error: string | null): CheckResult {
  return result({ id: 'comparison.baseline', category: 'comparison', severity: 'blocker', status: 'error', message: `the baseline ${spec} did not load: ${error}` });
}
