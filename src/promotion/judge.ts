/**
 * The canary judge, pure. Each window's numbers are checked against their domain first (NaN,
 * infinite, a negative count, more errors than requests, an absurd magnitude: an error, never a
 * pass). Error rates and latency are then judged on the evidence pooled over every window of the
 * stage so far, by one always-valid sequential test each (promotion/evidence.ts), against stable
 * over the same windows (Kayenta's comparison); `value` metrics are judged window by window. The
 * stage's verdict follows from the tests and the counters (Argo Rollouts' analysis). No data is
 * inconclusive, never a pass.
 */
import type { PromotionConfig, PromotionMetric } from '../config/types.ts';
import { percent, significantOrNull } from '../core/format.ts';
import { judgeErrorRate, judgeLatencyBuckets, judgeLatencySamples, type JudgeContext } from './evidence.ts';
import type { Histogram, Measurement, MetricData, MetricResult, Pair, CanaryVerdict } from './types.ts';
export { histogramQuantile } from './histogram.ts';
export { DEFAULTS } from './evidence.ts';

/**
 * Counts beyond this in one window are not traffic but a broken exporter (10^12 requests in a
 * 60 s window is over 10^10 a second); beyond it, sums lose the precision the tests need.
 */
export const MAX_COUNT = 1e12;
/** Magnitude beyond which a `value` or a latency sample is not believable. */
export const MAX_VALUE = 1e15;

const r = (x: number | null) => significantOrNull(x, 6);
const pct = (x: number) => percent(x, 3);

/** What makes the given counts impossible: not finite, negative, or absurdly large ("errors.canary is -1000"). */
export function countProblem(named: Record<string, number | null | undefined>): string | null {
  const bad = Object.entries(named).flatMap(([k, v]) => {
    if (typeof v !== 'number') return [];
    if (!Number.isFinite(v)) return [`${k} is ${v}`];
    if (v < 0) return [`${k} is ${v} (a count cannot be negative)`];
    if (v > MAX_COUNT) return [`${k} is ${v} (over ${MAX_COUNT} in one window: not believable)`];
    return [];
  });
  return bad.length === 0 ? null : bad.join(', ');
}

/** What is wrong with a histogram's numbers: bounds ascending and finite but the last (+Inf), counts finite and cumulative. */
export function histogramProblem(h: Histogram | null): string | null {
  if (!h) return null;
  if (h.le.length !== h.cumulative.length) return `${h.le.length} bucket bounds but ${h.cumulative.length} counts`;
  for (let i = 0; i < h.le.length; i++) {
    const le = h.le[i]!;
    const c = h.cumulative[i]!;
    if (Number.isNaN(le) || (!Number.isFinite(le) && !(le === Infinity && i === h.le.length - 1))) return `bucket bound ${le}`;
    if (!Number.isFinite(c)) return `count ${c} in bucket le=${le}`;
    if (c < 0) return `negative count ${c} in bucket le=${le}`;
    if (c > MAX_COUNT) return `count ${c} in bucket le=${le} (over ${MAX_COUNT} in one window: not believable)`;
    if (i > 0 && !(le > h.le[i - 1]!)) return `bucket bounds not ascending at le=${le}`;
  }
  return null;
}

/** NaN, infinite, negative or absurd samples (a latency is a duration), by side. */
export function samplesProblem(samples: Pair<number[] | null>): string | null {
  const side = (xs: number[] | null, name: string) => {
    const bad = xs ? xs.filter((x) => !Number.isFinite(x) || x < 0 || x > MAX_VALUE).length : 0;
    return bad > 0 ? `${bad} of the ${name}'s ${xs!.length} samples are NaN, infinite, negative or over ${MAX_VALUE}` : null;
  };
  return side(samples.canary, 'canary') ?? side(samples.stable, 'stable');
}

/**
 * What is wrong with one window's numbers, as an error result (null: nothing). Only a sound window
 * joins the stage's pooled evidence.
 */
