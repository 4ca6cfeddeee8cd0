/**
 * The only reader of action inputs and CLI flags, and the one table of modes. A run's settings are
 * a union keyed by `mode`: each mode's code receives exactly its fields. The table says which face
 * offers a mode and how its settings are read there; each face names one runner per mode it
 * offers, and `route` picks it.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ALERTS_HELP, CLI_HELP, DEFAULT_INIT_PATH, DRIFT_HELP, INIT_HELP, LOAD_HELP, MONITOR_HELP, PROMOTION_HELP, REPORT_HELP, VALIDATE_HELP } from './cli-help.ts';
import { COMMENT_POLICIES, DEFAULT_ARTIFACT_NAME, DEFAULT_OUT_DIR, Inputs, type CommentPolicy } from './constants.ts';
import { didYouMean } from './config/load.ts';
import { UsageError } from './errors.ts';

export type FailOn = 'no-go' | 'delay';

/** Values that override the config file; undefined means "keep what the config says". */
export interface Overrides {
  model?: string;
  baseline?: string;
  data?: string;
  label?: string;
  reference?: string;
  failOn?: FailOn;
  /** The model behind an HTTP endpoint, from flags (merged over model.endpoint). */
  endpoint?: { url?: string; protocol?: string; name?: string; headers?: Record<string, string> };
  /** The model behind a command speaking JSON Lines. */
  command?: string;
  /** The baseline behind an HTTP endpoint or a command, as for the candidate (`--baseline-…`). */
  baselineEndpoint?: Overrides['endpoint'];
  baselineCommand?: string;
  /** `model-gate load`: flags over the config's load section. */
  load?: LoadOverrides;
}

export interface LoadOverrides {
  rate?: number;
  concurrency?: number[];
  duration_s?: number;
  warmup_s?: number;
}

export interface Feedback {
  comment: CommentPolicy;
  /** Keys the sticky comment; default: derived from the workflow and the config path. */
  commentId?: string;
  /** Login that writes the comment, when the token cannot say (GitHub App installation tokens). */
  commentAuthor?: string;
  artifactName: string;
}

/** What a run on a config has, whichever the mode and the face. */
interface ConfigRun {
  /** Explicit config path; undefined means the default location, if a file is there. */
  configPath?: string;
  outDir: string;
  /** CLI: print the JSON report on stdout and nothing else there. */
  json: boolean;
  debug: boolean;
  /** The action's input; the CLI's monitor reads GITHUB_TOKEN (or GH_TOKEN). */
  githubToken?: string;
  /** Where results go besides the files: the PR comment and the report artifact (the action only). */
  feedback: Feedback;
}

/** `validate`: the suite on one model. */
export interface ValidateSettings extends ConfigRun {
  mode: 'validate';
  overrides: Overrides;
  /** CLI: also write the checklist as JUnit XML here (GitLab, Jenkins, Azure). */
  junitPath?: string;
  /** CLI: also write the body the PR comment would get here (no GitHub call). */
  commentPreview?: string;
}

/** `load`: the suite with every family off but the smoke and load tests. */
export interface LoadSettings extends ConfigRun {
  mode: 'load';
  overrides: Overrides;
}

/** What the validate engine runs on. */
export type SuiteSettings = ValidateSettings | LoadSettings;

/** `comment` (the action only, for fork PRs): the PR comment from the validate run's report artifact. */
export interface CommentSettings {
  mode: 'comment';
  /** Read for its secrets only: they are kept out of the log and the comment. */
  configPath?: string;
  /** report.json (or the directory holding it) from the validate run's artifact. */
  reportPath: string;
  githubToken?: string;
  feedback: Feedback;
  debug: boolean;
}

/** What promote, rollback and status act on. */
export interface PromotionOptions {
  /** The version ID being promoted; default: the one in the validate report. */
  version?: string;
  /** The GitHub environment the stage deploys to (its deployments are the records). */
  environment: string;
  traffic?: string;
  rollback?: string;
  promote?: string;
  /** A validate report saying DELAY may be promoted (a reviewer cleared it). */
  allowDelay?: boolean;
  /** Overrides promotion.drill.require; undefined keeps the config's. */
  requireDrill?: boolean;
}

