/**
 * Slices: every configured metric per slice of the eval rows (each value of a column, or each
 * bin of a numeric one), the candidate against the baseline in each slice, under Holm (default)
 * or Benjamini–Hochberg control over all the slice tests of the run. A slice that regresses
 * beyond its margin fails naming the slice; slices too small to test are listed as such.
 * Pure: over both models' evaluations and the slice columns.
 */
import type { GateConfig, MetricName, SliceSpec } from '../config/types.ts';
import { pairedBootstrap, type Interval } from '../stats/bootstrap.ts';
import { adjust, type Multiplicity } from '../stats/multiplicity.ts';
import { comparedMetrics, defaultMargin } from './compare.ts';
import type { CheckContext, SliceColumn } from './context.ts';
import { HIGHER_IS_BETTER, evaluationOf, metricsForTask, metricsFunction, withPrimaryMetric, type Evaluation, type ModelView } from './evaluation.ts';
import { result, skipped, type CheckResult, type Severity } from '../core/check-result.ts';
import { formatMetric, percentRounded, round } from '../core/format.ts';

const CATEGORY = 'slices';
export const SLICE_DEFAULTS = { min_rows: 100, multiplicity: 'holm' as Multiplicity, max_slices: 50, severity: 'blocker' as Severity };
/** Below this |baseline|, a relative margin is undefined; the absolute margin (0) applies. */
const RELATIVE_GUARD = 1e-12;

export interface SliceSettings {
  specs: SliceSpec[];
  min_rows: number;
  multiplicity: Multiplicity;
  max_slices: number;
  severity: Severity;
}

/** `slices:` as a list or as an object, with the defaults filled in; null when none are configured. */
export function sliceSettings(config: GateConfig): SliceSettings | null {
  const s = config.slices;
  if (!s) return null;
  const o = Array.isArray(s) ? { by: s } : s;
  if (o.by.length === 0) return null;
  return {
    specs: o.by,
    min_rows: o.min_rows ?? SLICE_DEFAULTS.min_rows,
    multiplicity: o.multiplicity ?? SLICE_DEFAULTS.multiplicity,
    max_slices: o.max_slices ?? SLICE_DEFAULTS.max_slices,
    severity: o.severity ?? SLICE_DEFAULTS.severity,
  };
}

export const sliceColumnNames = (config: GateConfig): string[] => [...new Set(sliceSettings(config)?.specs.map((s) => s.column) ?? [])];

export interface SliceGroup {
  name: string;
  rows: Int32Array;
}

const MISSING = '(missing)';

/** The rows of each slice of one spec, in a stable order; a string says why it cannot be sliced. */
export function groupsOf(spec: SliceSpec, col: NonNullable<SliceColumn>, maxSlices: number): SliceGroup[] | string {
  const n = col.values?.length ?? col.text?.length ?? 0;
  const byKey = new Map<string, number[]>();
  const add = (key: string, i: number) => {
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  };
  let order: string[];
  if (spec.bins) {
    const edges = spec.bins;
    if (edges.some((e, i) => !Number.isFinite(e) || (i > 0 && e <= edges[i - 1]!))) return `bins must be finite and strictly ascending (got ${edges.join(', ')})`;
    if (!col.values) return `column "${spec.column}" holds text; bins need a numeric column (remove bins to slice by value)`;
    const labels = [`< ${edges[0]}`, ...edges.slice(1).map((e, i) => `[${edges[i]}, ${e})`), `>= ${edges[edges.length - 1]}`];
    for (let i = 0; i < n; i++) {
      const v = col.values[i]!;
      if (Number.isNaN(v)) add(MISSING, i);
      else {
        // Index of the first edge above v: bins are [edge_j, edge_j+1).
        let b = 0;
        while (b < edges.length && v >= edges[b]!) b++;
        add(labels[b]!, i);
      }
    }
    order = [...labels, MISSING];
  } else {
    const cell = col.values ? (i: number) => (Number.isNaN(col.values![i]!) ? MISSING : String(col.values![i])) : (i: number) => (col.text![i] === '' ? MISSING : col.text![i]!);
    for (let i = 0; i < n; i++) add(cell(i), i);
    if (byKey.size > maxSlices) {
      return `column "${spec.column}" has ${byKey.size.toLocaleString('en')} distinct values, more than slices.max_slices (${maxSlices}): give bins for a numeric column, or slice by a coarser column`;
    }
    const keys = [...byKey.keys()].filter((k) => k !== MISSING);
    order = (col.values ? keys.sort((a, b) => Number(a) - Number(b)) : keys.sort()).concat(MISSING);
  }
  return order.filter((k) => byKey.has(k)).map((name) => ({ name, rows: Int32Array.from(byKey.get(name)!) }));
}

