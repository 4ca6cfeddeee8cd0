/**
 * How much each metric changed between baseline and candidate on the same rows, with a standard
 * error and a two-sided interval, by the cheapest method that is exact enough for the metric:
 *
 * - confusion-matrix metrics (accuracy, precision, recall, F1, balanced accuracy): the row
 *   bootstrap, drawn as multinomial resamples of the joint (label, candidate class, baseline
 *   class) table — the same distribution, O(cells) per resample instead of O(rows); with sample
 *   weights, of the (cell, weight) groups, which is still exactly the row bootstrap (a row adds
 *   its weight to its cell) and as fast when the weights take few values (class weights);
 * - mean-type metrics (log loss, Brier, MAE, MAPE, and through the delta method RMSE and R²):
 *   the per-row paired differences and the central limit theorem from 1,000 rows on; the row
 *   bootstrap below;
 * - ROC AUC: DeLong's paired variance (pROC's), one-vs-rest averaged for multiclass;
 * - the rest (ECE, max error), and the other metrics when rows carry sample weights: the row bootstrap.
 *
 * When the two models predict the same class on every row, every resample shows no change and
 * the bootstrap's interval is [0, 0], which would claim non-inferiority from any number of rows.
 * Confusion-matrix metrics then take the exact bound instead: with 0 of n rows differing, the share
 * of such rows on which the models differ is at most u = 1 − α^(1/n) (Clopper–Pearson, one-sided
 * at the interval's level), and a share u of rows moves accuracy by at most u: interval [−u, u].
 *
 * Below 100 rows, a paired permutation test adds one-sided p-values, which keep their level where
 * the bootstrap's interval does not. Pure: over both models' evaluations.
 */
import type { MetricName } from '../config/types.ts';
import { multinomialBootstrap, pairedBootstrap, type BootstrapResult, type Interval } from '../stats/bootstrap.ts';
import { fromConfusion, rowLosses, scoreOrder, type ClassificationData, type ConfusionSummary } from '../stats/classification.ts';
import { aucInfluence, influenceCovariance } from '../stats/delong.ts';
import { normalQuantile } from '../stats/normal.ts';
import { pairedPermutation, type PermutationP } from '../stats/permutation.ts';
import { rowErrors } from '../stats/regression.ts';
import { metricsFunction, PROBABILITY_METRICS, type Evaluation } from './evaluation.ts';

export type EstimationMethod = 'multinomial bootstrap' | 'row bootstrap' | 'normal (CLT)' | 'DeLong' | 'same classes on every row' | 'none';

/** From this many rows on, mean-type metrics use the normal interval of their paired differences. */
export const CLT_MIN_ROWS = 1000;
/** Below this many rows, the paired permutation test is consulted before any claim. */
export const PERMUTATION_BELOW_ROWS = 100;
/** Permutations of the small-sample test (enough for p ≈ 0.025 within ±0.003). */
const PERMUTATIONS = 10000;
/** Below this |baseline|, a relative change is undefined rather than huge. */
export const RELATIVE_GUARD = 1e-12;

export interface DeltaEstimate {
  candidate: number | null;
  baseline: number | null;
  delta: number | null;
  relative_delta: number | null;
  /** Two-sided interval of the delta at the configured confidence. */
  interval: Interval | null;
  relative_interval: Interval | null;
  /** Standard error of the delta (and of the relative delta). */
  se: number | null;
  relative_se: number | null;
  method: EstimationMethod;
  /** One-sided paired permutation p-values of the delta (below 100 rows), else null. */
  permutation: PermutationP | null;
}

export interface EstimateOptions {
  /** Two-sided confidence of the intervals. */
  confidence: number;
  resamples: number;
  seed: number;
  eceBins: number;
  progress?: (done: number, total: number) => void;
}

const CONFUSION = (m: MetricName) => !PROBABILITY_METRICS.has(m);
const MEAN_TYPE: ReadonlySet<MetricName> = new Set(['log_loss', 'brier', 'rmse', 'mae', 'mape', 'r2']);