/** promote: one stage (`25`, `25%` or `shadow`), or the rollback drill (at `stage`, default the first). */
export type PromoteOptions = PromotionOptions & ({ drill: false; stage: string } | { drill: true; stage?: string });

interface PromotionRun extends ConfigRun {
  /** The validate run's report.json, naming the version and the model (default: <out>/report.json). */
  reportPath?: string;
}
export interface PromoteSettings extends PromotionRun {
  mode: 'promote';
  promotion: PromoteOptions;
}
export interface RollbackSettings extends PromotionRun {
  mode: 'rollback';
  promotion: PromotionOptions;
}
export interface StatusSettings extends PromotionRun {
  mode: 'status';
  promotion: PromotionOptions;
}
export type PromotionSettings = PromoteSettings | RollbackSettings | StatusSettings;

/** Flags and inputs over the config's monitor section. */
export interface MonitorOverrides {
  id?: string;
  version?: string;
  environment?: string;
  window?: string;
  reference?: string;
  labels?: string;
}

/** `monitor`: the deployed model's production window, judged. */
export interface MonitorSettings extends ConfigRun {
  mode: 'monitor';
  overrides: MonitorOverrides;
}

/** `model-gate alerts`: Prometheus alerting rules for the deployed model. */
export interface AlertsSettings {
  mode: 'alerts';
  configPath?: string;
  overrides: MonitorOverrides;
  /** GITHUB_TOKEN (or GH_TOKEN): reads the deployed version from the promotion's deployment records. */
  githubToken?: string;
  /** The version latency is compared with. */
  previous?: string;
  /** Where the rules go; undefined: stdout. */
  output?: string;
  debug: boolean;
}

/** `model-gate drift`: two data sets, no model. */
export interface DriftSettings {
  mode: 'drift';
  configPath?: string;
  reference: string;
  current: string;
  columns?: string[];
  exclude: string[];
  /** Where report.json, report.html and summary.md of the drift go; undefined: no files. */
  outDir?: string;
  json: boolean;
  debug: boolean;
}

/** `model-gate init`: a starter config for a model. */
export interface InitSettings {
  mode: 'init';
  model: string;
  out: string;
  data?: string;
  label?: string;
  force: boolean;
  debug: boolean;
}

/** `model-gate report`: re-render the reports of a saved report.json. */
export interface ReportSettings {
  mode: 'report';
  report: string;
  outDir: string;
  debug: boolean;
}

/** The settings of a run, of any mode of either face. */
export type Settings =
  | ValidateSettings
  | LoadSettings
  | CommentSettings
  | PromoteSettings
  | RollbackSettings
  | StatusSettings
  | MonitorSettings
  | AlertsSettings
  | DriftSettings
  | InitSettings
  | ReportSettings;

export type Mode = Settings['mode'];
export type SettingsOf<M extends Mode> = Extract<Settings, { mode: M }>;

export type CliCommand = { kind: 'help'; text: string } | { kind: 'version' } | CliRun<CliMode>;
type CliRun<M extends Mode> = { kind: 'run'; settings: SettingsOf<M> };
type CliParsed<M extends Mode> = { kind: 'help'; text: string } | CliRun<M>;

/** How a mode's settings are read: from the action's inputs, from the CLI's arguments; absent: not offered there. */
interface ModeEntry<M extends Mode> {
  action?: (inputs: ActionInputs) => SettingsOf<M>;
  cli?: (args: string[], env: NodeJS.ProcessEnv) => CliParsed<M>;
}

/**
 * Every mode, once, in the order errors list them. A new mode is its settings type in `Settings`,
 * one entry here, and a runner in each face that offers it (main.ts, cli-run.ts: the compiler names
 * a face that lacks one); its help goes in cli-help.ts, an action mode in action.yml.
 */