export function windowProblem(m: PromotionMetric, d: MetricData): MetricResult | null {
  const base = { name: m.name, kind: m.kind, thresholds: '', verdict: 'error' as const, critical: false, values: {} };
  if (d.kind === 'error_rate') {
    const { errors, requests } = d;
    const broken = countProblem({ 'errors.canary': errors.canary, 'errors.stable': errors.stable, 'requests.canary': requests.canary, 'requests.stable': requests.stable });
    if (broken) return { ...base, reason: `the metrics provider gave counts that cannot be: ${broken}` };
    for (const side of ['canary', 'stable'] as const) {
      const e = errors[side];
      const n = requests[side];
      const raw = { canary_errors: errors.canary, canary_requests: requests.canary, stable_errors: errors.stable, stable_requests: requests.stable };
      if (e !== null && e > 0 && (n === null || e > n)) return { ...base, values: raw, reason: `${side}: ${e} errors but ${n ?? 'no'} requests in the window: the queries do not count the same requests` };
    }
    return null;
  }
  if (d.kind === 'latency' && 'samples' in d) {
    const broken = samplesProblem(d.samples);
    return broken ? { ...base, values: { canary_samples: d.samples.canary?.length ?? 0, stable_samples: d.samples.stable?.length ?? 0 }, reason: `latency samples: ${broken}` } : null;
  }
  if (d.kind === 'latency') {
    const problem = (h: Histogram | null, side: string) => {
      const p = histogramProblem(h);
      return p ? `${side}: ${p}` : null;
    };
    const broken = problem(d.buckets.canary, 'canary') ?? problem(d.buckets.stable, 'stable');
    if (broken) return { ...base, reason: `latency histogram: ${broken}` };
    const { canary, stable } = d.buckets;
    if (canary && stable && (canary.le.length !== stable.le.length || canary.le.some((x, i) => x !== stable.le[i]))) return { ...base, reason: 'canary and stable histograms have different buckets' };
    return null;
  }
  const absurd = Object.entries(d.value).filter(([, v]) => v !== null && !(Number.isFinite(v) && Math.abs(v) <= MAX_VALUE));
  return absurd.length > 0 ? { ...base, reason: `the metrics provider gave ${absurd.map(([k, v]) => `${k} ${v}`).join(', ')}: not a finite number within ±${MAX_VALUE}` } : null;
}

function value(m: PromotionMetric, d: Extract<MetricData, { kind: 'value' }>): MetricResult {
  const rel = m.max_relative?.factor !== undefined ? m.max_relative : null;
  const thresholds = [m.min !== undefined ? `>= ${m.min}` : null, m.max !== undefined ? `<= ${m.max}` : null, m.critical_max !== undefined ? `rollback above ${m.critical_max}` : null, rel ? `<= stable × ${rel.factor} + ${rel.plus}` : null].filter(Boolean).join(', ');
  const base = { name: m.name, kind: m.kind, thresholds };
  const { canary, stable } = d.value;
  const values = { canary: r(canary), stable: r(stable) };
  if (canary === null) return { ...base, verdict: 'inconclusive', critical: false, values, reason: 'no canary value in the window' };
  if (m.critical_max !== undefined && canary > m.critical_max) return { ...base, verdict: 'fail', critical: true, values, reason: `canary ${r(canary)} > ${m.critical_max}: roll back` };
  if (m.max !== undefined && canary > m.max) return { ...base, verdict: 'fail', critical: m.critical, values, reason: `canary ${r(canary)} > ${m.max}` };
  if (m.min !== undefined && canary < m.min) return { ...base, verdict: 'fail', critical: m.critical, values, reason: `canary ${r(canary)} < ${m.min}` };
  if (rel) {
    if (stable === null) return { ...base, verdict: 'inconclusive', critical: false, values, reason: 'no stable value to compare with' };
    const limit = stable * rel.factor! + rel.plus;
    if (canary > limit) return { ...base, verdict: 'fail', critical: m.critical, values, reason: `canary ${r(canary)} > stable ${r(stable)} × ${rel.factor} + ${rel.plus}` };
  }
  return { ...base, verdict: 'pass', critical: false, values, reason: `canary ${r(canary)}${stable !== null ? ` vs stable ${r(stable)}` : ''}` };
}

