/**
 * Error rates and latency judged on the evidence pooled over the stage's windows, one always-valid
 * sequential test per rule (promotion/tolerance.ts): a rule fails only when the test's lower bound
 * shows the canary beyond its tolerance, and passes only once there is enough evidence (at least
 * `min_requests` pooled, the canary's error rate shown below its rollback limit, its latency tail
 * shown below TAIL_CEILING). Latency from
 * histograms is read by bucket edges only (promotion/histogram.ts): the share of requests slower
 * than an edge, and the p95 ratio bounded by the edges its p95s are shown to lie between.
 */
import type { PromotionMetric } from '../config/types.ts';
import { percent, percentPoints, significant, significantOrNull, wholeNumber } from '../core/format.ts';
import { quantileSorted, sortedCopy } from '../stats/quantile.ts';
import { alwaysValid } from '../stats/sequential.ts';
import { above, histogramQuantile, poolHistograms, quantileBucket, total } from './histogram.ts';
import type { Histogram, MetricData, MetricResult, Pair, TestEvidence } from './types.ts';
import { toleranceTest, type Arm, type ToleranceTest } from './tolerance.ts';

export interface JudgeContext {
  /** Requests (per arm) the pooled evidence needs before any verdict. */
  minRequests: number;
  /** The canary takes all traffic (100%): stable has none to compare with. */
  alone: boolean;
  /** This metric's tests' false-rollback risk for the stage. */
  alpha: number;
  /** At a stage that carries evidence (carry.ts): the stages whose windows the test holds, this one last (or this one only). */
  stages?: string[];
}

/** Error rates: warn (fail) at 5%, roll back at 10%; latency: p95 ratio 1.2× fails, 1.5× rolls back; tail share ≤ 2 × stable's + 1%. */
export const DEFAULTS = { error_max: 0.05, error_critical: 0.1, latency_warning: 1.2, latency_critical: 1.5, tail_factor: 2, tail_plus: 0.01 };
/**
 * A latency pass needs the canary's share slower than the tail edge (stable's p95 edge) shown
 * below this: a canary whose p75 is beyond stable's p95 (about ×1.6 for a lognormal spread of 0.5)
 * is not shown healthy, however wide the interval of the tolerance test.
 */
export const TAIL_CEILING = 0.25;
/** No latency rollback on fewer canary requests than this beyond the edge that decides. */
export const MIN_TAIL = 20;
/**
 * Windows before a comparison with stable can roll back: with fewer, variation from window to
 * window cannot be told from a difference between the versions (the fixed limits need none).
 */
export const MIN_WINDOWS = 3;
/** Samples mode: windows (each one value per arm) before the ratio is tested. */
export const MIN_SAMPLE_WINDOWS = 5;

const r = (x: number | null) => significantOrNull(x, 6);
const pct = (x: number) => percent(x, 3);
/** A share difference in percentage points, signed. */
const pp = (x: number) => percentPoints(x, 2);
const conf = (alpha: number) => percent(1 - alpha, 4);
const n = wholeNumber;
/** A histogram bucket's edge; the last one is +Inf. */
const sec = (x: number) => (Number.isFinite(x) ? `${significant(x, 4)} s` : '+Inf');

const stagesOf = (ctx: JudgeContext) => (ctx.stages ? { stages: ctx.stages } : {});

function evidenceOf(t: ToleranceTest, test: string, quantity: string, ctx: JudgeContext): TestEvidence {
  return {
    test,
    quantity,
    unit: 'share',
    estimate: t.estimate,
    lower: t.lower,
    upper: t.upper,
    confidence: 1 - t.alpha,
    pooled: { windows: t.windows, canary: t.canary.requests, stable: t.stable?.requests ?? null, of: 'requests', ...stagesOf(ctx) },
  };
}

/**
 * "over 42 windows"; at a stage that carries evidence, "over 42 windows of stages 5%, 25%, 50%"
 * (the chain's test) or "over 12 windows of stage 50% only" (the stage's own test).
 */