const MODE_TABLE = {
  validate: { action: (i) => ({ mode: 'validate', ...i.run, overrides: i.overrides }), cli: (args, env) => suiteCommand('validate', args, env) },
  comment: { action: commentFromInputs },
  drift: { cli: driftCommand },
  load: { action: (i) => ({ mode: 'load', ...i.run, overrides: i.overrides }), cli: (args, env) => suiteCommand('load', args, env) },
  promote: { action: promoteFromInputs, cli: (args, env) => promotionCommand('promote', args, env) },
  rollback: { action: (i) => ({ mode: 'rollback', ...i.run, reportPath: i.reportPath, promotion: i.promotion.target }), cli: (args, env) => promotionCommand('rollback', args, env) },
  status: { action: (i) => ({ mode: 'status', ...i.run, reportPath: i.reportPath, promotion: i.promotion.target }), cli: (args, env) => promotionCommand('status', args, env) },
  monitor: { action: (i) => ({ mode: 'monitor', ...i.run, overrides: i.monitor }), cli: monitorCommand },
  alerts: { cli: alertsCommand },
  init: { cli: initCommand },
  report: { cli: reportCommand },
} satisfies { [M in Mode]: ModeEntry<M> };

type Offered<Face extends keyof ModeEntry<Mode>> = { [M in Mode]: (typeof MODE_TABLE)[M] extends Record<Face, unknown> ? M : never }[Mode];
/** The modes of the action (input `mode`) and the commands of the CLI. */
export type ActionMode = Offered<'action'>;
export type CliMode = Offered<'cli'>;
export type ActionSettings = SettingsOf<ActionMode>;

const modes = Object.keys(MODE_TABLE) as Mode[];
const ACTION_MODES = modes.filter((m): m is ActionMode => 'action' in MODE_TABLE[m]);
const CLI_MODES = modes.filter((m): m is CliMode => 'cli' in MODE_TABLE[m]);

/** What a face does in each mode it offers: one runner a mode, checked complete by the compiler. */
export type Runners<M extends Mode, R> = { [K in M]: (settings: SettingsOf<K>) => Promise<R> };

/** The face's runner for the settings' mode: the one place a mode picks the code it runs. */
export function route<M extends Mode, R>(runners: Runners<M, R>, settings: SettingsOf<M>): Promise<R> {
  // `Runners` pairs each mode with the runner of its settings; TypeScript cannot follow that pairing
  // through an index by a union, so the cast states it.
  const runner = runners[settings.mode as M] as (settings: SettingsOf<M>) => Promise<R>;
  return runner(settings);
}

/** Action inputs (`getInput` is @actions/core's, passed in so tests need no environment). */
export function settingsFromInputs(getInput: (name: string) => string, env: NodeJS.ProcessEnv): ActionSettings {
  const mode = nonEmpty(getInput(Inputs.Mode)) ?? 'validate';
  if (!(ACTION_MODES as string[]).includes(mode)) {
    throw new UsageError(`input "mode" must be one of: ${ACTION_MODES.join(', ')}; got "${mode}"`);
  }
  return MODE_TABLE[mode as ActionMode].action(readInputs(getInput, env));
}

export function settingsFromArgv(argv: string[], env: NodeJS.ProcessEnv): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    return { kind: 'help', text: CLI_HELP };
  }
  if (command === '--version' || command === '-v') return { kind: 'version' };
  if (!(CLI_MODES as string[]).includes(command)) {
    const suggestion = command.startsWith('-') ? undefined : didYouMean(command, [...CLI_MODES, 'help']);
    throw new UsageError(`unknown command "${command}"${suggestion ? `; did you mean "${suggestion}"?` : ''} Run "model-gate --help" for the commands`);
  }
  return MODE_TABLE[command as CliMode].cli(rest, env);
}

/** The CLI never comments or uploads: it writes files. */
const LOCAL_FEEDBACK: Feedback = { comment: 'never', artifactName: DEFAULT_ARTIFACT_NAME };