/** An evaluation restricted to some rows (the same rows for candidate and baseline). */
export function subsetEvaluation(ev: Evaluation, rows: Int32Array): Evaluation {
  const pick64 = (a: Float64Array) => Float64Array.from(rows, (r) => a[r]!);
  const weights = ev.weights ? pick64(ev.weights) : null;
  if (ev.task === 'regression') {
    const pred = pick64(ev.view.pred);
    return { task: 'regression', view: { ...ev.view, pred, score: pred }, y: pick64(ev.y), weights };
  }
  const k = ev.data.k;
  const pred = Int32Array.from(rows, (r) => ev.data.pred[r]!);
  let proba: Float64Array | null = null;
  if (ev.data.proba) {
    const src = ev.data.proba;
    proba = new Float64Array(rows.length * k);
    rows.forEach((r, i) => proba!.set(src.subarray(r * k, (r + 1) * k), i * k));
  }
  const score = ev.view.score ? pick64(ev.view.score) : null;
  return {
    task: ev.task,
    view: { ...ev.view, proba, pred, score },
    data: { k, y: Int32Array.from(rows, (r) => ev.data.y[r]!), pred, proba },
    weights,
  };
}

/** Metrics judged per slice: the primary, and every metric the config gives a threshold. */
export function sliceMetrics(task: Evaluation['task'], config: GateConfig): MetricName[] {
  const valid = new Set(metricsForTask(task));
  const names = new Set(comparedMetrics(task, config));
  for (const name of Object.keys(config.metrics.thresholds) as MetricName[]) if (valid.has(name)) names.add(name);
  return [...names];
}

/** One metric's change in one slice, judged against its margin. */
export interface SliceChange {
  metric: MetricName;
  direction: 'higher' | 'lower';
  candidate: number | null;
  baseline: number | null;
  /** candidate − baseline. */
  delta: number | null;
  /** Interval of the delta at comparison.confidence. */
  interval: Interval | null;
  /** The regression tolerated (≥ 0, in the metric's unit): max_regression, else max_regression_relative × |baseline|, else 0. */
  margin: number;
  /** One-sided p-value of "the slice regressed by more than the margin"; null when the metric is undefined on the slice. */
  p_value: number | null;
}

/**
 * THE SEAM: how one slice's change is judged, behind one call so that the non-inferiority
 * judgement of the whole-set comparison can replace it. Today: compare.ts's machinery, a paired
 * percentile bootstrap of each metric's delta over the slice's rows (comparison.resamples,
 * .confidence, .seed), and the one-sided bootstrap p-value of a regression beyond the margin:
 * (1 + #resamples whose change is not worse than −margin) / (1 + #resamples).
 */
export function compareSlice(candidate: Evaluation, baseline: Evaluation, names: readonly MetricName[], config: GateConfig): SliceChange[] {
  const cfg = config.comparison;
  const cand = metricsFunction(candidate, names, config.metrics.ece_bins);
  const base = metricsFunction(baseline, names, config.metrics.ece_bins);
  const n = candidate.task === 'regression' ? candidate.y.length : candidate.data.y.length;
  const pc = cand(candidate.weights);
  const pb = base(candidate.weights);
  const directions = names.map((m) => config.metrics.thresholds[m]?.direction ?? (HIGHER_IS_BETTER.has(m) ? 'higher' : 'lower'));
  // The margin each slice is held to, as the whole eval set is: the metric's own rule, else the
  // comparison's default margin (a margin of 0 would make any significant difference in a large slice block).
  const margins = names.map((m, i) => {
    const t = config.metrics.thresholds[m];
    const rule =
      t?.max_regression !== undefined
        ? { value: t.max_regression, relative: false }
        : t?.max_regression_relative !== undefined
          ? { value: t.max_regression_relative, relative: true }
          : defaultMargin(m, config);
    if (!rule.relative) return rule.value;
    const b = pb[i];
    return b !== null && b !== undefined && Math.abs(b) >= RELATIVE_GUARD ? rule.value * Math.abs(b) : 0;
  });
  // Resample counts per metric: how many were defined, and how many were not worse than −margin.
  const defined = new Array<number>(names.length).fill(0);
  const notWorse = new Array<number>(names.length).fill(0);
  const boot = pairedBootstrap(
    n,
    (w) => {
      const c = cand(w);
      const b = base(w);
      return names.map((_, i) => {
        const ci = c[i];
        const bi = b[i];
        if (ci === null || ci === undefined || bi === null || bi === undefined || !Number.isFinite(ci - bi)) return null;
        const change = directions[i] === 'higher' ? ci - bi : bi - ci;
        defined[i]!++;
        if (change >= -margins[i]!) notWorse[i]!++;
        return ci - bi;
      });
    },
    { resamples: cfg.resamples, level: cfg.confidence, seed: cfg.seed, weights: candidate.weights },
  );
  return names.map((metric, i) => {
    const c = pc[i] ?? null;
    const b = pb[i] ?? null;
    const interval = boot.intervals[i] ?? null;
    return {
      metric,
      direction: directions[i]!,
      candidate: c,
      baseline: b,
      delta: c !== null && b !== null ? c - b : null,
      interval,
      margin: margins[i]!,
      p_value: interval && defined[i]! > 0 ? (1 + notWorse[i]!) / (1 + defined[i]!) : null,
    };
  });
}

