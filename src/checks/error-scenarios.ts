/**
 * Error scenarios: what the model does with requests it should not accept. Each outcome is
 * recorded (rejected / non_finite / finite / empty) and judged against the accepted outcomes.
 *
 * A scenario passes only for its own reason: the same request unperturbed is sent first and must
 * succeed, and only a clean refusal (RunnerRejectedError: onnxruntime validating the perturbed input
 * or a node refusing it, an HTTP 4xx, a command's error line) counts as "rejected". A crash, a hang, a
 * 5xx, running out of memory or a refusal naming another input is an `error` for the scenario,
 * and the runner is restarted for the next one. The suite has a time budget; what it could not
 * run within it is a failing warning, never a silent pass.
 */
import type { Outcome } from '../core/probe-outcome.ts';
import type { ScenarioConfig, ScenarioName } from '../config/types.ts';
import { SCENARIOS } from '../config/types.ts';
import { feedsFor, formatShape, isFloat, rowValues, rowWidth, tensorOf, type FeatureRows } from '../data/features.ts';
import { answerBytesPerRow, bytesPerRow } from './batch-bytes.ts';
import { getErrorMessage } from '../errors.ts';
import type { DType, Feeds, Outputs } from '../runners/types.ts';
import { PROBE_SCENARIOS, RunnerCrashError, RunnerRejectedError, RunnerTimeoutError, elementCount, toNumbers, type ProbeScenario } from '../runners/types.ts';
import type { CheckContext } from './context.ts';
import { result, type CheckResult } from '../core/check-result.ts';

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

/** Defaults of the oversized batch: at most this many rows, and at most this much input. */
export const OVERSIZED_ROWS = 4096;
export const OVERSIZED_MAX_MB = 64;
/** Rows of an oversized batch at least: one more than the one-row request. */
const OVERSIZED_MIN_ROWS = 2;


const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1);

const SWAPPED: Partial<Record<DType, DType>> = {
  float32: 'float64',
  float64: 'float32',
  int32: 'float32',
  int64: 'float32',
  uint8: 'float32',
  int8: 'float32',
  bool: 'float32',
};

/** Scenarios that perturb the values of one input (its width, type or a value). */
const VALUE_SCENARIOS: ReadonlySet<ScenarioName> = new Set(['wrong_feature_count', 'wrong_dtype', 'nan_input', 'inf_input']);

/**
 * The input a scenario perturbs: the first that data feeds (constants, a sample rate or a state,
 * are not the request); for a value perturbation, the first of those that is not text (a
 * table's text column comes first as often as not, its numbers after it); -1 when none is fed.
 */
export function perturbedInput(rows: FeatureRows, name: ScenarioName): number {
  const fed = rows.bindings.findIndex((b) => b.source.kind !== 'constant');
  if (!VALUE_SCENARIOS.has(name)) return fed;
  const numeric = rows.bindings.findIndex((b, i) => b.source.kind !== 'constant' && !Array.isArray(rows.typed[i]));
  return numeric >= 0 ? numeric : fed;
}

/** The request each scenario sends, or why it does not apply to this model. */
export function scenarioRequest(name: ScenarioName, rows: FeatureRows, cfg: ScenarioConfig, answerBytes = 0): ScenarioRequest | string {
  const index = perturbedInput(rows, name);
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
      // Sized in bytes, request and answer (`answerBytes` a row, as the control call measured it),
      // so that a row weighing an image, or an answer of 6,625 classes × 40 steps, does not make
      // a batch of gigabytes.
      const maxMb = cfg.max_mb ?? OVERSIZED_MAX_MB;
      const rowBytes = bytesPerRow(rows) + answerBytes;
      const size = Math.min(cfg.size ?? OVERSIZED_ROWS, Math.floor((maxMb * 2 ** 20) / rowBytes));
      if (size < OVERSIZED_MIN_ROWS) {
        return `one row is ${mib(rowBytes)} MiB of input and answer: a batch of ${OVERSIZED_MIN_ROWS} would exceed errors.oversized_batch.max_mb (${maxMb} MiB)`;
      }
      const input = size * (rowBytes - answerBytes);
      const answer = answerBytes > 0 ? `, about ${mib(size * answerBytes)} MiB of answer` : '';
      return { request: `a batch of ${size} rows (${mib(input)} MiB of input${answer})`, feeds: feedsFor(rows, 0, size) };
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
    if (!allFinite(t.data)) return { outcome: 'non_finite', detail: `returned NaN/Inf in "${name}"` };
  }
  return { outcome: 'finite', detail: 'returned finite values' };
}

/** Tolerance of `converted`: a row rounded to float32 moves a probability by far less. */
const CONVERTED_TOLERANCE = 1e-3;

