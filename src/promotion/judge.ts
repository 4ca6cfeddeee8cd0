/**
 * The canary judge, pure: each metric of a measurement against its thresholds and against stable
 * over the same window (Kayenta's way: a statistical test and an effect size), then the stage's
 * verdict from the counters of failed, inconclusive and errored measurements (Argo Rollouts' way).
 * No data is inconclusive, never a pass; a value that cannot be (NaN, infinite, a negative count,
 * more errors than requests, an absurd magnitude) is an error, never a pass: every value is
 * checked against its domain before any threshold sees it (NaN compares false with every one).
 */
import type { PromotionConfig, PromotionMetric } from '../config/types.ts';
import { mannWhitneyGrouped } from '../stats/mannwhitney.ts';
import { mean, quantileSorted, sortedCopy } from '../stats/quantile.ts';
import { twoProportionZ } from '../stats/proportions.ts';

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';

/** A cumulative histogram: bucket upper bounds (`le`, +Inf last) and counts up to each. */
export interface Histogram {
  le: number[];
  cumulative: number[];
}

export type MetricData =
  | { kind: 'error_rate'; errors: Pair<number | null>; requests: Pair<number | null> }
  | { kind: 'latency'; buckets: Pair<Histogram | null> }
  | { kind: 'latency'; samples: Pair<number[] | null> }
  | { kind: 'value'; value: Pair<number | null> };

export interface Pair<T> {
  canary: T;
  stable: T;
}

export interface MetricResult {
  name: string;
  kind: PromotionMetric['kind'];
  verdict: Verdict;
  /** A failure that rolls back at once. */
  critical: boolean;
  values: Record<string, number | null>;
  thresholds: string;
  reason: string;
}

export interface Measurement {
  index: number;
  at: string;
  verdict: Verdict;
  metrics: MetricResult[];
}

/** Error rates: warn (fail) at 5%, roll back at 10%; latency: p95 ratio 1.2× fails, 1.5× rolls back. */
export const DEFAULTS = { error_max: 0.05, error_critical: 0.1, latency_warning: 1.2, latency_critical: 1.5 };

/**
 * Counts beyond this in one window are not traffic but a broken exporter (10^12 requests in a
 * 60 s window is over 10^10 a second); beyond it, sums lose the precision the tests need.
 */
export const MAX_COUNT = 1e12;
/** Magnitude beyond which a `value` or a latency sample is not believable. */
export const MAX_VALUE = 1e15;

const r = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Number(x.toPrecision(6)));
const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;