export interface SliceMetric extends SliceChange {
  /** The p-value after the multiplicity control over every slice test of the run. */
  p_adjusted: number | null;
  regressed: boolean;
}

export interface SliceRow {
  slice: string;
  rows: number;
  /** tested; too_small (fewer than min_rows); untestable (no metric defined on it); not_compared (no baseline). */
  status: 'tested' | 'too_small' | 'untestable' | 'not_compared';
  regressed: boolean;
  metrics: SliceMetric[];
}

export interface SliceReport {
  multiplicity: Multiplicity;
  /** One-sided level each adjusted p-value is held to: (1 − comparison.confidence) / 2. */
  alpha: number;
  confidence: number;
  min_rows: number;
  compared: boolean;
  columns: { column: string; bins: number[] | null; min_rows: number; slices: SliceRow[]; problem: string | null }[];
}

export interface SliceInput {
  config: GateConfig;
  candidate: Evaluation;
  baseline: Evaluation | null;
  /** By column name. */
  columns: ReadonlyMap<string, SliceColumn>;
  /** Where the eval rows came from, for messages. */
  source: string;
}

/** Every slice of every spec measured, tested, adjusted and judged. */
export function judgeSlices(input: SliceInput): { checks: CheckResult[]; report: SliceReport } {
  const { candidate, baseline } = input;
  const config = withPrimaryMetric(candidate, input.config);
  const settings = sliceSettings(config)!;
  const names = sliceMetrics(candidate.task, config);
  const alpha = (1 - config.comparison.confidence) / 2;
  const report: SliceReport = {
    multiplicity: settings.multiplicity,
    alpha,
    confidence: config.comparison.confidence,
    min_rows: settings.min_rows,
    compared: baseline !== null,
    columns: [],
  };
  const checks: CheckResult[] = [];
  for (const spec of settings.specs) {
    const minRows = spec.min_rows ?? settings.min_rows;
    const entry: SliceReport['columns'][number] = { column: spec.column, bins: spec.bins ?? null, min_rows: minRows, slices: [], problem: null };
    report.columns.push(entry);
    const col = input.columns.get(spec.column) ?? null;
    const groups = col ? groupsOf(spec, col, settings.max_slices) : `slice column "${spec.column}" is not in ${input.source}`;
    if (typeof groups === 'string') {
      entry.problem = groups;
      checks.push(result({ id: `slices.${spec.column}`, category: CATEGORY, severity: settings.severity, status: 'fail', message: `slices by ${spec.column}: ${groups}` }));
      continue;
    }
    for (const g of groups) {
      const row: SliceRow = { slice: g.name, rows: g.rows.length, status: 'tested', regressed: false, metrics: [] };
      entry.slices.push(row);
      if (g.rows.length < minRows) {
        row.status = 'too_small';
        continue;
      }
      const c = subsetEvaluation(candidate, g.rows);
      if (!baseline) {
        row.status = 'not_compared';
        const values = metricsFunction(c, names, config.metrics.ece_bins)(c.weights);
        row.metrics = names.map((metric, i) => ({ ...blank(metric, config), candidate: values[i] ?? null }));
        continue;
      }
      row.metrics = compareSlice(c, subsetEvaluation(baseline, g.rows), names, config).map((m) => ({ ...m, p_adjusted: null, regressed: false }));
      if (row.metrics.every((m) => m.p_value === null)) row.status = 'untestable';
    }
  }
  // One family of hypotheses: every (slice, metric) test of the run.
  const tested = report.columns.flatMap((c) => c.slices.flatMap((s) => s.metrics.filter((m) => m.p_value !== null)));
  const adjusted = adjust(
    tested.map((m) => m.p_value!),
    settings.multiplicity,
  );
  tested.forEach((m, i) => {
    m.p_adjusted = adjusted[i]!;
    m.regressed = adjusted[i]! < alpha;
  });
  const how = settings.multiplicity === 'none' ? 'unadjusted' : `${settings.multiplicity === 'holm' ? 'Holm' : 'Benjamini–Hochberg'}-adjusted over ${tested.length} tests`;
  for (const entry of report.columns) {
    for (const row of entry.slices) {
      const id = `slices.${entry.column}.${row.slice}`;
      const where = `slice ${entry.column} ${entry.bins ? row.slice : `= ${row.slice}`} (${row.rows.toLocaleString('en')} rows)`;
      if (row.status === 'too_small') {
        checks.push(skipped(id, CATEGORY, 'info', `${where}: too small to test (fewer than ${entry.min_rows} rows, slices min_rows)`));
        continue;
      }
      if (row.status === 'not_compared') {
        const parts = row.metrics.map((m) => `${m.metric} ${formatMetric(m.candidate)}`).join(', ');
        checks.push(result({ id, category: CATEGORY, severity: 'info', status: 'pass', message: `${where}: ${parts} (no baseline to compare with)` }));
        continue;
      }
      if (row.status === 'untestable') {
        checks.push(skipped(id, CATEGORY, 'info', `${where}: no metric is defined on this slice (e.g. a single class), so it cannot be tested`));
        continue;
      }
      row.regressed = row.metrics.some((m) => m.regressed);
      const shown = row.regressed ? row.metrics.filter((m) => m.regressed) : row.metrics.filter((m) => m.p_value !== null).slice(0, 1);
      const text = shown.map((m) => describe(m, report.confidence)).join('; ');
      checks.push(
        result({
          id,
          category: CATEGORY,
          severity: settings.severity,
          status: row.regressed ? 'fail' : 'pass',
          value: shown[0]?.delta ?? null,
          threshold: `regress by <= margin (one-sided α ${round(alpha, 4)}, ${how})`,
          message: row.regressed ? `${where} regressed beyond its margin: ${text}` : `${where}: no regression beyond the margin (${text})`,
        }),
      );
    }
  }
  return { checks, report };
}