/** The same outputs (names, shapes, numbers within CONVERTED_TOLERANCE, text equal). */
export function sameAnswer(a: Outputs, b: Outputs): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    const x = a[name]!;
    const y = b[name];
    if (!y || x.dims.length !== y.dims.length || x.dims.some((d, i) => d !== y.dims[i])) return false;
    if (Array.isArray(x.data) || Array.isArray(y.data)) return Array.isArray(x.data) && Array.isArray(y.data) && x.data.every((v, i) => v === (y.data as unknown[])[i]);
    const u = toNumbers(x);
    const v = toNumbers(y);
    if (!u || !v || u.length !== v.length) return false;
    for (let i = 0; i < u.length; i++) if (!(Math.abs(u[i]! - v[i]!) <= CONVERTED_TOLERANCE * Math.max(1, Math.abs(v[i]!)))) return false;
    return true;
  });
}

/** No NaN or Inf, read in place: a copy as doubles would double the memory of a large answer. */
function allFinite(data: Outputs[string]['data']): boolean {
  // Integers, booleans and strings hold no NaN.
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return true;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return false;
  return true;
}

const OUTCOME_WORDS: Record<Outcome, string> = {
  rejected: 'rejected it',
  non_finite: 'returned NaN/Inf',
  finite: 'returned finite values',
  converted: 'converted it (the same answer as to the declared type)',
  empty: 'returned 0 rows',
  accepted: 'accepted it (2xx)',
  server_error: 'failed with a server error (5xx)',
  no_error_body: 'rejected it without an error body',
};

/** Finite answers to NaN or Inf: the model treats them as values (XGBoost: NaN is "missing"). */
const HANDLED = new Set<ScenarioName>(['nan_input', 'inf_input']);
const words = (scenario: ScenarioName, outcome: Outcome) => (HANDLED.has(scenario) && outcome === 'finite' ? 'handled it (returned finite values)' : OUTCOME_WORDS[outcome]);

export function judgeScenario(observed: ScenarioOutcome, cfg: ScenarioConfig): CheckResult {
  const ok = cfg.expect.includes(observed.outcome);
  const { scenario } = observed;
  const said = words(scenario, observed.outcome);
  return result({
    id: `errors.${scenario}`,
    category: CATEGORY,
    severity: cfg.severity,
    status: ok ? 'pass' : 'fail',
    value: observed.outcome,
    threshold: `one of: ${cfg.expect.join(', ')}`,
    message: `${observed.request}: the model ${said}${(observed.outcome === 'rejected' || !ok) && !said.includes(observed.detail) ? ` (${observed.detail})` : ''}${ok ? '' : ` — expected ${cfg.expect.map((o) => words(scenario, o)).join(' or ')} (errors.${scenario}.expect)`}`,
  });
}

/**
 * What a failed call means for a scenario: a rejection only when the model refused cleanly and,
 * if it names an input, names the perturbed one; anything else is why the scenario errored.
 */
export function refusalOf(error: unknown, input: string): { rejected: string } | { failed: string } {
  const message = getErrorMessage(error);
  if (error instanceof RunnerRejectedError) {
    if (error.input !== null && error.input !== input && error.input !== `${input}_misnamed`) {
      return { failed: `the refusal is about another input, "${error.input}", not "${input}": ${message}` };
    }
    return { rejected: message };
  }
  if (error instanceof RunnerTimeoutError) return { failed: `a hang, not a refusal: ${message}` };
  if (error instanceof RunnerCrashError) return { failed: `a crash, not a refusal: ${message}` };
  return { failed: `the call failed without refusing the request (a refusal is an input validation error, an HTTP 4xx or a command's error line): ${message}` };
}

export async function runErrorScenarios(ctx: CheckContext): Promise<{ checks: CheckResult[]; outcomes: ScenarioOutcome[] }> {
  const cfg = ctx.config.checks.errors;
  const checks: CheckResult[] = [];
  const outcomes: ScenarioOutcome[] = [];
  if (!cfg.enabled) return { checks, outcomes };
  ctx.progress('error scenarios');
  const start = ctx.clock.now();
  const budgetMs = cfg.time_budget_s * 1000;
  const late: ScenarioName[] = [];
  for (const name of SCENARIOS) {
    const sc = cfg[name];
    if (!sc.enabled) continue;
    if (PROBE_SCENARIOS.has(name) && !ctx.runner.probe) continue; // an HTTP matter: nothing to say about an in-process model
    if (ctx.clock.now() - start >= budgetMs) {
      late.push(name);
      checks.push(result({ id: `errors.${name}`, category: CATEGORY, severity: sc.severity, status: 'skip', message: `not run: the error scenarios' time budget (errors.time_budget_s, ${cfg.time_budget_s} s) ran out` }));
      continue;
    }
    const { check, observed } = await runScenario(ctx, name, sc);
    checks.push(check);
    if (observed) outcomes.push(observed);
  }
  // The families after this one get a model that answers, whatever the last scenario did to it.
  await recovered(ctx);
  if (late.length > 0) {
    const spent = Math.round((ctx.clock.now() - start) / 1000);
    checks.push(
      result({
        id: 'errors.time_budget',
        category: CATEGORY,
        severity: 'warning',
        status: 'fail',
        value: late,
        threshold: `<= ${cfg.time_budget_s} s`,
        message: `the error scenarios used their ${cfg.time_budget_s} s budget (${spent} s spent); not run: ${late.join(', ')}. Raise errors.time_budget_s, shrink errors.oversized_batch.max_mb, or disable the slow scenarios`,
      }),
    );
  }
  return { checks, outcomes };
}