/** What makes the given counts impossible: not finite, negative, or absurdly large ("errors.canary is -1000"). */
function countProblem(named: Record<string, number | null | undefined>): string | null {
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
function histogramProblem(h: Histogram | null): string | null {
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
function samplesProblem(samples: Pair<number[] | null>): string | null {
  const side = (xs: number[] | null, name: string) => {
    const bad = xs ? xs.filter((x) => !Number.isFinite(x) || x < 0 || x > MAX_VALUE).length : 0;
    return bad > 0 ? `${bad} of the ${name}'s ${xs!.length} samples are NaN, infinite, negative or over ${MAX_VALUE}` : null;
  };
  return side(samples.canary, 'canary') ?? side(samples.stable, 'stable');
}

function errorRate(m: PromotionMetric, d: Extract<MetricData, { kind: 'error_rate' }>, minRequests: number, alone: boolean): MetricResult {
  const max = m.max ?? DEFAULTS.error_max;
  const critical = m.critical_max ?? DEFAULTS.error_critical;
  const rel = m.max_relative?.factor !== undefined ? m.max_relative : null;
  const thresholds = [`<= ${pct(max)}`, `rollback above ${pct(critical)}`, rel ? `<= stable × ${rel.factor} + ${rel.plus} when significant` : null].filter(Boolean).join(', ');
  const { errors, requests } = d;
  const base = { name: m.name, kind: m.kind, thresholds };
  const raw = { canary_errors: errors.canary, canary_requests: requests.canary, stable_errors: errors.stable, stable_requests: requests.stable };
  const broken = countProblem({ 'errors.canary': errors.canary, 'errors.stable': errors.stable, 'requests.canary': requests.canary, 'requests.stable': requests.stable });
  if (broken) return { ...base, verdict: 'error', critical: false, values: {}, reason: `the metrics provider gave counts that cannot be: ${broken}` };
  for (const side of ['canary', 'stable'] as const) {
    const e = errors[side];
    const n = requests[side];
    if (e !== null && e > 0 && (n === null || e > n)) return { ...base, verdict: 'error', critical: false, values: raw, reason: `${side}: ${e} errors but ${n ?? 'no'} requests in the window: the queries do not count the same requests` };
  }
  // An errors query without series is zero errors (Prometheus has no series until the first error);
  // missing request counts are no data.
  const nc = requests.canary ?? 0;
  const ns = requests.stable ?? 0;
  const rateC = nc > 0 ? (errors.canary ?? 0) / nc : null;
  const rateS = ns > 0 ? (errors.stable ?? 0) / ns : null;
  const values = { canary_rate: r(rateC), stable_rate: r(rateS), canary_requests: nc, stable_requests: ns, canary_errors: errors.canary, stable_errors: errors.stable };
  if (nc < minRequests || rateC === null) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: `only ${nc} canary requests in the window (at least ${minRequests} needed)` };
  }
  if (rateC > critical) return { ...base, verdict: 'fail', critical: true, values, reason: `canary error rate ${pct(rateC)} > ${pct(critical)}: roll back` };
  if (rateC > max) return { ...base, verdict: 'fail', critical: m.critical, values, reason: `canary error rate ${pct(rateC)} > ${pct(max)}` };
  // Below 100% stable serves the rest: without it in the window nothing is compared, and a canary
  // judged alone on a window where stable vanished is no evidence.
  if (!alone && (requests.stable === null || ns < minRequests)) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: requests.stable === null ? 'no stable request count in the window: stable is not measured' : `only ${ns} stable requests in the window (at least ${minRequests} needed)` };
  }
  if (rel && rateS !== null && ns >= minRequests) {
    const limit = rateS * rel.factor! + rel.plus;
    const z = twoProportionZ(errors.canary ?? 0, nc, errors.stable ?? 0, ns);
    const significant = Number.isFinite(z.pValue) && z.pValue < 1 - m.confidence && rateC > rateS;
    Object.assign(values, { relative_limit: r(limit), p_value: r(z.pValue) });
    if (rateC > limit && significant) {
      return { ...base, verdict: 'fail', critical: m.critical, values, reason: `canary ${pct(rateC)} vs stable ${pct(rateS)}: over stable × ${rel.factor} + ${rel.plus} (z-test p=${r(z.pValue)})` };
    }
  }
  return { ...base, verdict: 'pass', critical: false, values, reason: `canary ${pct(rateC)}${rateS !== null ? ` vs stable ${pct(rateS)}` : ''}` };
}

/** Counts per bucket from cumulative counts; the +Inf bucket is kept. */
function perBucket(h: Histogram): number[] {
  return h.cumulative.map((c, i) => Math.max(0, c - (i > 0 ? h.cumulative[i - 1]! : 0)));
}

/** A quantile of a histogram as Prometheus' histogram_quantile computes it (linear within a bucket). */
export function histogramQuantile(h: Histogram, q: number): number | null {
  const total = h.cumulative.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < h.le.length; i++) {
    if (h.cumulative[i]! >= rank) {
      if (!Number.isFinite(h.le[i]!)) return h.le[i - 1] ?? null; // in the +Inf bucket: the highest finite bound
      const lower = i > 0 ? h.le[i - 1]! : 0;
      const below = i > 0 ? h.cumulative[i - 1]! : 0;
      const inBucket = h.cumulative[i]! - below;
      return inBucket > 0 ? lower + (h.le[i]! - lower) * ((rank - below) / inBucket) : h.le[i]!;
    }
  }
  return null;
}

