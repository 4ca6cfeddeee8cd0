/**
 * Data preparation for a validate run: the eval, reference and current data read, and the rows
 * the model runs on built from them (bound to its inputs, bad rows judged by data.bad_rows and
 * skipped, or random rows generated when there is no eval data), with their labels, weights and
 * slice columns. It returns plain objects; the families read them through the check context.
 */
import type { SliceColumn } from '../checks/context.ts';
import { bytesPerRow } from '../checks/batch-bytes.ts';
import { signatureMismatch } from '../checks/compare.ts';
import type { Labels } from '../checks/evaluation.ts';
import { sliceColumnNames } from '../checks/slices.ts';
import type { GateConfig } from '../config/types.ts';
import { result, type CheckResult } from '../core/check-result.ts';
import { UsageError, getErrorMessage } from '../errors.ts';
import type { ModelRunner, ModelSignature } from '../runners/types.ts';
import { describeBadRows, findBadRows, keptRows, missingFedBy, missingFedColumns } from './bad-rows.ts';
import { columnNames, type Dataset } from './dataset.ts';
import { BindingError, arrayWidths, bindInputs, describeFeed, featuresFromDataset, fedShape, type FeatureRows } from './features.ts';
import { generateRows } from './generate.ts';
import { limitsFromConfig } from './limits.ts';
import { readDataset } from './read.ts';

/** Generated input beyond which rows are not added (data.generated_rows is the count otherwise). */
const GENERATED_BYTES = 16 * 2 ** 20;
/** Generated rows however large a row: enough for the output checks and a batch of 32. */
const MIN_GENERATED_ROWS = 64;

/** The data a run reads; `current` only when drift is on, has a reference and names drift.current. */
export interface DataSets {
  evalData: Dataset | null;
  reference: Dataset | null;
  current: Dataset | null;
}

/** The rows the families run on. */
export interface PreparedRows {
  rows: FeatureRows;
  labels: Labels | null;
  /** The same rows bound to another model's inputs (the baseline's); null for generated rows. */
  sameRowsFor: ((signature: ModelSignature) => FeatureRows) | null;
  sliceColumns?: Map<string, SliceColumn>;
}

/** The run's data sets; `drift` says whether drift is measured (the mode's families use it, and the config has it on). */
export async function readData(config: GateConfig, progress: (message: string) => void, drift: boolean): Promise<DataSets> {
  if (config.data.eval) progress(`reading ${config.data.eval}`);
  const evalData = config.data.eval ? await readDataset(config.data.eval, limitsFromConfig(config.data)) : null;
  const reference = config.data.reference ? await readDataset(config.data.reference, limitsFromConfig(config.data)) : null;
  const driftOn = drift && reference !== null;
  if (driftOn && config.drift.current) progress(`reading ${config.drift.current}`);
  const current = driftOn && config.drift.current ? await readDataset(config.drift.current, limitsFromConfig(config.data)) : null;
  return { evalData, reference, current };
}

/**
 * Rows to run the model on, with their labels; bad rows are judged and (by policy) skipped.
 * A mapping problem becomes a failing blocker, not a crash: `rows` is then null. `checks` are the
 * data's and the mapping's results, in the order they were judged.
 */
export function prepareRows(runner: ModelRunner, data: DataSets, config: GateConfig): { checks: CheckResult[]; prepared: PreparedRows | null } {
  const checks: CheckResult[] = [];
  const prepared = makeRows(runner, data.evalData, data.reference, config, checks);
  return { checks, prepared };
}