/**
 * How many sequential tests a metric runs per stage (its share of the false-rollback budget):
 * error rate: the fixed limits (one: the critical limit is the same test at a higher bar) and the
 * relative rule; latency buckets: the tail share and the p95 ratio; samples: the ratio. `value`
 * metrics are point checks per window, outside the budget.
 */
export function testsOf(m: PromotionMetric): number {
  if (m.kind === 'error_rate') return 1 + (m.max_relative?.factor !== undefined ? 1 : 0);
  if (m.kind === 'latency') return m.samples ? 1 : 2;
  return 0;
}

/**
 * Each test's false-rollback risk α per stage: the metric's own `confidence` when set (α = 1 −
 * confidence), else the promotion's budget shared evenly by the stages and the tests of a stage.
 */
export function testAlpha(cfg: PromotionConfig, m: PromotionMetric): number {
  if (m.confidence !== undefined) return 1 - m.confidence;
  const tests = cfg.metrics.reduce((n, x) => n + testsOf(x), 0);
  const stages = cfg.stages.length + (cfg.shadow ? 1 : 0);
  return cfg.analysis.false_rollback_budget / Math.max(1, stages) / Math.max(1, tests);
}

/**
 * A metric's verdict on the stage's windows so far (each already free of problems: windowProblem).
 * Error rates and latency pool every window; a `value` is judged on the last window alone.
 * `alone`: the canary takes all traffic (100%), so stable has none to compare with.
 */
export function judgeWindows(m: PromotionMetric, windows: MetricData[], ctx: JudgeContext): MetricResult {
  const last = windows.at(-1);
  if (!last) return { name: m.name, kind: m.kind, verdict: 'inconclusive', critical: false, values: {}, thresholds: '', reason: 'no window measured yet' };
  if (last.kind === 'value') return value(m, last);
  if (last.kind === 'error_rate') return judgeErrorRate(m, windows as Extract<MetricData, { kind: 'error_rate' }>[], ctx);
  if ('samples' in last) return judgeLatencySamples(m, (windows as { samples: Pair<number[] | null> }[]).map((w) => w.samples), ctx);
  return judgeLatencyBuckets(m, (windows as { buckets: Pair<Histogram | null> }[]).map((w) => w.buckets), ctx);
}

/**
 * One window judged on its own (a stage of one measurement): its problems, else its verdict.
 * `alpha` defaults to 1 − the metric's confidence, or 2%.
 */
export function judgeMetric(m: PromotionMetric, d: MetricData, minRequests: number, alone = false, alpha = 1 - (m.confidence ?? 0.98)): MetricResult {
  return windowProblem(m, d) ?? judgeWindows(m, [d], { minRequests, alone, alpha });
}

/** One measurement's verdict: error over fail over inconclusive over pass. */
export function measurementVerdict(metrics: MetricResult[]): CanaryVerdict {
  if (metrics.length === 0) return 'inconclusive';
  for (const v of ['error', 'fail', 'inconclusive'] as const) if (metrics.some((m) => m.verdict === v)) return v;
  return 'pass';
}

export type StageAction = { action: 'continue' } | { action: 'hold'; reason: string } | { action: 'promote'; reason: string } | { action: 'rollback'; reason: string };

export interface Counters {
  failures: number;
  consecutive_failures: number;
  inconclusive: number;
  consecutive_errors: number;
  /** When holding on inconclusive data began (ms on the stage clock). */
  holding_since: number | null;
}

export const NO_COUNTS: Counters = { failures: 0, consecutive_failures: 0, inconclusive: 0, consecutive_errors: 0, holding_since: null };

export function count(c: Counters, m: Measurement): Counters {
  return {
    failures: c.failures + (m.verdict === 'fail' ? 1 : 0),
    consecutive_failures: m.verdict === 'fail' ? c.consecutive_failures + 1 : 0,
    inconclusive: c.inconclusive + (m.verdict === 'inconclusive' ? 1 : 0),
    consecutive_errors: m.verdict === 'error' ? c.consecutive_errors + 1 : 0,
    holding_since: c.holding_since,
  };
}

