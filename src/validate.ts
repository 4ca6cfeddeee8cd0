/**
 * The validate engine shared by the action and the CLI: settings -> config -> runner + data ->
 * check families -> decision -> report. It returns data; the shells print and write it.
 */
import { createHash } from 'node:crypto';
import type { ArtifactFacts } from './checks/artifact.ts';
import { externalDataProblems, judgeArtifact } from './checks/artifact.ts';
import type { CheckContext, SliceColumn } from './checks/context.ts';
import { FAMILIES, type Measurements } from './checks/index.ts';
import { sliceColumnNames } from './checks/slices.ts';
import { judgeLoad } from './checks/smoke.ts';
import { errored, result, skipped, type CheckResult } from './core/check-result.ts';
import type { Clock } from './clock.ts';
import { commandWithDefaults, endpointWithDefaults, resolveConfig, type LoadedConfig } from './config/load.ts';
import type { BaselineConfig, GateConfig } from './config/types.ts';
import { describeBadRows, findBadRows, keptRows } from './data/bad-rows.ts';
import { columnNames, type Dataset } from './data/dataset.ts';
import { limitsFromConfig } from './data/limits.ts';
import { readDataset } from './data/read.ts';
import type { Labels } from './checks/evaluation.ts';
import { BindingError, arrayWidths, bindInputs, describeFeed, featuresFromDataset, fedShape, type FeatureRows } from './data/features.ts';
import { generateRows } from './data/generate.ts';
import { bytesPerRow } from './checks/batch-bytes.ts';

/** Generated input beyond which rows are not added (data.generated_rows is the count otherwise). */
const GENERATED_BYTES = 16 * 2 ** 20;
/** Generated rows however large a row: enough for the output checks and a batch of 32. */
const MIN_GENERATED_ROWS = 64;
import { decide } from './decision.ts';
import { dataDrift, type DataDrift } from './drift/run.ts';
import { UsageError, getErrorMessage } from './errors.ts';
import { baselineFile, closeRunners, openModel, sourceOf } from './runners/open.ts';
import { buildReport, type Report, type ReportSignature } from './report/json.ts';
import { noModelFile, readModelFiles, safeToOpen } from './runners/model-files.ts';
import type { OrtModule } from './runners/onnxruntime-loader.ts';
import type { ModelRunner, ModelSignature } from './runners/types.ts';
import { signatureMismatch } from './checks/compare.ts';
import type { Settings } from './settings.ts';
import type { Provenance } from './provenance.ts';
import { versionId, type VersionInfo } from './version.ts';
import type { EndpointConfig } from './runners/http/protocols.ts';

export { expandHeaders } from './runners/open.ts';