const FAIL_ON: readonly FailOn[] = ['no-go', 'delay'];

function failOn(value: string | undefined, where: string): FailOn | undefined {
  if (value === undefined || value === '') return undefined;
  if (!FAIL_ON.includes(value as FailOn)) {
    throw new UsageError(`${where} must be "no-go" or "delay", got "${value}"`);
  }
  return value as FailOn;
}

const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** `true` / `false` (empty: not given); anything else is a mistake worth stopping for. */
function bool(value: string, where: string): boolean | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new UsageError(`${where} must be "true" or "false", got "${v}"`);
}

/** The stage promote needs, unless it runs the drill. */
function promoteOptions({ target, stage, drill }: StageChoice, missing: string): PromoteOptions {
  if (drill) return { ...target, drill: true, stage };
  if (stage === undefined) throw new UsageError(missing);
  return { ...target, drill: false, stage };
}

/** What promote / rollback / status read: the target, and promote's stage or drill. */
interface StageChoice {
  target: PromotionOptions;
  stage?: string;
  drill: boolean;
}

function commentFromInputs({ run, reportPath }: ActionInputs): CommentSettings {
  if (!reportPath) throw new UsageError('mode "comment" needs input "report": the report.json downloaded from the validate run\'s artifact');
  return { mode: 'comment', configPath: run.configPath, reportPath, githubToken: run.githubToken, feedback: run.feedback, debug: run.debug };
}

function promoteFromInputs({ run, reportPath, promotion }: ActionInputs): PromoteSettings {
  const missing = 'mode "promote" needs input "stage": a weight of promotion.stages (e.g. 25) or shadow (or input "drill: true" for the rollback drill)';
  return { mode: 'promote', ...run, reportPath, promotion: promoteOptions(promotion, missing) };
}

/**
 * Every action input, read and checked once whatever the mode (a malformed input fails the step
 * even where its mode does not use it); the mode's entry in MODE_TABLE takes what it needs.
 */
interface ActionInputs {
  run: ConfigRun;
  overrides: Overrides;
  reportPath?: string;
  promotion: StageChoice;
  monitor: MonitorOverrides;
}