/**
 * What to do after a measurement. `now` and `bakeEnd` are on the same clock (ms). The order
 * matters: a failed sequential test, a critical failure or a limit rolls back before the bake's end
 * is considered. During the bake missing data only waits (the pooled tests gather it); at its end
 * a verdict without the evidence holds by policy, never fails for want of data per window.
 */
export function decideStage(measurements: Measurement[], c: Counters, cfg: PromotionConfig, now: number, bakeEnd: number): StageAction {
  const a = cfg.analysis;
  const last = measurements.at(-1);
  const critical = last?.metrics.find((m) => m.verdict === 'fail' && m.critical);
  if (critical) return { action: 'rollback', reason: `critical: ${critical.name}: ${critical.reason}` };
  const tested = last?.metrics.find((m) => m.verdict === 'fail' && m.evidence);
  if (tested) return { action: 'rollback', reason: `${tested.name}: ${tested.reason}` };
  if (c.failures > a.failure_limit) return { action: 'rollback', reason: `${c.failures} measurements failed (limit ${a.failure_limit})` };
  if (c.consecutive_failures > a.consecutive_failure_limit) return { action: 'rollback', reason: `${c.consecutive_failures} measurements in a row failed (limit ${a.consecutive_failure_limit})` };
  if (c.consecutive_errors > a.consecutive_error_limit) return { action: 'rollback', reason: `metrics could not be read ${c.consecutive_errors} times in a row (limit ${a.consecutive_error_limit})` };
  if (now < bakeEnd) return { action: 'continue' };
  // The bake is over. The last measurement holds every pooled verdict: all of them passing promote;
  // missing evidence holds, by policy. `min_success_rate` counts only the windowed `value` checks
  // (a pooled test's early windows are inconclusive by design: they must not count against it).
  const windowed = (m: Measurement) => m.metrics.filter((x) => x.kind === 'value' && !x.evidence);
  const hasWindowed = last !== undefined && windowed(last).length > 0;
  const recent = measurements.slice(-a.success_window);
  const passed = recent.filter((m) => windowed(m).length > 0 && windowed(m).every((x) => x.verdict === 'pass')).length;
  const rate = recent.length === 0 ? 0 : passed / recent.length;
  const pooled = last?.metrics.filter((m) => m.evidence || m.kind !== 'value') ?? [];
  const open = last?.metrics.filter((m) => m.verdict === 'inconclusive' || m.verdict === 'error') ?? [];
  const pooledFail = pooled.find((m) => m.verdict === 'fail');
  if (last && open.length === 0 && !pooledFail && (!hasWindowed || (passed > 0 && rate >= a.min_success_rate))) {
    const said = pooled.map((m) => `${m.name}: ${m.reason}`).join('; ');
    return { action: 'promote', reason: !hasWindowed ? said : `${passed} of the last ${recent.length} measurements passed their value checks (at least ${pct(a.min_success_rate)} needed)${said ? `; ${said}` : ''}` };
  }
  if (open.length > 0) {
    const why = open.map((m) => `${m.name}: ${m.reason}`).join('; ');
    if (a.on_inconclusive === 'rollback') return { action: 'rollback', reason: `no conclusive evidence at the end of the bake (${why})` };
    const holdEnd = c.holding_since === null ? null : c.holding_since + a.hold_minutes * 60_000;
    if (holdEnd !== null && now >= holdEnd) return { action: 'rollback', reason: `held ${a.hold_minutes} min without conclusive data (${why})` };
    return { action: 'hold', reason: `holding for evidence (${why})` };
  }
  if (pooledFail) return { action: 'rollback', reason: `${pooledFail.name}: ${pooledFail.reason}` };
  return { action: 'rollback', reason: `only ${passed} of the last ${recent.length} measurements passed their value checks (at least ${pct(a.min_success_rate)} needed)` };
}