/** Which method estimates a metric's change on these data. */
export function methodFor(metric: MetricName, rows: number, weighted: boolean, task: Evaluation['task']): EstimationMethod {
  if (task !== 'regression' && CONFUSION(metric)) return 'multinomial bootstrap';
  if (weighted) return 'row bootstrap';
  if (metric === 'roc_auc') return 'DeLong';
  if (MEAN_TYPE.has(metric)) return rows >= CLT_MIN_ROWS ? 'normal (CLT)' : 'row bootstrap';
  return 'row bootstrap';
}

const rowsOf = (e: Evaluation) => (e.task === 'regression' ? e.y.length : e.data.y.length);

export function estimateChanges(candidate: Evaluation, baseline: Evaluation, names: readonly MetricName[], options: EstimateOptions): DeltaEstimate[] {
  const n = rowsOf(candidate);
  const weights = candidate.weights;
  const point = { c: metricsFunction(candidate, names, options.eceBins)(weights), b: metricsFunction(baseline, names, options.eceBins)(weights) };
  const methods = names.map((m) => methodFor(m, n, weights !== null, candidate.task));
  const z = normalQuantile(1 - (1 - options.confidence) / 2);

  // The bootstraps share one progress count.
  const runs = (['multinomial bootstrap', 'row bootstrap'] as const).filter((m) => methods.includes(m));
  let run = 0;
  const progress = options.progress ? (done: number) => options.progress!(run * options.resamples + done, runs.length * options.resamples) : undefined;
  const bootOpts = { resamples: options.resamples, level: options.confidence, seed: options.seed, progress };

  const boot = new Map<MetricName, { result: BootstrapResult; index: number }>();
  for (const method of runs) {
    const subset = names.filter((_, i) => methods[i] === method);
    const result =
      method === 'multinomial bootstrap'
        ? jointTableBootstrap(candidate, baseline, subset, weights, bootOpts)
        : rowBootstrap(candidate, baseline, subset, options.eceBins, { ...bootOpts, weights });
    subset.forEach((m, index) => boot.set(m, { result, index }));
    run++;
  }

  const permutation = n < PERMUTATION_BELOW_ROWS ? permutationPs(candidate, baseline, names, options) : null;
  const sameClasses = n > 0 && predictSameClasses(candidate, baseline);

  return names.map((metric, i): DeltaEstimate => {
    const c = point.c[i] ?? null;
    const b = point.b[i] ?? null;
    const ok = (v: number | null): v is number => v !== null && Number.isFinite(v);
    const delta = ok(c) && ok(b) ? c - b : null;
    const relOk = ok(b) && Math.abs(b) >= RELATIVE_GUARD;
    const base: DeltaEstimate = {
      candidate: c,
      baseline: b,
      delta,
      relative_delta: delta !== null && relOk ? delta / Math.abs(b) : null,
      interval: null,
      relative_interval: null,
      se: null,
      relative_se: null,
      method: methods[i]!,
      permutation: permutation?.[i] ?? null,
    };
    if (delta === null) return { ...base, method: 'none' };
    if (sameClasses && CONFUSION(metric)) {
      const u = 1 - Math.pow((1 - options.confidence) / 2, 1 / n);
      return {
        ...base,
        method: 'same classes on every row',
        interval: { low: -u, high: u },
        relative_interval: relOk ? { low: -u / Math.abs(b), high: u / Math.abs(b) } : null,
      };
    }
    const fromBoot = boot.get(metric);
    if (fromBoot) {
      const { result, index } = fromBoot;
      return {
        ...base,
        interval: result.intervals[2 * index] ?? null,
        relative_interval: result.intervals[2 * index + 1] ?? null,
        se: result.standardErrors[2 * index] ?? null,
        relative_se: result.standardErrors[2 * index + 1] ?? null,
      };
    }
    const inf = influences(candidate, baseline, metric);
    if (!inf) return base;
    const vcc = influenceCovariance(inf.c, inf.c);
    const vbb = influenceCovariance(inf.b, inf.b);
    const vcb = influenceCovariance(inf.c, inf.b);
    const se = Math.sqrt(Math.max(0, vcc + vbb - 2 * vcb));
    let relSe: number | null = null;
    if (relOk) {
      // Delta method for (c − b)/|b|.
      const gc = 1 / Math.abs(b);
      const gb = -1 / Math.abs(b) - ((c! - b) * Math.sign(b)) / (b * b);
      relSe = Math.sqrt(Math.max(0, gc * gc * vcc + gb * gb * vbb + 2 * gc * gb * vcb));
    }
    const rel = base.relative_delta;
    return {
      ...base,
      se,
      relative_se: relSe,
      interval: { low: delta - z * se, high: delta + z * se },
      relative_interval: rel !== null && relSe !== null ? { low: rel - z * relSe, high: rel + z * relSe } : null,
    };
  });
}