/** The mean, with each observation at its bucket's middle (the +Inf bucket at the highest finite bound). */
function histogramMean(h: Histogram): number | null {
  const counts = perBucket(h);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let sum = 0;
  counts.forEach((c, i) => {
    const hi = Number.isFinite(h.le[i]!) ? h.le[i]! : h.le[i - 1] ?? 0;
    const lo = i > 0 && Number.isFinite(h.le[i - 1]!) ? h.le[i - 1]! : 0;
    sum += c * (Number.isFinite(h.le[i]!) ? (lo + hi) / 2 : hi);
  });
  return sum / total;
}

/** Samples as a histogram whose buckets are their distinct values: the same test, ties as ties. */
function asGroups(canary: number[], stable: number[]): { canary: Histogram; stable: Histogram } {
  const values = [...new Set([...canary, ...stable])].sort((a, b) => a - b);
  const at = new Map(values.map((v, i) => [v, i]));
  const cum = (xs: number[]) => {
    const counts = new Array<number>(values.length).fill(0);
    for (const x of xs) counts[at.get(x)!]!++;
    let sum = 0;
    return counts.map((c) => (sum += c));
  };
  return { canary: { le: values, cumulative: cum(canary) }, stable: { le: values, cumulative: cum(stable) } };
}

function latencySamples(m: PromotionMetric, canary: number[] | null, stable: number[] | null, alone: boolean): MetricResult {
  const warning = m.warning_ratio ?? DEFAULTS.latency_warning;
  const critical = m.critical_ratio ?? DEFAULTS.latency_critical;
  const thresholds = `p95 ratio < ${warning}× (rollback at ${critical}×) when the canary's samples are significantly higher (Mann–Whitney, ${Math.round(m.confidence * 100)}% confidence)`;
  const base = { name: m.name, kind: m.kind, thresholds };
  const nc = canary?.length ?? 0;
  const ns = stable?.length ?? 0;
  const MIN = 3;
  const broken = samplesProblem({ canary, stable });
  if (broken) return { ...base, verdict: 'error', critical: false, values: { canary_samples: nc, stable_samples: ns }, reason: `latency samples: ${broken}` };
  if (canary && nc >= MIN && ns === 0 && alone) {
    return { ...base, verdict: 'pass', critical: false, values: { canary_p95: r(quantileSorted(sortedCopy(canary), 0.95)), canary_samples: nc, stable_samples: 0 }, reason: 'not compared: stable served no traffic in the window' };
  }
  if (!canary || !stable || nc < MIN || ns < MIN) {
    return { ...base, verdict: 'inconclusive', critical: false, values: { canary_samples: nc, stable_samples: ns }, reason: `${nc} canary and ${ns} stable samples in the window (at least ${MIN} each needed)` };
  }
  const sc = sortedCopy(canary);
  const ss = sortedCopy(stable);
  const p95c = quantileSorted(sc, 0.95);
  const p95s = quantileSorted(ss, 0.95);
  const ratio = p95c / p95s;
  const meanRatio = mean(sc) / mean(ss);
  const g = asGroups(canary, stable);
  const test = mannWhitneyGrouped(perBucket(g.canary), perBucket(g.stable), 'greater');
  const significant = test.p_value < 1 - m.confidence;
  const values = { canary_p95: r(p95c), stable_p95: r(p95s), p95_ratio: r(ratio), mean_ratio: r(meanRatio), p_value: r(test.p_value), canary_samples: nc, stable_samples: ns };
  const said = `p95 ${r(p95c)} vs ${r(p95s)} (×${r(ratio)}), mean ×${r(meanRatio)}, Mann–Whitney p=${r(test.p_value)}`;
  if (significant && ratio >= critical) return { ...base, verdict: 'fail', critical: true, values, reason: `canary slower: ${said}: roll back` };
  if (significant && ratio >= warning) return { ...base, verdict: 'fail', critical: m.critical, values, reason: `canary slower: ${said}` };
  return { ...base, verdict: 'pass', critical: false, values, reason: said };
}