function makeRows(runner: ModelRunner, evalData: Dataset | null, reference: Dataset | null, config: GateConfig, checks: CheckResult[]): PreparedRows | null {
  const { label, weight } = config.data;
  const exclude = new Set([label, weight, config.data.id].filter((x): x is string => !!x));
  const source = evalData ?? reference;
  let labelColumn = label;
  for (const [key, name] of [['label', label], ['weight', weight]] as const) {
    if (evalData && name && !evalData.columns.some((c) => c.name === name)) {
      checks.push(
        result({
          id: `data.${key}`,
          category: 'data',
          severity: 'blocker',
          status: 'fail',
          message: `${key} column "${name}" is not in ${evalData.path}; its columns are: ${columnNames(evalData)}`,
        }),
      );
      if (key === 'label') labelColumn = undefined;
    }
  }
  try {
    const bindings = bindWithSlices(runner, source, config, exclude);
    runner.bindColumns?.(bindings[0]?.columns ?? null);
    if (!evalData) {
      // Rows of an image or audio model weigh a lot, and their answers more (an OCR model's: 1 MiB
      // a row): past GENERATED_BYTES of input, more random rows add memory, not coverage.
      const fit = Math.max(MIN_GENERATED_ROWS, Math.floor(GENERATED_BYTES / bytesPerRow(generateRows(bindings, 1, config.data.seed, reference))));
      const wanted = config.data.generated_rows;
      const generated = generateRows(bindings, Math.min(wanted, fit), config.data.seed, reference);
      const rows = fit < wanted ? { ...generated, source: `${generated.source}; fewer than data.generated_rows (${wanted}): at most ${GENERATED_BYTES / 2 ** 20} MiB of input` } : generated;
      checks.push(mappingCheck(bindings, rows.rows, null));
      return { rows, labels: null, sameRowsFor: null };
    }
    const used = [...new Set([...bindings.flatMap((b) => b.columns ?? []), ...[labelColumn, weight].filter((x): x is string => !!x)])];
    const policy = config.data.bad_rows;
    const bad = findBadRows(evalData, used, weight, arrayWidths(bindings), missingFedBy(policy, bindings, evalData));
    const share = evalData.rows === 0 ? 0 : bad.indices.length / evalData.rows;
    const tooMany = policy.policy === 'fail' ? bad.indices.length > 0 : share > policy.max_share;
    if (bad.indices.length > 0 || evalData.rows === 0) {
      checks.push(
        result({
          id: 'data.bad_rows',
          category: 'data',
          severity: policy.severity,
          status: tooMany || bad.indices.length === evalData.rows ? 'fail' : 'pass',
          value: bad.indices.length,
          threshold: policy.policy === 'fail' ? 'no bad rows' : `<= ${policy.max_share * 100}% skipped`,
          message: `${evalData.path}: ${describeBadRows(bad)}${tooMany ? '' : ' (skipped)'}`,
          ...(bad.byCause.missing > 0 && policy.missing_features !== 'feed' && missingFedColumns(bindings, evalData).size > 0 ? { hint: MISSING_HINT } : {}),
        }),
      );
    }
    const keep = keptRows(bad);
    const rows = featuresFromDataset(evalData, bindings, keep);
    if (rows.rows === 0) throw new UsageError(`${evalData.path} has no usable rows`);
    checks.push(mappingCheck(bindings, rows.rows, evalData));
    // The same rows for a model whose inputs differ (the baseline): its inputs bound by the same rules.
    const sameRowsFor = (signature: ModelSignature) => {
      const own = Object.fromEntries(Object.entries(config.model.inputs ?? {}).filter(([name]) => signature.inputs.some((i) => i.name === name)));
      return featuresFromDataset(evalData, bindInputs(signature, evalData, own, exclude), keep);
    };
    return { rows, labels: labelColumn ? labelsOf(evalData, labelColumn, weight, keep) : null, sameRowsFor, sliceColumns: sliceColumnsOf(evalData, config, keep) };
  } catch (error) {
    const snippet = error instanceof BindingError && error.snippet ? error.snippet : null;
    checks.push(
      result({
        id: 'inputs.mapping',
        category: 'inputs',
        severity: 'blocker',
        status: 'fail',
        message: `cannot feed the model${source ? ` from ${source.path}` : ''}: ${getErrorMessage(error)}`,
        ...(snippet ? { hint: `# Add to the config (the values in <…> are yours to fill):\n${snippet}` } : {}),
      }),
    );
    return null;
  }
}

/**
 * The baseline's own feeds of the eval rows when its inputs differ from the candidate's (names,
 * types: a Python model behind a command against an ONNX file); undefined when they are alike, or
 * when its inputs cannot be fed from the data (comparison.signature then says what differs).
 */
export function feedsOfBaseline(candidate: ModelSignature, baseline: ModelSignature, sameRowsFor: ((s: ModelSignature) => FeatureRows) | null): FeatureRows | undefined {
  if (!sameRowsFor || !signatureMismatch({ inputs: candidate.inputs, outputs: [] }, { inputs: baseline.inputs, outputs: [] })) return undefined;
  try {
    return sameRowsFor(baseline);
  } catch {
    return undefined;
  }
}