/** Whether the two classifiers predict the same class on every row (their class lists alike). */
function predictSameClasses(candidate: Evaluation, baseline: Evaluation): boolean {
  if (candidate.task === 'regression' || baseline.task === 'regression' || candidate.data.k !== baseline.data.k) return false;
  const c = candidate.data;
  const b = baseline.data;
  // The same label index on every row: both models list their classes in the same order.
  for (let i = 0; i < c.y.length; i++) if (c.pred[i] !== b.pred[i] || c.y[i] !== b.y[i]) return false;
  return true;
}

/** Each statistic's delta and relative delta, in pairs, from the two metric vectors. */
function pairs(c: (number | null)[], b: (number | null)[]): (number | null)[] {
  return c.flatMap((ci, i) => {
    const bi = b[i];
    if (ci === null || ci === undefined || bi === null || bi === undefined) return [null, null];
    return [ci - bi, Math.abs(bi) < RELATIVE_GUARD ? null : (ci - bi) / Math.abs(bi)];
  });
}

function rowBootstrap(
  candidate: Evaluation,
  baseline: Evaluation,
  names: readonly MetricName[],
  eceBins: number,
  opts: Parameters<typeof pairedBootstrap>[2],
): BootstrapResult {
  const cand = metricsFunction(candidate, names, eceBins);
  const base = metricsFunction(baseline, names, eceBins);
  return pairedBootstrap(rowsOf(candidate), (w) => pairs(cand(w), base(w)), opts);
}

/**
 * The row bootstrap of confusion-matrix metrics as multinomial draws of the joint table: cells
 * keyed by (candidate's label index, baseline's label index, candidate's class, baseline's
 * class) and, with sample weights, the row's weight; only the groups that occur (so many classes
 * cost no more than the rows). A resample adds count × weight to each group's cell.
 */
