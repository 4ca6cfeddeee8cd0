/**
 * The candidate against the baseline on the same rows: paired bootstrap intervals of each
 * metric's change, McNemar's exact test on per-row correctness, signed change thresholds, and
 * how far predictions moved. Pure: over both models' evaluations.
 */
import type { GateConfig, MetricName, MetricThreshold } from '../config/types.ts';
import { pairedBootstrap, type Interval } from '../stats/bootstrap.ts';
import { discordant, mcnemarExact, type McNemar } from '../stats/mcnemar.ts';
import { psi } from '../stats/psi.ts';
import type { ModelSignature } from '../runners/types.ts';
import { HIGHER_IS_BETTER, metricsForTask, metricsFunction, primaryMetric, type Evaluation, type ModelView } from './evaluation.ts';
import { formatMetric } from './metrics.ts';
import { nonFiniteEvaluation } from './finite.ts';
import { result, round, type CheckResult, type CheckStatus, type Severity } from './types.ts';

const CATEGORY = 'comparison';
/** Below this |baseline|, a relative change is undefined rather than huge. */
const RELATIVE_GUARD = 1e-12;

export type Verdict = 'improvement' | 'regression' | 'no significant change';

export interface MetricComparison {
  metric: MetricName;
  direction: 'higher' | 'lower';
  candidate: number | null;
  baseline: number | null;
  delta: number | null;
  relative_delta: number | null;
  /** Bootstrap interval of the delta (candidate − baseline). */
  interval: Interval | null;
  relative_interval: Interval | null;
  /** McNemar's p for accuracy; otherwise null (the interval is the test). */
  p_value: number | null;
  verdict: Verdict | null;
}

export interface Agreement {
  rows: number;
  /** Share of rows whose predicted class differs (classification). */
  flip_share: number | null;
  mean_abs_score_delta: number | null;
  /** PSI of the candidate's scores against the baseline's (baseline deciles). */
  score_psi: number | null;
}

export interface ComparisonReport {
  confidence: number;
  resamples: number;
  seed: number;
  metrics: MetricComparison[];
  mcnemar: McNemar | null;
}

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
  if (candidate.task !== 'regression' && baseline.task !== 'regression') {
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
  return { rows: n, flip_share: flips === null ? null : flips / n, mean_abs_score_delta: meanAbs, score_psi: scorePsi };
}

/** A predicted class index as a comparable key (-1: a label outside the model's classes). */
const classOf = (classes: readonly (number | string)[]) => {
  const keys = classes.map((c) => (typeof c === 'number' ? `n:${c}` : `s:${c}`));
  return (k: number) => (k >= 0 ? keys[k]! : 'outside');
};

