/**
 * Error scenarios: what the model does with requests it should not accept. Each outcome is
 * recorded (rejected / non_finite / finite / empty) and judged against the accepted outcomes.
 */
import type { Outcome, ScenarioConfig, ScenarioName } from '../config/types.ts';
import { SCENARIOS } from '../config/types.ts';
import { feedsFor, formatShape, isFloat, rowValues, rowWidth, tensorOf, type FeatureRows } from '../data/features.ts';
import { getErrorMessage } from '../errors.ts';
import type { DType, Feeds, Outputs } from '../runners/types.ts';
import { PROBE_SCENARIOS, RunnerCrashError, RunnerTimeoutError, elementCount, toNumbers, type ModelRunner, type ProbeScenario } from '../runners/types.ts';
import type { CheckContext } from './context.ts';
import { result, type CheckResult } from './types.ts';

const CATEGORY = 'errors';

export interface ScenarioOutcome {
  scenario: ScenarioName;
  /** What was sent, in words. */
  request: string;
  outcome: Outcome;
  /** The model's error, or what it returned. */
  detail: string;
}

interface ScenarioRequest {
  request: string;
  feeds: Feeds;
}

const SWAPPED: Partial<Record<DType, DType>> = {
  float32: 'float64',
  float64: 'float32',
  int32: 'float32',
  int64: 'float32',
  uint8: 'float32',
  int8: 'float32',
  bool: 'float32',
};

/** The request each scenario sends, or why it does not apply to this model. */
export function scenarioRequest(name: ScenarioName, rows: FeatureRows, cfg: ScenarioConfig): ScenarioRequest | string {
  // The first input that data feeds: constants (a sample rate, a state) are not the request.
  const index = rows.bindings.findIndex((b) => b.source.kind !== 'constant');
  if (index < 0) return 'every input is a constant from the config: no data to perturb';
  const primary = rows.bindings[index]!;
  const width = rowWidth(primary);
  const one = rows.fixedBatch ?? 1;
  const good = feedsFor(rows, 0, one);
  const firstRow = rowValues(rows, index, 0);
  const dimsFor = (shape: number[]) =>
    primary.batchAxis === null ? shape : [...shape.slice(0, primary.batchAxis), 1, ...shape.slice(primary.batchAxis)];
  if (Array.isArray(rows.typed[index]) && name !== 'empty_batch' && name !== 'missing_input' && name !== 'oversized_batch') {
    return `"${primary.name}" takes text: no numeric perturbation applies`;
  }
  if (one !== 1 && name !== 'empty_batch' && name !== 'missing_input' && name !== 'oversized_batch') {
    return `the model takes a fixed batch of ${one}: the one-row request cannot be sent`;
  }
  switch (name) {
    case 'wrong_feature_count': {
      // Only a dim the model fixes can be wrong; a dynamic one (audio length, image width) takes any size.
      const declared = primary.batchAxis === null ? primary.declared : primary.declared.filter((_, i) => i !== primary.batchAxis);
      const axis = declared.findLastIndex((d) => typeof d === 'number');
      if (axis < 0 || declared.length !== primary.rowShape.length) {
        return `"${primary.name}" ${formatShape(primary.declared)} has no fixed size after the batch: any count is valid`;
      }
      const size = primary.rowShape[axis]!;
      const changed = size > 1 ? size - 1 : size + 1;
      const shape = primary.rowShape.map((d, i) => (i === axis ? changed : d));
      const count = elementCount(shape);
      const values = Float64Array.from({ length: count }, (_, i) => firstRow[i % width]!);
      return {
        request:
          primary.rowShape.length === 1
            ? `"${primary.name}" with ${changed} features per row instead of ${size}`
            : `"${primary.name}" with ${changed} values instead of ${size} on axis ${axis + (primary.batchAxis !== null && primary.batchAxis <= axis ? 1 : 0)}`,
        feeds: { ...good, [primary.name]: tensorOf(primary.dtype, values, dimsFor(shape)) },
      };
    }
    case 'wrong_dtype': {
      const other = SWAPPED[primary.dtype];
      if (!other) return `"${primary.name}" is ${primary.dtype}: no other type to try`;
      return {
        request: `"${primary.name}" as ${other} instead of ${primary.dtype}`,
        feeds: { ...good, [primary.name]: tensorOf(other, firstRow, dimsFor(primary.rowShape)) },
      };
    }
    case 'nan_input':
    case 'inf_input': {
      if (!isFloat(primary.dtype)) return `"${primary.name}" is ${primary.dtype}, which cannot hold NaN or Inf`;
      const values = Float64Array.from(firstRow);
      values[0] = name === 'nan_input' ? Number.NaN : Number.POSITIVE_INFINITY;
      return {
        request: `one row with ${name === 'nan_input' ? 'NaN' : '+Inf'} in its first feature`,
        feeds: { ...good, [primary.name]: tensorOf(primary.dtype, values, dimsFor(primary.rowShape)) },
      };
    }
    case 'empty_batch':
      return { request: 'a batch of 0 rows', feeds: feedsFor(rows, 0, 0) };
    case 'missing_input': {
      const rest = { ...good };
      delete rest[primary.name];
      rest[`${primary.name}_misnamed`] = good[primary.name]!;
      return { request: `the input "${primary.name}" sent under another name`, feeds: rest };
    }
    case 'oversized_batch': {
      if (rows.fixedBatch !== null) return `the model takes a fixed batch of ${rows.fixedBatch}: a larger batch is refused by its signature`;
      const size = cfg.size ?? 4096;
      return { request: `a batch of ${size} rows`, feeds: feedsFor(rows, 0, size) };
    }
    case 'malformed_json':
    case 'wrong_content_type':
    case 'oversized_request':
      return 'only for HTTP endpoints';
  }
}