export interface EngineDeps {
  clock: Clock;
  /** Loads onnxruntime (provisioning it if needed). */
  loadRuntime: () => Promise<OrtModule>;
  progress: (message: string) => void;
  provenance: Provenance;
  /** When a file's content came to be (the baseline's version timestamp). */
  contentTimestamp: (path: string) => Date;
  /** The environment `${NAME}` in endpoint headers is read from. */
  env?: NodeJS.ProcessEnv;
  /** Told every secret value so that logs mask it (the action's core.setSecret). */
  secret?: (value: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ValidationRun {
  report: Report;
  config: GateConfig;
  configPath: string | null;
}

export function applyOverrides(config: GateConfig, settings: Settings): GateConfig {
  const o = settings.overrides;
  const defined = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as Partial<T>;
  let { endpoint, command } = config.model;
  if (o.endpoint) {
    const flags = defined(o.endpoint);
    endpoint = endpointWithDefaults({ ...endpoint, ...flags, headers: { ...endpoint?.headers, ...o.endpoint.headers } } as Partial<EndpointConfig>);
    command = undefined;
  }
  if (o.command) {
    command = commandWithDefaults({ ...command, run: o.command });
    endpoint = undefined;
  }
  const loadOnly = settings.mode === 'load';
  const off = <T extends { enabled: boolean }>(x: T): T => (loadOnly ? { ...x, enabled: false } : x);
  return {
    ...config,
    // `model-gate load`: the smoke test (does it answer at all?), then the load test alone.
    checks: loadOnly
      ? { ...config.checks, outputs: off(config.checks.outputs), latency: off(config.checks.latency), errors: off(config.checks.errors) }
      : config.checks,
    metrics: off(config.metrics),
    comparison: off(config.comparison),
    drift: off(config.drift),
    model: { ...config.model, path: o.model ?? config.model.path, endpoint, command },
    baseline: baselineWithOverrides(config.baseline ?? null, o),
    data: {
      ...config.data,
      eval: o.data ?? config.data.eval,
      label: o.label ?? config.data.label,
      reference: o.reference ?? config.data.reference,
    },
    fail_on: o.failOn ?? config.fail_on,
    load: o.load || loadOnly ? { ...config.load, ...defined(o.load ?? {}), enabled: true } : config.load,
  };
}

/**
 * The baseline as one shape, flags over the config: `--baseline FILE` alone names the file to
 * compare with (whatever the config serves); with `--baseline-endpoint` / `--baseline-command` it
 * is the file that baseline serves, for its version.
 */
function baselineWithOverrides(given: GateConfig['baseline'], o: Settings['overrides']): BaselineConfig | null {
  const defined = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as Partial<T>;
  if (o.baseline && !o.baselineEndpoint && !o.baselineCommand) return { path: o.baseline };
  let b: BaselineConfig | null = typeof given === 'string' ? { path: given } : given ? { ...given } : null;
  if (o.baseline) b = { ...b, path: o.baseline };
  if (o.baselineEndpoint) {
    const flags = defined(o.baselineEndpoint);
    const endpoint = endpointWithDefaults({ ...b?.endpoint, ...flags, headers: { ...b?.endpoint?.headers, ...o.baselineEndpoint.headers } } as Partial<EndpointConfig>);
    b = { ...b, endpoint, command: undefined };
  }
  if (o.baselineCommand) b = { ...b, command: commandWithDefaults({ ...b?.command, run: o.baselineCommand }), endpoint: undefined };
  return b;
}

export async function validate(settings: Settings, deps: EngineDeps): Promise<ValidationRun> {
  const started = deps.clock.date();
  const t0 = deps.clock.now();
  const loaded = resolveConfig(settings.configPath);
  const config = applyOverrides(loaded.config, settings);
  const where = loaded.path ?? 'the config';
  const source = sourceOf(config.model, 'model', where);
  const served = source && source.kind !== 'onnx' ? source : null;
  const modelPath = config.model.path;
  if (!source) {
    throw new UsageError(
      `no model given: pass --model, --endpoint or --command (inputs "model", …) or set model.path in ${loaded.path ?? 'the config'}`,
    );
  }

  if (config.data.eval) deps.progress(`reading ${config.data.eval}`);
  const evalData = config.data.eval ? await readDataset(config.data.eval, limitsFromConfig(config.data)) : null;
  const reference = config.data.reference ? await readDataset(config.data.reference, limitsFromConfig(config.data)) : null;
  const driftOn = config.drift.enabled && reference !== null;
  if (driftOn && config.drift.current) deps.progress(`reading ${config.drift.current}`);
  const current = driftOn && config.drift.current ? await readDataset(config.drift.current, limitsFromConfig(config.data)) : null;
  const baselinePlace = config.baseline ? sourceOf(config.baseline as BaselineConfig, 'baseline', where) : null;
  const baseline = await baselineFile(baselinePlace, externalDataProblems);
  const baselineSpec = baselinePlace ? (baselinePlace.kind === 'onnx' ? baselinePlace.path : baselinePlace.target) : '';

  const target = source.target;
  let artifact: ArtifactFacts;
  const checks: CheckResult[] = [];
  if (modelPath) {
    deps.progress(`artifact: ${modelPath}`);
    artifact = await readModelFiles(modelPath);
    checks.push(...judgeArtifact(artifact, config));
  } else {
    // A served model with no file given: nothing to hash or parse; the server's metadata makes the version.
    artifact = noModelFile(target);
    checks.push(skipped('artifact.readable', 'artifact', 'info', `no model file given: the model is served by ${target}`));
  }
  const measured: Measurements = {};
  let rowsSource: string | null = null;
  let dataDriftResult: DataDrift | null = null;
  const scalarColumns = reference ? reference.columns.filter((c) => c.kind !== 'array').length : 0;
  if (driftOn && (current ?? evalData) && !config.drift.columns && scalarColumns > config.drift.max_features) {
    // Per-column tests over an image's pixels or an embedding's dims say little and cost much.
    checks.push(
      skipped(
        'drift.dataset',
        'drift',
        'info',
        `drift not measured: ${reference!.path} has ${scalarColumns.toLocaleString('en')} columns, more than drift.max_features (${config.drift.max_features.toLocaleString('en')}); name the columns to watch in drift.columns`,
      ),
    );
  } else if (driftOn && (current ?? evalData)) {
    const { label, weight, id } = config.data;
    deps.progress('drift: comparing the data with the reference');
    dataDriftResult = dataDrift(config, reference!, (current ?? evalData)!, { exclude: new Set([label, weight, id].filter((x): x is string => !!x)) });
    for (const c of dataDriftResult.checks) checks.push(c); // one per feature: too many to spread as arguments
  } else if (driftOn) {
    checks.push(skipped('drift.dataset', 'drift', 'info', 'drift not measured: no current data to compare with the reference (data.eval or drift.current)'));
  }

  let runner: ModelRunner | null = null;
  let fedRows: FeatureRows | null = null;
  let baselineRunner: ModelRunner | null = null;
  if (served || safeToOpen(artifact)) {
    deps.progress(served ? `smoke: waiting for ${target}` : 'smoke: loading the model');
    const load = await openModel(source, deps, { ...callOptions(config), formatError: artifact.formatError });
    runner = load.runner;
    checks.push(judgeLoad(load.outcome, target, config.checks.smoke.severity));
  }
  try {
    if (runner && baselinePlace && config.comparison.enabled) {
      deps.progress(`comparison: ${baselinePlace.kind === 'onnx' ? 'loading' : 'waiting for'} the baseline ${baselineSpec}`);
      const load = await openModel(baselinePlace, deps, { ...callOptions(config), onnxPath: baseline?.path });
      baselineRunner = load.runner;
      if (!load.runner) {
        checks.push(
          result({ id: 'comparison.baseline', category: 'comparison', severity: 'blocker', status: 'error', message: `the baseline ${baselineSpec} did not load: ${load.outcome.error}` }),
        );
      }
    }
    if (runner) {
      const made = makeRows(runner, evalData, reference, config, checks);
      if (made) {
        const { rows, labels, sliceColumns } = made;
        rowsSource = rows.source;
        fedRows = rows;
        const baselineRows = baselineRunner ? feedsOfBaseline(runner.signature, baselineRunner.signature, made.sameRowsFor) : undefined;
        const ctx: CheckContext = {
          config,
          runner,
          rows,
          labels,
          baseline: baselineRunner ? { runner: baselineRunner, path: baselineSpec, ...(baselineRows ? { rows: baselineRows } : {}) } : null,
          // Prediction drift needs real current rows: the eval data, or drift.current.
          drift: driftOn && (current || evalData) ? { reference: reference!, current } : null,
          ...(sliceColumns ? { sliceColumns } : {}),
          clock: deps.clock,
          progress: deps.progress,
        };
        for (const family of FAMILIES) {
          if (!family.enabled(ctx)) continue;
          try {
            for (const c of await family.run(ctx, measured)) checks.push(c);
          } catch (error) {
            checks.push(errored(`${family.name}.run`, family.name, 'blocker', `${family.name} checks could not run: ${getErrorMessage(error)}`));
          }
        }
      }
    } else {
      for (const family of FAMILIES) {
        checks.push(skipped(`${family.name}.run`, family.name, 'info', 'not run: the model did not load'));
      }
    }
  } finally {
    await closeRunners(runner, baselineRunner);
  }

  const servedHash = (kind: string, at: string, r: ModelRunner) => createHash('sha256').update(JSON.stringify({ served: kind, target: at, metadata: r.metadata ?? null })).digest('hex');
  // A served baseline without its file is versioned, like a served candidate, by what it reports.
  const baselineAt = baseline
    ? { ...baseline, at: deps.contentTimestamp(baseline.path) }
    : baselinePlace && baselinePlace.kind !== 'onnx' && baselineRunner
      ? { ...noModelFile(baselinePlace.target), sha256: servedHash(baselinePlace.kind, baselinePlace.target, baselineRunner), at: started }
      : null;
  if (served && !artifact.sha256 && runner) {
    artifact = { ...artifact, sha256: servedHash(served.kind, target, runner) };
  }
  const version = versionInfo(started, artifact, baselineAt, loaded, deps.provenance);
  checks.push(
    result({
      id: 'version.id',
      category: 'version',
      severity: 'info',
      status: version.id ? 'pass' : 'skip',
      value: version.id,
      message: version.id
        ? `version ${version.id}${served && !modelPath ? ` (from what the ${served.kind === 'http' ? 'server' : 'command'} reports about the model: give model.path too to version the file)` : ''}`
        : `no version: the model ${served ? 'could not be reached' : 'could not be read'}`,
    }),
  );
  const outcome = decide(checks);
  const report = buildReport({
    outcome,
    checks,
    config,
    configPath: loaded.path,
    version,
    artifact,
    runnerKind: served?.kind ?? 'onnx',
    signature: runner ? reportSignature(runner, fedRows) : null,
    measured,
    drift: dataDriftResult,
    data: {
      eval: config.data.eval ?? null,
      label: config.data.label ?? null,
      reference: config.data.reference ?? null,
      rows_evaluated: measured.predictions?.rows ?? 0,
      source: rowsSource,
    },
    startedAt: started,
    durationMs: deps.clock.now() - t0,
  });
  return { report, config, configPath: loaded.path };
}

/**
 * The baseline's own feeds of the eval rows when its inputs differ from the candidate's (names,
 * types: a Python model behind a command against an ONNX file); undefined when they are alike, or
 * when its inputs cannot be fed from the data (comparison.signature then says what differs).
 */
function feedsOfBaseline(candidate: ModelSignature, baseline: ModelSignature, sameRowsFor: ((s: ModelSignature) => FeatureRows) | null): FeatureRows | undefined {
  if (!sameRowsFor || !signatureMismatch({ inputs: candidate.inputs, outputs: [] }, { inputs: baseline.inputs, outputs: [] })) return undefined;
  try {
    return sameRowsFor(baseline);
  } catch {
    return undefined;
  }
}

const callOptions = (config: GateConfig) => ({ callTimeoutMs: config.model.timeout_seconds * 1000 });

/**
 * Rows to run the model on, with their labels; bad rows are judged and (by policy) skipped.
 * A mapping problem becomes a failing blocker, not a crash.
 */
function makeRows(
  runner: ModelRunner,
  evalData: Dataset | null,
  reference: Dataset | null,
  config: GateConfig,
  checks: CheckResult[],
): { rows: FeatureRows; labels: Labels | null; sameRowsFor: ((signature: ModelSignature) => FeatureRows) | null; sliceColumns?: Map<string, SliceColumn> } | null {
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
    const bad = findBadRows(evalData, used, weight, arrayWidths(bindings));
    const policy = config.data.bad_rows;
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

/** The signature as reported: every input with how it was fed. */
function reportSignature(runner: ModelRunner, rows: FeatureRows | null): ReportSignature {
  const bindings = new Map(rows?.bindings.map((b) => [b.name, b]));
  return {
    inputs: runner.signature.inputs.map((spec) => {
      const b = bindings.get(spec.name);
      return b ? { ...spec, fed: describeFeed(b), fed_shape: fedShape(b) } : spec;
    }),
    outputs: runner.signature.outputs,
    ...(runner.signature.unreadable ? { unreadable: runner.signature.unreadable } : {}),
  };
}

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
  return { path: data.path, column: label, numeric, text, weights };
}

function versionInfo(
  at: Date,
  artifact: ArtifactFacts,
  baseline: (ArtifactFacts & { at: Date }) | null,
  loaded: LoadedConfig,
  provenance: Provenance,
): VersionInfo {
  return {
    id: artifact.sha256 ? versionId(at, artifact.sha256) : '',
    sha256: artifact.sha256,
    size_bytes: artifact.size_bytes,
    created_at: at.toISOString().slice(0, 19) + 'Z',
    git_commit: provenance.gitCommit,
    git_ref: provenance.gitRef,
    run_url: provenance.runUrl,
    config_sha256: loaded.sha256,
    baseline: baseline
      ? { id: versionId(baseline.at, baseline.sha256), sha256: baseline.sha256, size_bytes: baseline.size_bytes, path: baseline.path }
      : null,
  };
}