function blank(metric: MetricName, config: GateConfig): SliceMetric {
  const direction = config.metrics.thresholds[metric]?.direction ?? (HIGHER_IS_BETTER.has(metric) ? 'higher' : 'lower');
  return { metric, direction, candidate: null, baseline: null, delta: null, interval: null, margin: 0, p_value: null, p_adjusted: null, regressed: false };
}

function describe(m: SliceMetric, confidence: number): string {
  const ci = m.interval ? `, ${percentRounded(confidence, 1)} CI [${formatMetric(m.interval.low)}, ${formatMetric(m.interval.high)}]` : '';
  return `${m.metric} ${formatMetric(m.candidate)} vs ${formatMetric(m.baseline)} (Δ ${m.delta === null ? 'n/a' : formatMetric(m.delta)}${ci}, margin ${formatMetric(m.margin)}, p=${formatMetric(m.p_value)}, adjusted p=${formatMetric(m.p_adjusted)})`;
}

/** The family's entry: the evaluations the metrics and comparison families made, read per slice. */
export function runSlices(ctx: CheckContext, candidate: Evaluation | null, baselineView: ModelView | null): { checks: CheckResult[]; report: SliceReport | null } {
  if (!ctx.labels) return { checks: [skipped('slices', CATEGORY, 'info', 'slices not measured: no labelled evaluation data (data.eval with data.label)')], report: null };
  if (!candidate) return { checks: [skipped('slices', CATEGORY, 'info', "slices not measured: the candidate's metrics could not be computed (see metrics)")], report: null };
  let baseline: Evaluation | null = null;
  if (baselineView && baselineView.task === candidate.task) {
    try {
      baseline = evaluationOf(baselineView, ctx.labels);
    } catch {
      baseline = null; // the comparison family already reports why
    }
  }
  const { checks, report } = judgeSlices({ config: ctx.config, candidate, baseline, columns: ctx.sliceColumns ?? new Map(), source: ctx.labels.path });
  return { checks, report };
}