export function judgeAgreement(a: Agreement, config: GateConfig): CheckResult[] {
  const cfg = config.comparison.agreement;
  const parts = [
    a.flip_share !== null ? `${round(a.flip_share * 100, 2)}% of rows change class` : null,
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
        message: value === null ? `${what} cannot be measured for this model` : `${what} ${formatMetric(value)} ${value <= max ? 'within' : 'above'} ${max}`,
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
  /** (done, total) resamples, for a bootstrap that runs for minutes on large data. */
  progress?: (done: number, total: number) => void,
): ComparisonReport {
  // Fail closed before resampling: no metric change is defined on NaN or infinite predictions.
  const refused = nonFiniteEvaluation(candidate, 'candidate') ?? nonFiniteEvaluation(baseline, 'baseline');
  if (refused) throw new Error(refused);
  const cfg = config.comparison;
  const names = comparedMetrics(candidate.task, config);
  const cand = metricsFunction(candidate, names, config.metrics.ece_bins);
  const base = metricsFunction(baseline, names, config.metrics.ece_bins);
  const n = candidate.task === 'regression' ? candidate.y.length : candidate.data.y.length;
  const point = { c: cand(candidate.weights), b: base(candidate.weights) };
  const boot = pairedBootstrap(
    n,
    (w) => {
      const c = cand(w);
      const b = base(w);
      return names.flatMap((_, i) => {
        const ci = c[i];
        const bi = b[i];
        if (ci === null || ci === undefined || bi === null || bi === undefined) return [null, null];
        return [ci - bi, Math.abs(bi) < RELATIVE_GUARD ? null : (ci - bi) / Math.abs(bi)];
      });
    },
    { resamples: cfg.resamples, level: cfg.confidence, seed: cfg.seed, weights: candidate.weights, progress },
  );
  let mcnemar: McNemar | null = null;
  if (candidate.task !== 'regression' && baseline.task !== 'regression') {
    const right = (e: typeof candidate & { task: 'binary' | 'multiclass' }) => Uint8Array.from(e.data.y, (y, i) => (e.data.pred[i] === y ? 1 : 0));
    const [b, c] = discordant(right(candidate), right(baseline as typeof candidate & { task: 'binary' | 'multiclass' }));
    mcnemar = mcnemarExact(b, c);
  }
  const metrics = names.map((metric, i): MetricComparison => {
    const c = point.c[i] ?? null;
    const b = point.b[i] ?? null;
    const direction = config.metrics.thresholds[metric]?.direction ?? (HIGHER_IS_BETTER.has(metric) ? 'higher' : 'lower');
    const delta = c !== null && b !== null ? c - b : null;
    const interval = boot.intervals[2 * i] ?? null;
    const p = metric === 'accuracy' && mcnemar ? mcnemar.p_value : null;
    return {
      metric,
      direction,
      candidate: c,
      baseline: b,
      delta,
      relative_delta: delta !== null && b !== null && Math.abs(b) >= RELATIVE_GUARD ? delta / Math.abs(b) : null,
      interval,
      relative_interval: boot.intervals[2 * i + 1] ?? null,
      p_value: p,
      verdict: interval ? verdictOf(interval, direction, p, cfg.alpha) : null,
    };
  });
  return { confidence: cfg.confidence, resamples: cfg.resamples, seed: cfg.seed, metrics, mcnemar };
}

/** The change as improvement (positive is better), so that every rule reads the same way. */
const improvement = (i: Interval, direction: 'higher' | 'lower'): Interval => (direction === 'higher' ? i : { low: -i.high, high: -i.low });

function verdictOf(interval: Interval, direction: 'higher' | 'lower', p: number | null, alpha: number): Verdict {
  const imp = improvement(interval, direction);
  const significant = p === null || p < alpha;
  if (significant && imp.low > 0) return 'improvement';
  if (significant && imp.high < 0) return 'regression';
  return 'no significant change';
}

const fmtInterval = (i: Interval, pct = false) => (pct ? `[${round(i.low * 100, 2)}%, ${round(i.high * 100, 2)}%]` : `[${formatMetric(i.low)}, ${formatMetric(i.high)}]`);

/** One checklist item per change rule; the primary metric's default rule when none is set. */
export function judgeComparison(report: ComparisonReport, task: Evaluation['task'], config: GateConfig): CheckResult[] {
  const checks: CheckResult[] = [];
  const level = `${round(report.confidence * 100, 1)}%`;
  const primary = primaryMetric(task, config);
  for (const m of report.metrics) {
    const t = config.metrics.thresholds[m.metric];
    const severity: Severity = t?.severity ?? config.metrics.severity;
    const id = `comparison.${m.metric}`;
    const base = { category: CATEGORY, value: m.delta };
    const summary = `${m.metric} ${formatMetric(m.candidate)} vs ${formatMetric(m.baseline)} (Δ ${m.delta === null ? 'n/a' : formatMetric(m.delta)}${
      m.interval ? `, ${level} CI ${fmtInterval(m.interval)}` : ''
    }${m.p_value !== null ? `, McNemar p=${formatMetric(m.p_value)}` : ''})`;
    if (!m.interval || m.delta === null) {
      checks.push(result({ ...base, id, severity, status: 'error', message: `${summary}: the change could not be estimated on these rows` }));
      continue;
    }
    const imp = improvement(m.interval, m.direction);
    const relImp = m.relative_interval ? improvement(m.relative_interval, m.direction) : null;
    const significant = m.p_value === null || m.p_value < config.comparison.alpha;
    const rules: { id: string; threshold: string; status: CheckStatus; severity: Severity; message: string }[] = [];
    const regressionRule = (suffix: string, allowed: number, i: Interval | null, rel: boolean) => {
      const label = rel ? `${round(allowed * 100, 2)}%` : formatMetric(allowed);
      if (!i) return rules.push({ id: `${id}.${suffix}`, threshold: `regress by <= ${label}`, status: 'error', severity, message: `${summary}: the relative change is undefined (baseline ≈ 0)` });
      const beyond = i.high < -allowed && significant;
      const worse = i.high < 0 && significant;
      rules.push({
        id: `${id}.${suffix}`,
        threshold: `regress by <= ${label}`,
        status: beyond ? 'fail' : worse ? 'warn' : 'pass',
        severity,
        message: beyond
          ? `${summary}: regressed by more than the allowed ${label}`
          : worse
            ? `${summary}: a significant regression, its interval reaching past the allowed ${label}`
            : `${summary}: ${m.verdict}`,
      });
    };
    const improveRule = (suffix: string, needed: number, i: Interval | null, rel: boolean) => {
      const label = rel ? `${round(needed * 100, 2)}%` : formatMetric(needed);
      if (!i) return rules.push({ id: `${id}.${suffix}`, threshold: `improve by >= ${label}`, status: 'error', severity, message: `${summary}: the relative change is undefined (baseline ≈ 0)` });
      const ok = i.low >= needed && significant;
      rules.push({
        id: `${id}.${suffix}`,
        threshold: `improve by >= ${label}`,
        status: ok ? 'pass' : 'fail',
        severity,
        message: ok ? `${summary}: improved by at least ${label}` : `${summary}: an improvement of ${label} is not shown (${m.verdict})`,
      });
    };
    const suspiciousRule = (suffix: string, limit: number, i: Interval | null, rel: boolean) => {
      const label = rel ? `${round(limit * 100, 2)}%` : formatMetric(limit);
      const flagged = !!i && i.low > limit;
      rules.push({
        id: `${id}.${suffix}`,
        threshold: `improvement <= ${label}`,
        status: flagged ? 'warn' : 'pass',
        severity: t?.severity ?? 'warning',
        message: flagged ? `${summary}: improved by more than ${label}, which is suspicious (label leakage? a different eval set?)` : `${summary}: no suspicious improvement`,
      });
    };
    if (t?.max_regression !== undefined) regressionRule('max_regression', t.max_regression, imp, false);
    if (t?.max_regression_relative !== undefined) regressionRule('max_regression_relative', t.max_regression_relative, relImp, true);
    if (t?.min_improvement !== undefined) improveRule('min_improvement', t.min_improvement, imp, false);
    if (t?.min_improvement_relative !== undefined) improveRule('min_improvement_relative', t.min_improvement_relative, relImp, true);
    if (t?.suspicious_improvement !== undefined) suspiciousRule('suspicious_improvement', t.suspicious_improvement, imp, false);
    if (t?.suspicious_improvement_relative !== undefined) suspiciousRule('suspicious_improvement_relative', t.suspicious_improvement_relative, relImp, true);
    if (rules.length === 0 && m.metric === primary) {
      // Default: a statistically significant regression of the primary metric blocks.
      const regressed = m.verdict === 'regression';
      rules.push({
        id,
        threshold: 'no significant regression',
        status: regressed ? 'fail' : 'pass',
        severity: config.comparison.severity,
        message: regressed ? `${summary}: a significant regression` : `${summary}: ${m.verdict}`,
      });
    }
    for (const r of rules) checks.push(result({ ...base, ...r }));
  }
  return checks;
}