function latency(m: PromotionMetric, d: Extract<MetricData, { kind: 'latency'; buckets: Pair<Histogram | null> }>, minRequests: number, alone: boolean): MetricResult {
  const warning = m.warning_ratio ?? DEFAULTS.latency_warning;
  const critical = m.critical_ratio ?? DEFAULTS.latency_critical;
  const thresholds = `p95 ratio < ${warning}× (rollback at ${critical}×) when the canary is significantly slower (Mann–Whitney, ${Math.round(m.confidence * 100)}% confidence)`;
  const base = { name: m.name, kind: m.kind, thresholds };
  const { canary, stable } = d.buckets;
  const problem = (h: Histogram | null, side: string) => {
    const p = histogramProblem(h);
    return p ? `${side}: ${p}` : null;
  };
  const broken = problem(canary, 'canary') ?? problem(stable, 'stable');
  if (broken) return { ...base, verdict: 'error', critical: false, values: {}, reason: `latency histogram: ${broken}` };
  const nc = canary?.cumulative.at(-1) ?? 0;
  const ns = stable?.cumulative.at(-1) ?? 0;
  if (canary && nc >= minRequests && ns === 0 && alone) {
    // The canary serves everything (the 100% stage): nothing to compare with, nothing wrong seen.
    const p95c = histogramQuantile(canary, 0.95)!;
    return { ...base, verdict: 'pass', critical: false, values: { canary_p95: r(p95c), canary_requests: nc, stable_requests: 0 }, reason: `p95 ${r(p95c)}; not compared: stable served no traffic in the window` };
  }
  if (!canary || !stable || nc < minRequests || ns < minRequests) {
    return { ...base, verdict: 'inconclusive', critical: false, values: { canary_requests: nc, stable_requests: ns }, reason: `${nc} canary and ${ns} stable observations in the window (at least ${minRequests} each needed)` };
  }
  if (canary.le.length !== stable.le.length || canary.le.some((x, i) => x !== stable.le[i])) {
    return { ...base, verdict: 'error', critical: false, values: {}, reason: 'canary and stable histograms have different buckets' };
  }
  const p95c = histogramQuantile(canary, 0.95)!;
  const p95s = histogramQuantile(stable, 0.95)!;
  const ratio = p95c / p95s;
  const meanRatio = histogramMean(canary)! / histogramMean(stable)!;
  const test = mannWhitneyGrouped(perBucket(canary), perBucket(stable), 'greater');
  const significant = test.p_value < 1 - m.confidence;
  const values = { canary_p95: r(p95c), stable_p95: r(p95s), p95_ratio: r(ratio), mean_ratio: r(meanRatio), p_value: r(test.p_value), canary_requests: nc, stable_requests: ns };
  const said = `p95 ${r(p95c)} vs ${r(p95s)} (×${r(ratio)}), mean ×${r(meanRatio)}, Mann–Whitney p=${r(test.p_value)}`;
  if (significant && ratio >= critical) return { ...base, verdict: 'fail', critical: true, values, reason: `canary slower: ${said}: roll back` };
  if (significant && ratio >= warning) return { ...base, verdict: 'fail', critical: m.critical, values, reason: `canary slower: ${said}` };
  return { ...base, verdict: 'pass', critical: false, values, reason: significant ? `slower but within ×${warning}: ${said}` : said };
}