function jointTableBootstrap(
  candidate: Evaluation,
  baseline: Evaluation,
  names: readonly MetricName[],
  weights: Float64Array | null,
  opts: Parameters<typeof multinomialBootstrap>[2],
): BootstrapResult {
  const c = (candidate as Extract<Evaluation, { task: 'binary' | 'multiclass' }>).data;
  const b = (baseline as Extract<Evaluation, { task: 'binary' | 'multiclass' }>).data;
  const n = c.y.length;
  const kc = c.k;
  const kb = b.k;
  // Group index by cell key, then by weight (one inner map per cell, only when weighted).
  const index = new Map<number, number>();
  const byWeight = new Map<number, Map<number, number>>();
  const keys: number[] = [];
  const groupWeight: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = ((c.y[i]! * kb + b.y[i]!) * (kc + 1) + c.pred[i]! + 1) * (kb + 1) + b.pred[i]! + 1;
    const w = weights ? weights[i]! : 1;
    let groups = index;
    if (weights) {
      let ofCell = byWeight.get(key);
      if (!ofCell) byWeight.set(key, (ofCell = new Map<number, number>()));
      groups = ofCell;
    }
    const at = groups.get(weights ? w : key);
    if (at === undefined) {
      groups.set(weights ? w : key, keys.length);
      keys.push(key);
      groupWeight.push(w);
      counts.push(1);
    } else counts[at]!++;
  }
  // Decode each cell once.
  const cells = keys.map((key, j) => {
    const pb = (key % (kb + 1)) - 1;
    let rest = Math.floor(key / (kb + 1));
    const pc = (rest % (kc + 1)) - 1;
    rest = Math.floor(rest / (kc + 1));
    return { yc: Math.floor(rest / kb), yb: rest % kb, pc, pb, w: groupWeight[j]! };
  });
  const mc = new Float64Array(kc * kc);
  const mb = new Float64Array(kb * kb);
  const read = (s: ConfusionSummary) => names.map((m) => (s as unknown as Record<string, number>)[m] ?? null);
  return multinomialBootstrap(
    Float64Array.from(counts),
    (draw) => {
      mc.fill(0);
      mb.fill(0);
      let total = 0;
      for (let j = 0; j < cells.length; j++) {
        const x = draw[j]!;
        if (x === 0) continue;
        const cell = cells[j]!;
        const mass = x * cell.w;
        total += mass;
        if (cell.pc >= 0) mc[cell.yc * kc + cell.pc]! += mass;
        if (cell.pb >= 0) mb[cell.yb * kb + cell.pb]! += mass;
      }
      return pairs(read(fromConfusion(mc, kc, total)), read(fromConfusion(mb, kb, total)));
    },
    opts,
  );
}

/**
 * Per-row influence values ψ of the metric for each model, scaled so that Var ≈ Σψ² and
 * Cov(c, b) ≈ Σψ_c ψ_b (mean-type: (xᵢ − x̄)/√(n(n−1)); RMSE and R² through the delta method;
 * AUC: DeLong's placements). null when the metric has none here.
 */
function influences(candidate: Evaluation, baseline: Evaluation, metric: MetricName): { c: Float64Array; b: Float64Array } | null {
  const one = (e: Evaluation) => influenceOf(e, metric);
  const c = one(candidate);
  const b = one(baseline);
  return c && b ? { c, b } : null;
}

function influenceOf(e: Evaluation, metric: MetricName): Float64Array | null {
  const n = rowsOf(e);
  if (n < 2) return null;
  const scale = 1 / Math.sqrt(n * (n - 1));
  if (e.task === 'regression') {
    const data = { y: e.y, pred: e.view.pred };
    if (metric === 'mae' || metric === 'mape') return centred(rowErrors(data, metric === 'mae' ? 'absolute' : 'percentage'), scale);
    const sq = rowErrors(data, 'squared');
    if (!sq) return null;
    const mse = mean(sq);
    if (metric === 'rmse') {
      const rmse = Math.sqrt(mse);
      return mapped(sq, (v) => (rmse === 0 ? 0 : ((v - mse) / (2 * rmse)) * scale));
    }
    if (metric === 'r2') {
      const ybar = mean(e.y);
      const dev = mapped(e.y, (y) => (y - ybar) ** 2);
      const v = mean(dev);
      return mapped(sq, (s, i) => (v === 0 ? 0 : (-((s - mse) - (mse / v) * (dev[i]! - v)) / v) * scale));
    }
    return null;
  }
  const d = e.data;
  if (metric === 'log_loss' || metric === 'brier') return centred(rowLosses(d, metric), scale);
  if (metric === 'roc_auc') return aucInfluences(d);
  return null;
}