function readInputs(getInput: (name: string) => string, env: NodeJS.ProcessEnv): ActionInputs {
  const comment = nonEmpty(getInput(Inputs.Comment)) ?? 'always';
  if (!COMMENT_POLICIES.includes(comment as CommentPolicy)) {
    throw new UsageError(`input "comment" must be one of: ${COMMENT_POLICIES.join(', ')}; got "${comment}"`);
  }
  const drill = bool(getInput(Inputs.Drill), 'input "drill"') ?? false;
  const lines = (name: string) => getInput(name).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const overrides: Overrides = {
    model: nonEmpty(getInput(Inputs.Model)),
    baseline: nonEmpty(getInput(Inputs.Baseline)),
    data: nonEmpty(getInput(Inputs.Data)),
    label: nonEmpty(getInput(Inputs.Label)),
    reference: nonEmpty(getInput(Inputs.Reference)),
    failOn: failOn(nonEmpty(getInput(Inputs.FailOn)), 'input "fail-on"'),
    ...servingOverrides({
      endpoint: getInput(Inputs.Endpoint),
      protocol: getInput(Inputs.Protocol),
      'model-name': getInput(Inputs.ModelName),
      header: lines(Inputs.Headers),
      command: getInput(Inputs.Command),
    }),
    ...baselineServingOverrides({
      'baseline-endpoint': getInput(Inputs.BaselineEndpoint),
      'baseline-protocol': getInput(Inputs.BaselineProtocol),
      'baseline-model-name': getInput(Inputs.BaselineModelName),
      'baseline-header': lines(Inputs.BaselineHeaders),
      'baseline-command': getInput(Inputs.BaselineCommand),
    }),
  };
  const target: PromotionOptions = {
    version: nonEmpty(getInput(Inputs.Version)),
    environment: nonEmpty(getInput(Inputs.Environment)) ?? 'production',
    traffic: nonEmpty(getInput(Inputs.TrafficCommand)),
    rollback: nonEmpty(getInput(Inputs.RollbackCommand)),
    promote: nonEmpty(getInput(Inputs.PromoteCommand)),
    allowDelay: getInput(Inputs.AllowDelay).trim() === 'true',
    requireDrill: bool(getInput(Inputs.RequireDrill), 'input "require-drill"'),
  };
  return {
    run: {
      configPath: nonEmpty(getInput(Inputs.Config)),
      outDir: nonEmpty(getInput(Inputs.Out)) ?? DEFAULT_OUT_DIR,
      json: false,
      debug: env.RUNNER_DEBUG === '1',
      githubToken: nonEmpty(getInput(Inputs.GithubToken)),
      feedback: {
        comment: comment as CommentPolicy,
        commentId: nonEmpty(getInput(Inputs.CommentId)),
        commentAuthor: nonEmpty(getInput(Inputs.CommentAuthor)),
        artifactName: nonEmpty(getInput(Inputs.ArtifactName)) ?? DEFAULT_ARTIFACT_NAME,
      },
    },
    overrides,
    reportPath: nonEmpty(getInput(Inputs.Report)),
    promotion: { target, stage: nonEmpty(getInput(Inputs.Stage)), drill },
    monitor: {
      id: nonEmpty(getInput(Inputs.MonitorId)),
      version: nonEmpty(getInput(Inputs.Version)),
      // Undefined unless set: action.yml gives "environment" no default, so monitor.environment
      // of the config is not overridden by one (promotion above defaults it itself).
      environment: nonEmpty(getInput(Inputs.Environment)),
      window: nonEmpty(getInput(Inputs.Window)),
      reference: nonEmpty(getInput(Inputs.Reference)),
      labels: nonEmpty(getInput(Inputs.Labels)),
    },
  };
}

/** Flags every command takes. */
const COMMON_OPTIONS: ParseArgsOptionsConfig = {
  json: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function parse(args: string[], options: ParseArgsOptionsConfig, command: string, allowPositionals = false) {
  try {
    return parseArgs({ args, allowPositionals, strict: true, options });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    const unknown = /^Unknown option '(-{1,2}[^'=]+)/.exec(message)?.[1];
    if (unknown) {
      const suggestion = didYouMean(unknown.replace(/^-+/, ''), Object.keys(options));
      const hint = suggestion ? `; did you mean --${suggestion}?` : '';
      throw new UsageError(`unknown option ${unknown} for model-gate ${command}${hint} (run "model-gate ${command} --help")`);
    }
    throw new UsageError(`${message}; run "model-gate ${command} --help"`);
  }
}

/** `--debug`, or a runner's debug logging (RUNNER_DEBUG=1). */
const cliDebug = (flag: unknown, env: NodeJS.ProcessEnv): boolean => flag === true || env.RUNNER_DEBUG === '1';

/** The run settings every config-reading CLI command takes from its flags. */
const cliRun = (v: { config?: unknown; out?: unknown; json?: unknown; debug?: unknown }, env: NodeJS.ProcessEnv): ConfigRun => ({
  configPath: nonEmpty(v.config as string | undefined),
  outDir: nonEmpty(v.out as string | undefined) ?? DEFAULT_OUT_DIR,
  json: v.json === true,
  debug: cliDebug(v.debug, env),
  feedback: LOCAL_FEEDBACK,
});

const list = (values: string[] | undefined) =>
  values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');