const over = (k: number, ctx: JudgeContext) => `over ${k} window${k === 1 ? '' : 's'}${!ctx.stages ? '' : ctx.stages.length === 1 ? ` of stage ${ctx.stages[0]} only` : ` of stages ${ctx.stages.join(', ')}`}`;

const tolName = (factor: number, plus: number) => `${factor} × stable + ${pct(plus)}`;

export function judgeErrorRate(m: PromotionMetric, windows: Extract<MetricData, { kind: 'error_rate' }>[], ctx: JudgeContext): MetricResult {
  const max = m.max ?? DEFAULTS.error_max;
  const critical = m.critical_max ?? DEFAULTS.error_critical;
  const rel = m.max_relative?.factor !== undefined ? { factor: m.max_relative.factor, plus: m.max_relative.plus } : null;
  const thresholds = [`≤ ${pct(max)}`, `rollback above ${pct(critical)}`, rel ? `≤ ${tolName(rel.factor, rel.plus)}` : null].filter(Boolean).join(', ') + ` (always-valid, ${conf(ctx.alpha)})`;
  const base = { name: m.name, kind: m.kind, thresholds };
  // An errors query without series is zero errors (Prometheus has no series until the first error).
  const canary: Arm = { k: windows.map((w) => w.errors.canary ?? 0), n: windows.map((w) => w.requests.canary ?? 0) };
  const stable: Arm = { k: windows.map((w) => w.errors.stable ?? 0), n: windows.map((w) => w.requests.stable ?? 0) };
  const stableMeasured = windows.some((w) => w.requests.stable !== null);
  const abs = toleranceTest(canary, null, 0, max, ctx.alpha);
  const crit = toleranceTest(canary, null, 0, critical, ctx.alpha);
  const nc = abs.canary.requests;
  const relTest = rel && !ctx.alone ? toleranceTest(canary, stable, rel.factor, rel.plus, ctx.alpha) : null;
  const ns = relTest?.stable?.requests ?? stable.n.reduce((a, b) => a + b, 0);
  const ps = ns > 0 ? stable.k.reduce((a, b) => a + b, 0) / ns : null;
  const values: Record<string, number | null> = {
    canary_rate: r(abs.canary.share),
    stable_rate: r(ps),
    canary_errors: abs.canary.events,
    canary_requests: nc,
    stable_requests: ns,
    windows: abs.windows,
    dispersion_canary: r(abs.canary.dispersion),
  };
  if (relTest) Object.assign(values, { relative_limit: r(relTest.limit), relative_lower: r(relTest.lower), relative_upper: r(relTest.upper), dispersion_stable: r(relTest.stable!.dispersion) });
  Object.assign(values, { limit_lower: r(abs.lower), critical_upper: r(crit.upper) });
  const rates = `canary ${nc > 0 ? pct(abs.canary.share!) : '—'}${!ctx.alone && ps !== null ? ` vs stable ${pct(ps)}` : ''} ${over(abs.windows, ctx)} (${n(nc)}${!ctx.alone ? ` / ${n(ns)}` : ''} requests)`;
  if (nc < ctx.minRequests || abs.canary.share === null) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: `only ${n(nc)} canary requests pooled ${over(abs.windows, ctx)} (at least ${ctx.minRequests} needed)` };
  }
  const test = 'mixture SPRT';
  if (crit.lower > 0) {
    return { ...base, verdict: 'fail', critical: true, values, evidence: evidenceOf(crit, test, `canary error rate − ${pct(critical)}`, ctx), reason: `${rates}: the rate is above the rollback limit ${pct(critical)} by at least ${pp(crit.lower)} (lower bound, ${conf(ctx.alpha)} always-valid): roll back` };
  }
  if (abs.lower > 0) {
    return { ...base, verdict: 'fail', critical: m.critical, values, evidence: evidenceOf(abs, test, `canary error rate − ${pct(max)}`, ctx), reason: `${rates}: the rate is above ${pct(max)} by at least ${pp(abs.lower)} (lower bound, ${conf(ctx.alpha)} always-valid)` };
  }
  // Below 100% stable serves the rest: without it nothing is compared, and a canary judged alone
  // while stable vanished is no evidence.
  if (!ctx.alone && (!stableMeasured || ns < ctx.minRequests)) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: !stableMeasured ? 'no stable request count in any window: stable is not measured' : `only ${n(ns)} stable requests pooled (at least ${ctx.minRequests} needed)` };
  }
  if (relTest && relTest.windows < MIN_WINDOWS) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: `${rates}: a comparison with stable needs ${MIN_WINDOWS} windows (${relTest.windows} so far)` };
  }
  if (relTest && relTest.lower > 0) {
    return { ...base, verdict: 'fail', critical: m.critical, values, evidence: evidenceOf(relTest, test, `canary error rate − (${tolName(rel!.factor, rel!.plus)})`, ctx), reason: `${rates}: over its tolerance ${tolName(rel!.factor, rel!.plus)} = ${pct(relTest.limit)} by at least ${pp(relTest.lower)} (lower bound, ${conf(ctx.alpha)} always-valid)` };
  }
  // A pass needs the canary shown below the rollback limit: a few requests with many errors hold.
  if (!(crit.upper < 0)) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: `${rates}: not yet shown below the rollback limit ${pct(critical)} (upper bound ${pct(critical + crit.upper)})` };
  }
  const decisive = relTest ?? abs;
  const quantity = relTest ? `canary error rate − (${tolName(rel!.factor, rel!.plus)})` : `canary error rate − ${pct(max)}`;
  const limit = relTest ? `its tolerance ${tolName(rel!.factor, rel!.plus)} = ${pct(relTest.limit)}` : `${pct(max)}`;
  return { ...base, verdict: 'pass', critical: false, values, evidence: evidenceOf(decisive, test, quantity, ctx), reason: `${rates}: within ${limit} (lower bound ${pp(decisive.lower)}, a rollback needs > 0)` };
}