/** DeLong influences of the AUC: binary, of the second class; multiclass, the mean over one-vs-rest. */
function aucInfluences(d: ClassificationData): Float64Array | null {
  if (!d.proba) return null;
  const classes = d.k === 2 ? [1] : Array.from({ length: d.k }, (_, c) => c);
  const total = new Float64Array(d.y.length);
  for (const c of classes) {
    const positive = new Uint8Array(d.y.length);
    for (let i = 0; i < positive.length; i++) positive[i] = d.y[i] === c ? 1 : 0;
    const r = aucInfluence((i) => d.proba![i * d.k + c]!, positive, scoreOrder(d, c));
    if (!r) return null;
    for (let i = 0; i < total.length; i++) total[i]! += r.influence[i]! / classes.length;
  }
  return total;
}

/** Float64Array.from(src, f) without its per-element iterator protocol (ten times slower at a million rows). */
function mapped(src: ArrayLike<number>, f: (v: number, i: number) => number): Float64Array {
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!, i);
  return out;
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

function centred(x: Float64Array | null, scale: number): Float64Array | null {
  if (!x) return null;
  const m = mean(x);
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! - m) * scale;
  return x;
}

/** Paired permutation p-values of each metric's delta; null when the pairs cannot be swapped. */
function permutationPs(candidate: Evaluation, baseline: Evaluation, names: readonly MetricName[], options: EstimateOptions): (PermutationP | null)[] | null {
  const swapped = swapper(candidate, baseline);
  if (!swapped) return null;
  return pairedPermutation(
    rowsOf(candidate),
    (swap) => {
      const [a, b] = swapped(swap);
      const ca = metricsFunction(a, names, options.eceBins)(candidate.weights);
      const cb = metricsFunction(b, names, options.eceBins)(candidate.weights);
      return ca.map((v, i) => (v === null || cb[i] === null || cb[i] === undefined ? null : v - cb[i]!));
    },
    { permutations: Math.min(PERMUTATIONS, Math.max(1000, options.resamples)), seed: options.seed },
  );
}

/** Builds the pair of evaluations with the models' predictions exchanged on the swapped rows. */
function swapper(candidate: Evaluation, baseline: Evaluation): ((swap: Uint8Array) => [Evaluation, Evaluation]) | null {
  if (candidate.task === 'regression' && baseline.task === 'regression') {
    const pc = candidate.view.pred;
    const pb = baseline.view.pred;
    return (swap) => {
      const a = mapped(pc, (v, i) => (swap[i] ? pb[i]! : v));
      const b = mapped(pb, (v, i) => (swap[i] ? pc[i]! : v));
      return [
        { ...candidate, view: { ...candidate.view, pred: a, score: a } },
        { ...baseline, view: { ...baseline.view, pred: b, score: b } },
      ];
    };
  }
  if (candidate.task === 'regression' || baseline.task === 'regression') return null;
  // Swapping needs the same classes in the same order and the same kind of output.
  const same = candidate.view.classes.length === baseline.view.classes.length && candidate.view.classes.every((c, i) => c === baseline.view.classes[i]);
  if (!same || (candidate.data.proba === null) !== (baseline.data.proba === null)) return null;
  const c = candidate.data;
  const b = baseline.data;
  const k = c.k;
  return (swap) => {
    const mix = (x: ClassificationData, y: ClassificationData): ClassificationData => {
      const pred = Int32Array.from(x.pred, (v, i) => (swap[i] ? y.pred[i]! : v));
      let proba: Float64Array | null = null;
      if (x.proba && y.proba) {
        proba = Float64Array.from(x.proba);
        for (let i = 0; i < pred.length; i++) if (swap[i]) proba.set(y.proba.subarray(i * k, (i + 1) * k), i * k);
      }
      // Log loss clips at the coarser of the two dtypes' epsilons once rows are mixed.
      const eps = Math.max(x.eps ?? Number.EPSILON, y.eps ?? Number.EPSILON);
      return { k, y: x.y, pred, proba, eps };
    };
    return [
      { ...candidate, data: mix(c, b) },
      { ...baseline, data: mix(b, c) },
    ];
  };
}