/** Restarts a model whose process crashed or hung; a restart that fails is said by the next call. */
async function recovered(ctx: CheckContext): Promise<string | null> {
  try {
    await ctx.runner.recover?.();
    return null;
  } catch (error) {
    return getErrorMessage(error);
  }
}

/** One scenario: the request unperturbed (must succeed), then perturbed, judged. */
async function runScenario(ctx: CheckContext, name: ScenarioName, sc: ScenarioConfig): Promise<{ check: CheckResult; observed: ScenarioOutcome | null }> {
  const runner = ctx.runner;
  const id = `errors.${name}`;
  const failed = (message: string) => ({ check: result({ id, category: CATEGORY, severity: sc.severity, status: 'error', message }), observed: null });
  const primary = ctx.rows.bindings[perturbedInput(ctx.rows, name)]?.name ?? '';
  let req: ScenarioRequest | string;
  if (PROBE_SCENARIOS.has(name)) {
    req = { request: name.replace(/_/g, ' '), feeds: {} };
  } else {
    const wire = runner.expresses;
    req =
      wire && name === 'wrong_dtype' && !wire.dtype
        ? `${wire.why} carry no element type: a request in another type cannot be sent`
        : wire && name === 'missing_input' && !wire.names
          ? `${wire.why} carry no input name: a misnamed input cannot be sent`
          : scenarioRequest(name, ctx.rows, sc);
  }
  if (typeof req === 'string') return { check: result({ id, category: CATEGORY, severity: sc.severity, status: 'skip', message: req }), observed: null };

  const label = req.request;
  const one = ctx.rows.fixedBatch ?? 1;
  const good = feedsFor(ctx.rows, 0, one);
  const restart = await recovered(ctx);
  let plain: Outputs | undefined;
  try {
    const answer = await runner.infer(good);
    plain = answer;
    // The oversized batch counts the answer's bytes too, now that one answer says what a row weighs.
    if (name === 'oversized_batch') req = scenarioRequest(name, ctx.rows, sc, answerBytesPerRow(answer, one));
  } catch (error) {
    // Without a model that answers the plain request, a refusal of the bad one means nothing.
    const why = restart ? `the model could not be restarted after the previous scenario: ${restart}` : getErrorMessage(error);
    return failed(`${label}: not judged, because the same request unperturbed failed first: ${why}`);
  }
  if (typeof req === 'string') return { check: result({ id, category: CATEGORY, severity: sc.severity, status: 'skip', message: req }), observed: null };
  if (PROBE_SCENARIOS.has(name)) {
    try {
      const observed = { scenario: name, ...(await runner.probe!(name as ProbeScenario, good, sc.size_mb ?? 32)) };
      return { check: judgeScenario(observed, sc), observed };
    } catch (error) {
      return failed(`${name.replace(/_/g, ' ')}: ${getErrorMessage(error)}`);
    }
  }
  let observed: ScenarioOutcome;
  try {
    const got = await runner.infer(req.feeds);
    observed = { scenario: name, request: req.request, ...classify(got) };
    // A server that reads a float32 request for a float64 model as numbers (JSON carries no more)
    // and answers as it answers the declared type has done nothing wrong: say so.
    if (name === 'wrong_dtype' && observed.outcome === 'finite' && sameAnswer(plain!, got)) {
      observed = { ...observed, outcome: 'converted', detail: 'the same answer as to the declared type' };
    }
  } catch (error) {
    const refusal = refusalOf(error, primary);
    if ('failed' in refusal && error instanceof RunnerCrashError) {
      // A real finding (a server running this model goes down with it), but one a team may accept
      // knowingly: say how, rather than leave a DELAY nobody can clear.
      const hint = `The model took the ONNX runtime down with it on this request. If your server never sends it, report it without gating:\nchecks:\n  errors:\n    ${name}: { severity: info }`;
      return { check: result({ id, category: CATEGORY, severity: sc.severity, status: 'error', message: `${req.request}: ${refusal.failed}`, hint }), observed: null };
    }
    if ('failed' in refusal) return failed(`${req.request}: ${refusal.failed}`);
    observed = { scenario: name, request: req.request, outcome: 'rejected', detail: refusal.rejected };
  }
  return { check: judgeScenario(observed, sc), observed };
}