/** `model-gate validate` and `model-gate load`: the suite's flags (load: the load test's too). */
function suiteCommand<M extends 'validate' | 'load'>(command: M, args: string[], env: NodeJS.ProcessEnv): CliParsed<M> {
  const v = parse(
    args,
    {
      config: { type: 'string' },
      model: { type: 'string' },
      baseline: { type: 'string' },
      data: { type: 'string' },
      label: { type: 'string' },
      reference: { type: 'string' },
      out: { type: 'string' },
      ...(command === 'validate' ? { junit: { type: 'string' }, 'comment-preview': { type: 'string' } } : {}),
      ...SERVING_OPTIONS,
      ...(command === 'load' ? LOAD_OPTIONS : {}),
      ...COMMON_OPTIONS,
    },
    command,
  ).values as { 'comment-preview'?: string; config?: string; model?: string; baseline?: string; data?: string; label?: string; reference?: string; out?: string; junit?: string; json?: boolean; debug?: boolean; help?: boolean } & ServingFlags & BaselineServingFlags & LoadFlags;
  if (v.help) return { kind: 'help', text: command === 'load' ? LOAD_HELP : VALIDATE_HELP };
  const run = cliRun(v, env);
  const overrides: Overrides = {
    model: nonEmpty(v.model),
    baseline: nonEmpty(v.baseline),
    data: nonEmpty(v.data),
    label: nonEmpty(v.label),
    reference: nonEmpty(v.reference),
    ...servingOverrides(v),
    ...baselineServingOverrides(v),
  };
  const settings: SuiteSettings =
    command === 'load'
      ? { mode: 'load', ...run, overrides: { ...overrides, load: loadOverrides(v) } }
      : { mode: 'validate', ...run, overrides, junitPath: nonEmpty(v.junit), commentPreview: nonEmpty(v['comment-preview']) };
  return { kind: 'run', settings: settings as SettingsOf<M> };
}

function promotionCommand<M extends PromotionSettings['mode']>(command: M, args: string[], env: NodeJS.ProcessEnv): CliParsed<M> {
  const v = parse(
    args,
    {
      stage: { type: 'string' },
      version: { type: 'string' },
      report: { type: 'string' },
      config: { type: 'string' },
      environment: { type: 'string' },
      'traffic-command': { type: 'string' },
      'rollback-command': { type: 'string' },
      'promote-command': { type: 'string' },
      'allow-delay': { type: 'boolean', default: false },
      drill: { type: 'boolean', default: false },
      'require-drill': { type: 'boolean' },
      out: { type: 'string' },
      ...COMMON_OPTIONS,
    },
    command,
  ).values as Record<string, string | boolean | undefined>;
  if (v.help) return { kind: 'help', text: PROMOTION_HELP };
  const str = (k: string) => nonEmpty(v[k] as string | undefined);
  const run: PromotionRun = { ...cliRun(v, env), reportPath: str('report') };
  const target: PromotionOptions = {
    version: str('version'),
    environment: str('environment') ?? 'production',
    traffic: str('traffic-command'),
    rollback: str('rollback-command'),
    promote: str('promote-command'),
    allowDelay: (v['allow-delay'] as boolean) ?? false,
    requireDrill: v['require-drill'] as boolean | undefined,
  };
  const settings: PromotionSettings =
    command === 'promote'
      ? { mode: 'promote', ...run, promotion: promoteOptions({ target, stage: str('stage'), drill: (v.drill as boolean) ?? false }, 'model-gate promote needs --stage (a weight of promotion.stages, or shadow) or --drill; run "model-gate promote --help"') }
      : { mode: command as 'rollback' | 'status', ...run, promotion: target };
  return { kind: 'run', settings: settings as SettingsOf<M> };
}

function driftCommand(args: string[], env: NodeJS.ProcessEnv): CliParsed<'drift'> {
  const v = parse(
    args,
    {
      reference: { type: 'string' },
      current: { type: 'string' },
      columns: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      config: { type: 'string' },
      out: { type: 'string' },
      ...COMMON_OPTIONS,
    },
    'drift',
  ).values as { out?: string; reference?: string; current?: string; columns?: string[]; exclude?: string[]; config?: string; json?: boolean; debug?: boolean; help?: boolean };
  if (v.help) return { kind: 'help', text: DRIFT_HELP };
  const reference = nonEmpty(v.reference);
  const current = nonEmpty(v.current);
  if (!reference || !current) throw new UsageError('model-gate drift needs --reference FILE and --current FILE; run "model-gate drift --help"');
  const columns = list(v.columns);
  return {
    kind: 'run',
    settings: {
      mode: 'drift',
      configPath: nonEmpty(v.config),
      reference,
      current,
      columns: columns && columns.length > 0 ? columns : undefined,
      exclude: list(v.exclude) ?? [],
      outDir: nonEmpty(v.out),
      json: v.json ?? false,
      debug: cliDebug(v.debug, env),
    },
  };
}