function value(m: PromotionMetric, d: Extract<MetricData, { kind: 'value' }>): MetricResult {
  const rel = m.max_relative?.factor !== undefined ? m.max_relative : null;
  const thresholds = [m.min !== undefined ? `>= ${m.min}` : null, m.max !== undefined ? `<= ${m.max}` : null, m.critical_max !== undefined ? `rollback above ${m.critical_max}` : null, rel ? `<= stable × ${rel.factor} + ${rel.plus}` : null].filter(Boolean).join(', ');
  const base = { name: m.name, kind: m.kind, thresholds };
  const { canary, stable } = d.value;
  const values = { canary: r(canary), stable: r(stable) };
  const absurd = Object.entries({ canary, stable }).filter(([, v]) => v !== null && !(Number.isFinite(v) && Math.abs(v) <= MAX_VALUE));
  if (absurd.length > 0) return { ...base, verdict: 'error', critical: false, values: {}, reason: `the metrics provider gave ${absurd.map(([k, v]) => `${k} ${v}`).join(', ')}: not a finite number within ±${MAX_VALUE}` };
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

/** `alone`: the canary takes all traffic (100%), so stable has none to compare with. */
export function judgeMetric(m: PromotionMetric, d: MetricData, minRequests: number, alone = false): MetricResult {
  if (d.kind === 'error_rate') return errorRate(m, d, minRequests, alone);
  if (d.kind === 'latency') return 'samples' in d ? latencySamples(m, d.samples.canary, d.samples.stable, alone) : latency(m, d, minRequests, alone);
  return value(m, d);
}

/** One measurement's verdict: error over fail over inconclusive over pass. */
export function measurementVerdict(metrics: MetricResult[]): Verdict {
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
 * matters: a critical failure or a limit rolls back before the bake's end is considered.
 */
export function decide(measurements: Measurement[], c: Counters, cfg: PromotionConfig, now: number, bakeEnd: number): StageAction {
  const a = cfg.analysis;
  const last = measurements.at(-1);
  const critical = last?.metrics.find((m) => m.verdict === 'fail' && m.critical);
  if (critical) return { action: 'rollback', reason: `critical: ${critical.name}: ${critical.reason}` };
  if (c.failures > a.failure_limit) return { action: 'rollback', reason: `${c.failures} measurements failed (limit ${a.failure_limit})` };
  if (c.consecutive_failures > a.consecutive_failure_limit) return { action: 'rollback', reason: `${c.consecutive_failures} measurements in a row failed (limit ${a.consecutive_failure_limit})` };
  if (c.consecutive_errors > a.consecutive_error_limit) return { action: 'rollback', reason: `metrics could not be read ${c.consecutive_errors} times in a row (limit ${a.consecutive_error_limit})` };
  const holdEnd = c.holding_since === null ? null : c.holding_since + a.hold_minutes * 60_000;
  if (c.inconclusive > a.inconclusive_limit) {
    if (a.on_inconclusive === 'rollback') return { action: 'rollback', reason: `${c.inconclusive} measurements were inconclusive (limit ${a.inconclusive_limit})` };
    if (holdEnd !== null && now >= holdEnd) return { action: 'rollback', reason: `held ${a.hold_minutes} min without conclusive data (${c.inconclusive} inconclusive measurements)` };
  }
  if (now < bakeEnd) return c.inconclusive > a.inconclusive_limit ? { action: 'hold', reason: `${c.inconclusive} inconclusive measurements: holding` } : { action: 'continue' };
  // The bake is over: enough recent passes promote; a shortfall of data holds; failures roll back.
  const recent = measurements.slice(-a.success_window);
  const passed = recent.filter((m) => m.verdict === 'pass').length;
  const rate = recent.length === 0 ? 0 : passed / recent.length;
  if (passed > 0 && rate >= a.min_success_rate) {
    return { action: 'promote', reason: `${passed} of the last ${recent.length} measurements passed (at least ${pct(a.min_success_rate)} needed)` };
  }
  const inconclusive = recent.filter((m) => m.verdict === 'inconclusive' || m.verdict === 'error').length;
  if (inconclusive > 0 && a.on_inconclusive === 'hold' && (holdEnd === null || now < holdEnd)) {
    return { action: 'hold', reason: `only ${passed} of the last ${recent.length} measurements passed, ${inconclusive} without conclusive data: holding` };
  }
  return { action: 'rollback', reason: `only ${passed} of the last ${recent.length} measurements passed (at least ${pct(a.min_success_rate)} needed)` };
}