/** The edge the tail share is measured beyond: the configured one, or the lowest with at most 5% of stable above it. */
function tailEdge(m: PromotionMetric, edges: number[], stable: Histogram | null, canary: Histogram): number | { error: string } | null {
  if (m.tail?.le !== undefined) {
    return edges.includes(m.tail.le) ? m.tail.le : { error: `tail.le ${m.tail.le} is not one of the histogram's bucket edges (${edges.join(', ')})` };
  }
  const ref = stable ?? canary;
  const t = total(ref);
  for (const le of edges) if (above(ref, le) <= 0.05 * t) return le;
  return null;
}

export function judgeLatencyBuckets(m: PromotionMetric, windows: Pair<Histogram | null>[], ctx: JudgeContext): MetricResult {
  const warning = m.warning_ratio ?? DEFAULTS.latency_warning;
  const critical = m.critical_ratio ?? DEFAULTS.latency_critical;
  const factor = m.tail?.factor ?? DEFAULTS.tail_factor;
  const plus = m.tail?.plus ?? DEFAULTS.tail_plus;
  const thresholds = `share slower than the tail edge ≤ ${factor} × stable's + ${pct(plus)}; p95 ratio, bounded by bucket edges, < ${warning}× (rollback at ${critical}×) (always-valid, ${conf(ctx.alpha)})`;
  const base = { name: m.name, kind: m.kind, thresholds };
  // Edges must stay the same over the stage: pooling different buckets would mix what they mean.
  const first = windows.flatMap((w) => [w.canary, w.stable]).find((h): h is Histogram => h !== null);
  if (first && windows.some((w) => [w.canary, w.stable].some((h) => h && (h.le.length !== first.le.length || h.le.some((x, i) => x !== first.le[i]))))) {
    return { ...base, verdict: 'error', critical: false, values: {}, reason: 'the histogram buckets changed between windows of the stage: their counts cannot be pooled' };
  }
  const canary = poolHistograms(windows.map((w) => w.canary));
  const stable = poolHistograms(windows.map((w) => w.stable));
  const nc = total(canary);
  const ns = total(stable);
  const k = windows.filter((w) => total(w.canary) > 0).length;
  const bc = canary ? quantileBucket(canary, 0.95) : null;
  const bs = stable ? quantileBucket(stable, 0.95) : null;
  const values: Record<string, number | null> = { canary_requests: nc, stable_requests: ns, windows: k, canary_p95_from: bc?.lower ?? null, canary_p95_to: r(bc?.upper ?? null), stable_p95_from: bs?.lower ?? null, stable_p95_to: r(bs?.upper ?? null) };
  const bucket = (b: { lower: number; upper: number } | null) => (b ? `(${sec(b.lower)}, ${sec(b.upper)}]` : '—');
  if (canary && nc >= ctx.minRequests && ctx.alone) {
    // The canary serves everything (the 100% stage): nothing to compare with, nothing wrong seen.
    return { ...base, verdict: 'pass', critical: false, values, reason: `p95 in ${bucket(bc)} over ${n(nc)} requests; not compared: stable served no traffic` };
  }
  if (!canary || !stable || nc < ctx.minRequests || ns < ctx.minRequests) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: `${n(nc)} canary and ${n(ns)} stable observations pooled ${over(k, ctx)} (at least ${ctx.minRequests} each needed)` };
  }
  const edges = canary.le.filter((x) => Number.isFinite(x));
  const edge = tailEdge(m, edges, stable, canary);
  if (edge !== null && typeof edge === 'object') return { ...base, verdict: 'error', critical: false, values, reason: edge.error };
  if (edge === null) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: `stable's p95 is beyond the highest finite bucket edge (${sec(edges.at(-1) ?? Number.NaN)}): add buckets above it (docs/canary-judge.md)` };
  }
  const tailArm = (side: 'canary' | 'stable', le: number): Arm => ({ k: windows.map((w) => above(w[side], le)), n: windows.map((w) => total(w[side])) });
  const tail = toleranceTest(tailArm('canary', edge), tailArm('stable', edge), factor, plus, ctx.alpha);
  // The p95 ratio, bounded by edges: the highest edge the canary's p95 is shown to exceed, over
  // the lowest the stable's p95 is shown to stay within (each side at half the test's α).
  let canaryAbove: number | null = null;
  for (const le of [...edges].reverse()) {
    if (toleranceTest(tailArm('canary', le), null, 0, 0.05, ctx.alpha / 2).lower > 0) {
      canaryAbove = le;
      break;
    }
  }
  const stableWithin = edges.find((le) => toleranceTest(tailArm('stable', le), null, 0, 0.05, ctx.alpha / 2).upper < 0) ?? null;
  const ratioLower = canaryAbove !== null && stableWithin !== null ? canaryAbove / stableWithin : null;
  const sameBucket = bc && bs && bc.upper === bs.upper;
  const ratioFrom = bc && bs && bs.upper > 0 ? bc.lower / bs.upper : null;
  const ratioTo = bc && bs && bs.lower > 0 && Number.isFinite(bc.upper) ? bc.upper / bs.lower : null;
  Object.assign(values, {
    p95_ratio_from: r(ratioFrom),
    p95_ratio_to: r(ratioTo),
    p95_ratio_shown_at_least: r(ratioLower),
    canary_p95_interpolated: r(histogramQuantile(canary, 0.95)),
    stable_p95_interpolated: r(histogramQuantile(stable, 0.95)),
    tail_le: edge,
    canary_tail_share: r(tail.canary.share),
    stable_tail_share: r(tail.stable!.share),
    tail_limit: r(tail.limit),
    tail_lower: r(tail.lower),
    tail_upper: r(tail.upper),
  });
  const ratioSaid = sameBucket ? `p95 ratio undetermined (both p95 in ${bucket(bc)})` : `p95 canary in ${bucket(bc)}, stable in ${bucket(bs)}`;
  const tailSaid = `${pct(tail.canary.share!)} of canary vs ${pct(tail.stable!.share!)} of stable requests slower than ${sec(edge)}`;
  const pooled = `${over(k, ctx)} (${n(nc)} / ${n(ns)} requests)`;
  const canaryTailAt = canaryAbove === null ? 0 : above(canary, canaryAbove);
  if (k < MIN_WINDOWS) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: `${tailSaid} ${pooled}; ${ratioSaid}: a comparison with stable needs ${MIN_WINDOWS} windows (${k} so far)` };
  }
  if (ratioLower !== null && ratioLower >= warning && canaryTailAt >= MIN_TAIL) {
    const crit = ratioLower >= critical;
    const limit = crit ? critical : warning;
    const ev: TestEvidence = { test: 'mixture SPRT on the shares beyond two bucket edges', quantity: `p95 ratio ÷ ${limit} (at least ${sec(canaryAbove!)} / ${sec(stableWithin!)})`, unit: 'log_ratio', estimate: Math.log(ratioLower / limit), lower: Math.log(ratioLower / limit), upper: Number.POSITIVE_INFINITY, confidence: 1 - ctx.alpha, pooled: { windows: k, canary: nc, stable: ns, of: 'requests', ...stagesOf(ctx) } };
    return { ...base, verdict: 'fail', critical: crit, values, evidence: ev, reason: `canary slower ${pooled}: its p95 is shown above ${sec(canaryAbove!)} and stable's within ${sec(stableWithin!)}, a p95 ratio of at least ×${r(ratioLower)} (≥ ${crit ? critical : warning}×, ${conf(ctx.alpha)} always-valid)${crit ? ': roll back' : ''}` };
  }
  const ev = evidenceOf(tail, 'mixture SPRT', `canary share slower than ${sec(edge)} − (${tolName(factor, plus)})`, ctx);
  if (tail.lower > 0 && tail.canary.events >= MIN_TAIL) {
    return { ...base, verdict: 'fail', critical: m.critical, values, evidence: ev, reason: `canary slower ${pooled}: ${tailSaid}, over its tolerance ${tolName(factor, plus)} = ${pct(tail.limit)} by at least ${pp(tail.lower)} (lower bound, ${conf(ctx.alpha)} always-valid); ${ratioSaid}` };
  }
  // A pass needs the canary's tail shown below TAIL_CEILING, as an error rate must be shown below
  // its rollback limit: windows too few or too noisy to show even that hold, never pass.
  const ceiling = toleranceTest(tailArm('canary', edge), null, 0, TAIL_CEILING, ctx.alpha);
  values.tail_ceiling_upper = r(ceiling.upper);
  if (!(ceiling.upper < 0)) {
    return { ...base, verdict: 'inconclusive', critical: false, values, evidence: ev, reason: `${tailSaid} ${pooled}: not yet shown below ${pct(TAIL_CEILING)} slower than ${sec(edge)} (upper bound ${pct(TAIL_CEILING + ceiling.upper)}), which a pass needs; ${ratioSaid}` };
  }
  return { ...base, verdict: 'pass', critical: false, values, evidence: ev, reason: `${tailSaid} ${pooled}: within ${tolName(factor, plus)} = ${pct(tail.limit)} (lower bound ${pp(tail.lower)}, a rollback needs > 0); ${ratioSaid}` };
}