export function classify(outputs: Outputs): { outcome: Outcome; detail: string } {
  const tensors = Object.values(outputs);
  if (tensors.length > 0 && tensors.every((t) => elementCount(t.dims) === 0)) {
    return { outcome: 'empty', detail: 'returned 0 rows' };
  }
  for (const [name, t] of Object.entries(outputs)) {
    const v = toNumbers(t);
    if (v && v.some((x) => !Number.isFinite(x))) return { outcome: 'non_finite', detail: `returned NaN/Inf in "${name}"` };
  }
  return { outcome: 'finite', detail: 'returned finite values' };
}

const OUTCOME_WORDS: Record<Outcome, string> = {
  rejected: 'rejected it',
  non_finite: 'returned NaN/Inf',
  finite: 'returned finite values',
  empty: 'returned 0 rows',
  accepted: 'accepted it (2xx)',
  server_error: 'failed with a server error (5xx)',
  no_error_body: 'rejected it without an error body',
};

export function judgeScenario(observed: ScenarioOutcome, cfg: ScenarioConfig): CheckResult {
  const ok = cfg.expect.includes(observed.outcome);
  return result({
    id: `errors.${observed.scenario}`,
    category: CATEGORY,
    severity: cfg.severity,
    status: ok ? 'pass' : 'fail',
    value: observed.outcome,
    threshold: `one of: ${cfg.expect.join(', ')}`,
    message: `${observed.request}: the model ${OUTCOME_WORDS[observed.outcome]}${observed.outcome === 'rejected' || !ok ? ` (${observed.detail})` : ''}${ok ? '' : ` — expected ${cfg.expect.map((o) => OUTCOME_WORDS[o]).join(' or ')}`}`,
  });
}

export async function runErrorScenarios(ctx: CheckContext): Promise<{ checks: CheckResult[]; outcomes: ScenarioOutcome[] }> {
  const cfg = ctx.config.checks.errors;
  const checks: CheckResult[] = [];
  const outcomes: ScenarioOutcome[] = [];
  if (!cfg.enabled) return { checks, outcomes };
  ctx.progress('error scenarios');
  await runScenarios(ctx, ctx.runner, checks, outcomes);
  return { checks, outcomes };
}

async function runScenarios(ctx: CheckContext, runner: ModelRunner, checks: CheckResult[], outcomes: ScenarioOutcome[]): Promise<void> {
  const cfg = ctx.config.checks.errors;
  for (const name of SCENARIOS) {
    const sc = cfg[name];
    if (!sc.enabled) continue;
    if (PROBE_SCENARIOS.has(name)) {
      if (!ctx.runner.probe) continue; // an HTTP matter: nothing to say about an in-process model
      try {
        const observed = { scenario: name, ...(await ctx.runner.probe(name as ProbeScenario, feedsFor(ctx.rows, 0, 1), sc.size_mb ?? 32)) };
        outcomes.push(observed);
        checks.push(judgeScenario(observed, sc));
      } catch (error) {
        checks.push(result({ id: `errors.${name}`, category: CATEGORY, severity: sc.severity, status: 'error', message: `${name.replace(/_/g, ' ')}: ${getErrorMessage(error)}` }));
      }
      continue;
    }
    const wire = ctx.runner.expresses;
    const unsayable =
      wire && name === 'wrong_dtype' && !wire.dtype
        ? `${wire.why} carry no element type: a request in another type cannot be sent`
        : wire && name === 'missing_input' && !wire.names
          ? `${wire.why} carry no input name: a misnamed input cannot be sent`
          : null;
    const req = unsayable ?? scenarioRequest(name, ctx.rows, sc);
    if (typeof req === 'string') {
      checks.push(result({ id: `errors.${name}`, category: CATEGORY, severity: sc.severity, status: 'skip', message: req }));
      continue;
    }
    let observed: ScenarioOutcome;
    try {
      const out = await runner.infer(req.feeds);
      observed = { scenario: name, request: req.request, ...classify(out) };
    } catch (error) {
      const message = getErrorMessage(error);
      // A crash or a hang is not a refusal: it fails the scenario whatever it expects.
      if (error instanceof RunnerTimeoutError || error instanceof RunnerCrashError) {
        checks.push(result({ id: `errors.${name}`, category: CATEGORY, severity: sc.severity, status: 'error', message: `${req.request}: ${message}` }));
        continue;
      }
      observed = { scenario: name, request: req.request, outcome: 'rejected', detail: firstLine(message) };
    }
    outcomes.push(observed);
    checks.push(judgeScenario(observed, sc));
  }
}

const firstLine = (s: string) => s.split('\n')[0]!.trim();