function initCommand(args: string[], env: NodeJS.ProcessEnv): CliParsed<'init'> {
  const v = parse(
    args,
    {
      model: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
      label: { type: 'string' },
      force: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    'init',
  ).values as { model?: string; out?: string; data?: string; label?: string; force?: boolean; debug?: boolean; help?: boolean };
  if (v.help) return { kind: 'help', text: INIT_HELP };
  const model = nonEmpty(v.model);
  if (!model) throw new UsageError('model-gate init needs --model FILE (an ONNX model); run "model-gate init --help"');
  if (nonEmpty(v.label) && !nonEmpty(v.data)) throw new UsageError('--label names a column of --data: give --data FILE too');
  return {
    kind: 'run',
    settings: {
      mode: 'init',
      model,
      out: nonEmpty(v.out) ?? DEFAULT_INIT_PATH,
      data: nonEmpty(v.data),
      label: nonEmpty(v.label),
      force: v.force ?? false,
      debug: cliDebug(v.debug, env),
    },
  };
}

function reportCommand(args: string[], env: NodeJS.ProcessEnv): CliParsed<'report'> {
  const { values, positionals } = parse(
    args,
    { out: { type: 'string' }, debug: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    'report',
    true,
  );
  const v = values as { out?: string; debug?: boolean; help?: boolean };
  if (v.help) return { kind: 'help', text: REPORT_HELP };
  if (positionals.length !== 1) throw new UsageError('model-gate report needs one report.json (or the directory holding it); run "model-gate report --help"');
  return { kind: 'run', settings: { mode: 'report', report: positionals[0]!, outDir: nonEmpty(v.out) ?? DEFAULT_OUT_DIR, debug: cliDebug(v.debug, env) } };
}

/** Flags over the config's monitor section, shared by monitor and alerts. */
function monitorFlags(command: 'monitor' | 'alerts', args: string[], env: NodeJS.ProcessEnv) {
  const v = parse(
    args,
    {
      config: { type: 'string' },
      version: { type: 'string' },
      id: { type: 'string' },
      ...(command === 'monitor'
        ? { window: { type: 'string' }, reference: { type: 'string' }, labels: { type: 'string' }, environment: { type: 'string' }, out: { type: 'string' }, ...COMMON_OPTIONS }
        : { previous: { type: 'string' }, output: { type: 'string' }, debug: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }),
    },
    command,
  ).values as Record<string, string | boolean | undefined>;
  const str = (k: string) => nonEmpty(v[k] as string | undefined);
  return {
    v,
    str,
    debug: cliDebug(v.debug, env),
    overrides: { id: str('id'), version: str('version'), environment: str('environment'), window: str('window'), reference: str('reference'), labels: str('labels') } satisfies MonitorOverrides,
    // A token is never a flag (it would sit in the shell history and the process list).
    githubToken: nonEmpty(env.GITHUB_TOKEN) ?? nonEmpty(env.GH_TOKEN),
  };
}

function monitorCommand(args: string[], env: NodeJS.ProcessEnv): CliParsed<'monitor'> {
  const { v, overrides, githubToken } = monitorFlags('monitor', args, env);
  if (v.help) return { kind: 'help', text: MONITOR_HELP };
  return { kind: 'run', settings: { mode: 'monitor', ...cliRun(v, env), overrides, githubToken } };
}

function alertsCommand(args: string[], env: NodeJS.ProcessEnv): CliParsed<'alerts'> {
  const { v, str, debug, overrides, githubToken } = monitorFlags('alerts', args, env);
  if (v.help) return { kind: 'help', text: ALERTS_HELP };
  return { kind: 'run', settings: { mode: 'alerts', configPath: str('config'), overrides, githubToken, previous: str('previous'), output: str('output'), debug } };
}

const SERVING_OPTIONS: ParseArgsOptionsConfig = {
  endpoint: { type: 'string' },
  protocol: { type: 'string' },
  'model-name': { type: 'string' },
  header: { type: 'string', multiple: true },
  command: { type: 'string' },
  'baseline-endpoint': { type: 'string' },
  'baseline-protocol': { type: 'string' },
  'baseline-model-name': { type: 'string' },
  'baseline-header': { type: 'string', multiple: true },
  'baseline-command': { type: 'string' },
};
interface BaselineServingFlags {
  'baseline-endpoint'?: string;
  'baseline-protocol'?: string;
  'baseline-model-name'?: string;
  'baseline-header'?: string[];
  'baseline-command'?: string;
}
interface ServingFlags {
  endpoint?: string;
  protocol?: string;
  'model-name'?: string;
  header?: string[];
  command?: string;
}

function servingOverrides(v: ServingFlags, prefix = ''): Pick<Overrides, 'endpoint' | 'command'> {
  const headers: Record<string, string> = {};
  for (const h of v.header ?? []) {
    const at = h.indexOf(':');
    if (at <= 0) throw new UsageError(`a header (--${prefix}header, input "${prefix}headers") must look like 'Name: value', got "${h}"`);
    headers[h.slice(0, at).trim()] = h.slice(at + 1).trim();
  }
  const endpoint = {
    url: nonEmpty(v.endpoint),
    protocol: nonEmpty(v.protocol),
    name: nonEmpty(v['model-name']),
    headers: Object.keys(headers).length > 0 ? headers : undefined,
  };
  if (nonEmpty(v.command) && endpoint.url) {
    throw new UsageError(`give an endpoint or a command (--${prefix}endpoint / --${prefix}command, inputs "${prefix}endpoint" / "${prefix}command"), not both`);
  }
  const given = Object.values(endpoint).some((x) => x !== undefined);
  return { endpoint: given ? endpoint : undefined, command: nonEmpty(v.command) };
}

/** The same flags with the `baseline-` prefix, for the baseline. */
function baselineServingOverrides(v: BaselineServingFlags): Pick<Overrides, 'baselineEndpoint' | 'baselineCommand'> {
  const { endpoint, command } = servingOverrides(
    { endpoint: v['baseline-endpoint'], protocol: v['baseline-protocol'], 'model-name': v['baseline-model-name'], header: v['baseline-header'], command: v['baseline-command'] },
    'baseline-',
  );
  return { baselineEndpoint: endpoint, baselineCommand: command };
}

const LOAD_OPTIONS: ParseArgsOptionsConfig = {
  rate: { type: 'string' },
  concurrency: { type: 'string', multiple: true },
  duration: { type: 'string' },
  warmup: { type: 'string' },
};
interface LoadFlags {
  rate?: string;
  concurrency?: string[];
  duration?: string;
  warmup?: string;
}

function number(value: string | undefined, flag: string, { integer = false, zero = false } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !zero) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be a ${zero ? 'non-negative' : 'positive'} ${integer ? 'whole ' : ''}number, got "${value}"`);
  }
  return n;
}

function loadOverrides(v: LoadFlags): LoadOverrides {
  const concurrency = list(v.concurrency)?.map((c) => number(c, '--concurrency', { integer: true })!);
  const rate = number(v.rate, '--rate');
  return {
    rate,
    // --rate alone means one open-loop run; --concurrency alone, closed-loop runs only.
    concurrency: concurrency && concurrency.length > 0 ? concurrency : rate !== undefined ? [] : undefined,
    duration_s: number(v.duration, '--duration'),
    warmup_s: number(v.warmup, '--warmup', { zero: true }),
  };
}