const median = (xs: number[]) => quantileSorted(sortedCopy(xs), 0.5);

/**
 * Samples (a range query per window, e.g. a p95 every few seconds): consecutive samples overlap
 * in what they measure, so each window gives one value per arm, its median, and the windows
 * (which do not overlap) are the observations: the log ratio of the medians, tested sequentially
 * against ln(warning_ratio) with its variance across windows.
 */
export function judgeLatencySamples(m: PromotionMetric, windows: Pair<number[] | null>[], ctx: JudgeContext): MetricResult {
  const warning = m.warning_ratio ?? DEFAULTS.latency_warning;
  const critical = m.critical_ratio ?? DEFAULTS.latency_critical;
  const thresholds = `ratio of the windows' median samples < ${warning}× (rollback at ${critical}×), one value per window (always-valid, ${conf(ctx.alpha)})`;
  const base = { name: m.name, kind: m.kind, thresholds };
  const MIN = 3;
  const last = windows.at(-1)!;
  if (ctx.alone && last.canary && last.canary.length >= MIN && !(last.stable && last.stable.length > 0)) {
    return { ...base, verdict: 'pass', critical: false, values: { canary_median: r(median(last.canary)), canary_samples: last.canary.length, stable_samples: 0 }, reason: 'not compared: stable served no traffic in the window' };
  }
  const logs = windows.flatMap((w) => {
    if (!w.canary || !w.stable || w.canary.length < MIN || w.stable.length < MIN) return [];
    const c = median(w.canary);
    const s = median(w.stable);
    return c > 0 && s > 0 ? [Math.log(c / s)] : [];
  });
  const k = logs.length;
  const values: Record<string, number | null> = { windows: k, canary_samples: last.canary?.length ?? 0, stable_samples: last.stable?.length ?? 0 };
  if (k < MIN_SAMPLE_WINDOWS) {
    return { ...base, verdict: 'inconclusive', critical: false, values, reason: `${k} windows with at least ${MIN} positive samples per arm (at least ${MIN_SAMPLE_WINDOWS} needed: each window counts once)` };
  }
  const mean = logs.reduce((a, b) => a + b, 0) / k;
  const variance = Math.max(1e-6, logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1)) / k;
  const tau2 = Math.log(warning) ** 2;
  const warn = alwaysValid(mean - Math.log(warning), variance, tau2, ctx.alpha);
  const crit = alwaysValid(mean - Math.log(critical), variance, tau2, ctx.alpha);
  Object.assign(values, { median_ratio: r(Math.exp(mean)), ratio_lower: r(Math.exp(mean - (warn.estimate - warn.lower))), ratio_upper: r(Math.exp(mean + (warn.upper - warn.estimate))) });
  const ev = (b: typeof warn, limit: number): TestEvidence => ({ test: 'mixture SPRT over windows', quantity: `canary / stable median ÷ ${limit}`, unit: 'log_ratio', estimate: b.estimate, lower: b.lower, upper: b.upper, confidence: 1 - ctx.alpha, pooled: { windows: k, canary: k, stable: k, of: 'windows', ...stagesOf(ctx) } });
  const said = `canary / stable median ×${r(Math.exp(mean))} ${over(k, ctx)} (at least ×${values.ratio_lower}, at most ×${values.ratio_upper}, ${conf(ctx.alpha)} always-valid)`;
  if (crit.lower > 0) return { ...base, verdict: 'fail', critical: true, values, evidence: ev(crit, critical), reason: `canary slower: ${said}, at least ${critical}×: roll back` };
  if (warn.lower > 0) return { ...base, verdict: 'fail', critical: m.critical, values, evidence: ev(warn, warning), reason: `canary slower: ${said}, at least ${warning}×` };
  // As with the tail share: a pass needs the ratio shown below the rollback ratio.
  if (!(crit.upper < 0)) return { ...base, verdict: 'inconclusive', critical: false, values, evidence: ev(crit, critical), reason: `${said}: not yet shown below ${critical}×` };
  return { ...base, verdict: 'pass', critical: false, values, evidence: ev(warn, warning), reason: said };
}