const MISSING_HINT = [
  'Empty cells are left out with their rows, and the model is judged on the rest. If the model handles missing values',
  '(XGBoost, LightGBM, HistGradientBoosting, a Pipeline with an imputer), feed them to it as NaN:',
  'data:',
  '  bad_rows: { missing_features: feed }',
].join('\n');

function mappingCheck(bindings: ReturnType<typeof bindInputs>, rows: number, data: Dataset | null): CheckResult {
  const mapping = bindings.map((b) => `"${b.name}" ${b.dtype}${fedShape(b)} <- ${describeFeed(b)}`).join('; ');
  return result({
    id: 'inputs.mapping',
    category: 'inputs',
    severity: 'blocker',
    status: 'pass',
    value: rows,
    message: data ? `${mapping} (${rows.toLocaleString('en')} rows of ${data.path})` : mapping,
  });
}

/**
 * Inputs bound with the slice columns kept out of the features, as the label is, unless the model
 * takes them: named in model.inputs, named like an input, or needed to fill an input's width.
 * When the width needs some of them but does not say which, the user must name the columns.
 */
function bindWithSlices(runner: ModelRunner, source: Dataset | null, config: GateConfig, exclude: ReadonlySet<string>): ReturnType<typeof bindInputs> {
  const named = new Set([...runner.signature.inputs.map((i) => i.name), ...Object.values(config.model.inputs ?? {}).flatMap((b) => b.columns ?? [])]);
  const sliceOnly = sliceColumnNames(config).filter((c) => !exclude.has(c) && !named.has(c) && source?.columns.some((x) => x.name === c));
  const attempt = (fed: string[]) => {
    try {
      return bindInputs(runner.signature, source, config.model.inputs, new Set([...exclude, ...sliceOnly.filter((c) => !fed.includes(c))]));
    } catch {
      return null;
    }
  };
  // Fewest slice columns fed first (at most 6 columns are tried in combinations).
  const options = sliceOnly.length > 6 ? [[]] : Array.from({ length: 1 << sliceOnly.length }, (_, m) => sliceOnly.filter((_, i) => (m & (1 << i)) !== 0));
  options.sort((a, b) => a.length - b.length);
  for (let size = 0; size < sliceOnly.length; size++) {
    const fits = options.filter((o) => o.length === size).flatMap((fed) => {
      const b = attempt(fed);
      return b ? [{ fed, b }] : [];
    });
    if (fits.length === 1) return fits[0]!.b;
    if (fits.length > 1) {
      const input = runner.signature.inputs[0]?.name ?? 'input';
      throw new UsageError(`the slice columns ${fits.map((f) => f.fed.join(' + ')).join(' or ')} could each complete the model's features; name the model's columns in model.inputs.${input}.columns`);
    }
  }
  return bindInputs(runner.signature, source, config.model.inputs, exclude);
}

/** The slice columns' cells of the kept rows. */
function sliceColumnsOf(data: Dataset, config: GateConfig, keep: Int32Array | null): Map<string, SliceColumn> | undefined {
  const names = sliceColumnNames(config);
  if (names.length === 0) return undefined;
  return new Map(
    names.map((name): [string, SliceColumn] => {
      const col = data.columns.find((c) => c.name === name);
      if (!col || col.kind === 'array') return [name, null];
      const values = col.values ? (keep ? Float64Array.from(keep, (r) => col.values![r]!) : col.values) : null;
      const text = col.text ? (keep ? Array.from(keep, (r) => col.text![r]!) : col.text) : null;
      return [name, { values, text }];
    }),
  );
}

function labelsOf(data: Dataset, label: string, weight: string | undefined, keep: Int32Array | null): Labels {
  const pick = <T extends { length: number }>(values: T, make: (n: number, at: (i: number) => number) => T): T =>
    keep ? make(keep.length, (i) => keep[i]!) : values;
  const col = data.columns.find((c) => c.name === label)!;
  const numeric = col.values ? pick(col.values, (n, at) => Float64Array.from({ length: n }, (_, i) => col.values![at(i)]!)) : null;
  const text = col.text ? (keep ? Array.from(keep, (r) => col.text![r]!) : col.text) : null;
  const w = weight ? data.columns.find((c) => c.name === weight)?.values : null;
  const weights = w ? pick(w, (n, at) => Float64Array.from({ length: n }, (_, i) => w[at(i)]!)) : null;
  return { path: data.path, column: label, numeric, text, weights, ...(keep ? { kept: keep } : {}) };
}
