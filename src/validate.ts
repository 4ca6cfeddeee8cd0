/**
 * The validate engine shared by the action and the CLI: settings -> config -> runner + data ->
 * check families -> decision -> report. It returns data; the shells print and write it.
 */
import type { ArtifactFacts } from './checks/artifact.ts';
import { externalDataProblems, judgeArtifact, judgeNoArtifact } from './checks/artifact.ts';
import type { CheckContext } from './checks/context.ts';
import { baselineNotLoaded } from './checks/compare.ts';
import { familiesNotRun, modeRequires, runFamilies, type Measurements } from './checks/family.ts';
import { FAMILIES } from './checks/index.ts';
import { judgeModelLoad } from './checks/smoke.ts';
import type { CheckResult } from './core/check-result.ts';
import type { Clock } from './clock.ts';
import { resolveConfig } from './config/load.ts';
import type { BaselineConfig, GateConfig } from './config/types.ts';
import { describeFeed, fedShape, type FeatureRows } from './data/features.ts';
import { feedsOfBaseline, prepareRows, readData } from './data/prepare.ts';
import { decide } from './decision.ts';
import { measureDataDrift, type DataDrift } from './drift/run.ts';
import { UsageError } from './errors.ts';
import { baselineFile, closeRunners, openModel, sourceOf } from './runners/open.ts';
import { buildReport, type Report, type ReportSignature } from './report/json.ts';
import { noModelFile, readModelFiles, safeToOpen } from './runners/model-files.ts';
import type { OrtModule } from './runners/onnxruntime-loader.ts';
import type { ModelRunner } from './runners/types.ts';
import { applyOverrides } from './overrides.ts';
import type { SuiteSettings } from './settings.ts';
import { versionCheck, versionOf, type Provenance } from './provenance.ts';

export { expandHeaders } from './runners/open.ts';
export { applyOverrides } from './overrides.ts';

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

export async function validate(settings: SuiteSettings, deps: EngineDeps): Promise<ValidationRun> {
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

  const { mode } = settings;
  const driftWanted = config.drift.enabled && modeRequires(FAMILIES, mode, 'drift_data');
  const data = await readData(config, deps.progress, driftWanted);
  const { evalData, reference, current } = data;
  const driftOn = driftWanted && reference !== null;
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
    artifact = noModelFile(target);
    checks.push(...judgeNoArtifact(target));
  }
  const measured: Measurements = {};
  let rowsSource: string | null = null;
  let dataDrift: DataDrift | null = null;
  let driftChecks: CheckResult[] = [];
  if (driftOn) {
    const measuredDrift = measureDataDrift(config, reference, current ?? evalData, deps.progress);
    dataDrift = measuredDrift.drift;
    driftChecks = measuredDrift.checks;
  }
  // The data's rows go here, once known: the drift family may judge them again with the predictions'.
  const driftAt = checks.length;

  let runner: ModelRunner | null = null;
  let fedRows: FeatureRows | null = null;
  let baselineRunner: ModelRunner | null = null;
  if (served || safeToOpen(artifact)) {
    deps.progress(served ? `smoke: waiting for ${target}` : 'smoke: loading the model');
    const load = await openModel(source, deps, { ...callOptions(config), formatError: artifact.formatError });
    runner = load.runner;
    checks.push(judgeModelLoad(load.outcome, target, config.checks.smoke.severity));
  }
  try {
    if (runner && baselinePlace && config.comparison.enabled && modeRequires(FAMILIES, mode, 'baseline')) {
      deps.progress(`comparison: ${baselinePlace.kind === 'onnx' ? 'loading' : 'waiting for'} the baseline ${baselineSpec}`);
      const load = await openModel(baselinePlace, deps, { ...callOptions(config), onnxPath: baseline?.path });
      baselineRunner = load.runner;
      if (!load.runner) checks.push(baselineNotLoaded(baselineSpec, load.outcome.error));
    }
    if (runner) {
      const { checks: dataChecks, prepared: made } = prepareRows(runner, data, config);
      checks.push(...dataChecks);
      if (made) {
        const { rows, labels, sliceColumns } = made;
        rowsSource = rows.source;
        fedRows = rows;
        const baselineRows = baselineRunner ? feedsOfBaseline(runner.signature, baselineRunner.signature, made.sameRowsFor) : undefined;
        const ctx: CheckContext = {
          mode,
          config,
          runner,
          rows,
          labels,
          baseline: baselineRunner ? { runner: baselineRunner, path: baselineSpec, ...(baselineRows ? { rows: baselineRows } : {}) } : null,
          // Prediction drift needs real current rows: the eval data, or drift.current.
          drift: driftOn && (current || evalData) ? { reference: reference!, current, data: dataDrift } : null,
          ...(sliceColumns ? { sliceColumns } : {}),
          clock: deps.clock,
          progress: deps.progress,
        };
        for (const c of await runFamilies(FAMILIES, ctx, measured)) checks.push(c);
      }
    } else {
      checks.push(...familiesNotRun(FAMILIES));
    }
  } finally {
    await closeRunners(runner, baselineRunner);
  }
  if (measured.data_drift) {
    dataDrift = measured.data_drift;
    driftChecks = dataDrift.checks;
  }
  // Not splice(…spread): one row per feature can be more than a call takes as arguments.
  const listed = [...checks.slice(0, driftAt), ...driftChecks, ...checks.slice(driftAt)];

  const versioned = versionOf({
    at: started,
    artifact,
    served: served ? { kind: served.kind, target, runner } : null,
    baselineFile: baseline,
    servedBaseline: baselinePlace && baselinePlace.kind !== 'onnx' ? { kind: baselinePlace.kind, target: baselinePlace.target, runner: baselineRunner } : null,
    configSha256: loaded.sha256,
    provenance: deps.provenance,
    contentTimestamp: deps.contentTimestamp,
  });
  artifact = versioned.artifact;
  const { version } = versioned;
  listed.push(versionCheck(version, served, !!modelPath));
  const outcome = decide(listed);
  const report = buildReport({
    outcome,
    checks: listed,
    config,
    configPath: loaded.path,
    version,
    artifact,
    runnerKind: served?.kind ?? 'onnx',
    signature: runner ? reportSignature(runner, fedRows) : null,
    measured,
    drift: dataDrift,
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

const callOptions = (config: GateConfig) => ({ callTimeoutMs: config.model.timeout_seconds * 1000 });

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
