/**
 * The only reader of action inputs and CLI flags. Both faces produce the same typed Settings;
 * nothing else looks at argv or INPUT_* variables.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { COMMENT_POLICIES, DEFAULT_ARTIFACT_NAME, DEFAULT_OUT_DIR, Inputs, MODES, type CommentPolicy, type Mode } from './constants.ts';
import { ALERTS_HELP, CLI_HELP, DEFAULT_INIT_PATH, DRIFT_HELP, INIT_HELP, LOAD_HELP, MONITOR_HELP, PROMOTION_HELP, REPORT_HELP, VALIDATE_HELP } from './cli-help.ts';
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

export interface Settings {
  mode: Mode;
  /** Explicit config path; undefined means the default location, if a file is there. */
  configPath?: string;
  overrides: Overrides;
  outDir: string;
  /** CLI validate: also write the checklist as JUnit XML here (GitLab, Jenkins, Azure). */
  junitPath?: string;
  /** CLI validate: also write the body the PR comment would get here (no GitHub call). */
  commentPreview?: string;
  /** CLI: print the JSON report on stdout and nothing else there. */
  json: boolean;
  debug: boolean;
  githubToken?: string;
  /** Where results go besides the files: the PR comment and the report artifact (the action only). */
  feedback: Feedback;
  /** `comment` mode: report.json (or the directory holding it) from the validate run's artifact. */
  reportPath?: string;
  /** promote / rollback / status. */
  promotion?: PromotionSettings;
  /** monitor. */
  monitor?: MonitorOverrides;
}

export interface PromotionSettings {
  /** `25`, `25%` or `shadow`. */
  stage?: string;
  /** The version ID being promoted; default: the one in the validate report. */
  version?: string;
  /** The GitHub environment the stage deploys to (its deployments are the records). */
  environment: string;
  traffic?: string;
  rollback?: string;
  promote?: string;
  /** promote: a validate report saying DELAY may be promoted (a reviewer cleared it). */
  allowDelay?: boolean;
  /** promote: run the rollback drill (at `stage`, default the first) instead of a stage. */
  drill?: boolean;
  /** Overrides promotion.drill.require; undefined keeps the config's. */
  requireDrill?: boolean;
}

export interface Feedback {
  comment: CommentPolicy;
  /** Keys the sticky comment; default: derived from the workflow and the config path. */
  commentId?: string;
  /** Login that writes the comment, when the token cannot say (GitHub App installation tokens). */
  commentAuthor?: string;
  artifactName: string;
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

/** Action inputs (`getInput` is @actions/core's, passed in so tests need no environment). */
export function settingsFromInputs(getInput: (name: string) => string, env: NodeJS.ProcessEnv): Settings {
  const mode = nonEmpty(getInput(Inputs.Mode)) ?? 'validate';
  if (!MODES.includes(mode as Mode)) {
    throw new UsageError(`input "mode" must be one of: ${MODES.join(', ')}; got "${mode}"`);
  }
  const comment = nonEmpty(getInput(Inputs.Comment)) ?? 'always';
  if (!COMMENT_POLICIES.includes(comment as CommentPolicy)) {
    throw new UsageError(`input "comment" must be one of: ${COMMENT_POLICIES.join(', ')}; got "${comment}"`);
  }
  const reportPath = nonEmpty(getInput(Inputs.Report));
  const drill = bool(getInput(Inputs.Drill), 'input "drill"') ?? false;
  if (mode === 'promote' && !drill && !nonEmpty(getInput(Inputs.Stage))) throw new UsageError('mode "promote" needs input "stage": a weight of promotion.stages (e.g. 25) or shadow (or input "drill: true" for the rollback drill)');
  if (mode === 'comment' && !reportPath) {
    throw new UsageError('mode "comment" needs input "report": the report.json downloaded from the validate run\'s artifact');
  }
  return {
    mode: mode as Mode,
    configPath: nonEmpty(getInput(Inputs.Config)),
    overrides: {
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
        header: getInput(Inputs.Headers).split('\n').map((l) => l.trim()).filter((l) => l !== ''),
        command: getInput(Inputs.Command),
      }),
      ...baselineServingOverrides({
        'baseline-endpoint': getInput(Inputs.BaselineEndpoint),
        'baseline-protocol': getInput(Inputs.BaselineProtocol),
        'baseline-model-name': getInput(Inputs.BaselineModelName),
        'baseline-header': getInput(Inputs.BaselineHeaders).split('\n').map((l) => l.trim()).filter((l) => l !== ''),
        'baseline-command': getInput(Inputs.BaselineCommand),
      }),
    },
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
    reportPath,
    monitor:
      mode === 'monitor'
        ? {
            id: nonEmpty(getInput(Inputs.MonitorId)),
            version: nonEmpty(getInput(Inputs.Version)),
            // Undefined unless set: action.yml gives "environment" no default, so monitor.environment
            // of the config is not overridden by one (promotion below defaults it itself).
            environment: nonEmpty(getInput(Inputs.Environment)),
            window: nonEmpty(getInput(Inputs.Window)),
            reference: nonEmpty(getInput(Inputs.Reference)),
            labels: nonEmpty(getInput(Inputs.Labels)),
          }
        : undefined,
    promotion: {
      stage: nonEmpty(getInput(Inputs.Stage)),
      version: nonEmpty(getInput(Inputs.Version)),
      environment: nonEmpty(getInput(Inputs.Environment)) ?? 'production',
      traffic: nonEmpty(getInput(Inputs.TrafficCommand)),
      rollback: nonEmpty(getInput(Inputs.RollbackCommand)),
      promote: nonEmpty(getInput(Inputs.PromoteCommand)),
      allowDelay: getInput(Inputs.AllowDelay).trim() === 'true',
      drill,
      requireDrill: bool(getInput(Inputs.RequireDrill), 'input "require-drill"'),
    },
  };
}

/** `model-gate drift`: two data sets, no model. */
export interface DriftSettings {
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
  model: string;
  out: string;
  data?: string;
  label?: string;
  force: boolean;
  debug: boolean;
}

/** `model-gate report`: re-render the reports of a saved report.json. */
export interface ReportSettings {
  report: string;
  outDir: string;
  debug: boolean;
}

export type CliCommand =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'run'; settings: Settings }
  | { kind: 'drift'; settings: DriftSettings }
  | { kind: 'init'; settings: InitSettings }
  | { kind: 'report'; settings: ReportSettings }
  | { kind: 'monitor'; settings: MonitorSettings }
  | { kind: 'alerts'; settings: AlertsSettings };

/** Flags and inputs over the config's monitor section. */
export interface MonitorOverrides {
  id?: string;
  version?: string;
  environment?: string;
  window?: string;
  reference?: string;
  labels?: string;
}

/** `model-gate monitor`: the deployed model's production window, judged. */
export interface MonitorSettings {
  configPath?: string;
  overrides: MonitorOverrides;
  /** GITHUB_TOKEN (or GH_TOKEN): reads the deployed version from the promotion's deployment records. */
  githubToken?: string;
  outDir: string;
  json: boolean;
  debug: boolean;
}

/** `model-gate alerts`: Prometheus alerting rules for the deployed model. */
export interface AlertsSettings {
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

export interface LoadOverrides {
  rate?: number;
  concurrency?: number[];
  duration_s?: number;
  warmup_s?: number;
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

function promotionCommand(command: 'promote' | 'rollback' | 'status', args: string[], env: NodeJS.ProcessEnv): CliCommand {
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
  if (command === 'promote' && !str('stage') && !v.drill) throw new UsageError('model-gate promote needs --stage (a weight of promotion.stages, or shadow) or --drill; run "model-gate promote --help"');
  return {
    kind: 'run',
    settings: {
      mode: command,
      configPath: str('config'),
      overrides: {},
      outDir: str('out') ?? DEFAULT_OUT_DIR,
      json: (v.json as boolean) ?? false,
      debug: ((v.debug as boolean) ?? false) || env.RUNNER_DEBUG === '1',
      feedback: LOCAL_FEEDBACK,
      reportPath: str('report'),
      promotion: {
        stage: str('stage'),
        version: str('version'),
        environment: str('environment') ?? 'production',
        traffic: str('traffic-command'),
        rollback: str('rollback-command'),
        promote: str('promote-command'),
        allowDelay: (v['allow-delay'] as boolean) ?? false,
        drill: command === 'promote' && ((v.drill as boolean) ?? false),
        requireDrill: v['require-drill'] as boolean | undefined,
      },
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

const COMMANDS = ['validate', 'drift', 'load', 'promote', 'rollback', 'status', 'monitor', 'alerts', 'init', 'report', 'help'];

const list = (values: string[] | undefined) =>
  values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');

function driftCommand(args: string[], env: NodeJS.ProcessEnv): CliCommand {
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
    kind: 'drift',
    settings: {
      configPath: nonEmpty(v.config),
      reference,
      current,
      columns: columns && columns.length > 0 ? columns : undefined,
      exclude: list(v.exclude) ?? [],
      outDir: nonEmpty(v.out),
      json: v.json ?? false,
      debug: (v.debug ?? false) || env.RUNNER_DEBUG === '1',
    },
  };
}

export function settingsFromArgv(argv: string[], env: NodeJS.ProcessEnv): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    return { kind: 'help', text: CLI_HELP };
  }
  if (command === '--version' || command === '-v') return { kind: 'version' };
  if (command === 'drift') return driftCommand(rest, env);
  if (command === 'promote' || command === 'rollback' || command === 'status') return promotionCommand(command, rest, env);
  if (command === 'init') return initCommand(rest, env);
  if (command === 'monitor' || command === 'alerts') return monitorCommand(command, rest, env);
  if (command === 'report') return reportCommand(rest, env);
  if (command !== 'validate' && command !== 'load') {
    const suggestion = command.startsWith('-') ? undefined : didYouMean(command, COMMANDS);
    throw new UsageError(`unknown command "${command}"${suggestion ? `; did you mean "${suggestion}"?` : ''} Run "model-gate --help" for the commands`);
  }
  const v = parse(
    rest,
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
  return {
    kind: 'run',
    settings: {
      mode: command,
      configPath: nonEmpty(v.config),
      overrides: {
        model: nonEmpty(v.model),
        baseline: nonEmpty(v.baseline),
        data: nonEmpty(v.data),
        label: nonEmpty(v.label),
        reference: nonEmpty(v.reference),
        ...servingOverrides(v),
        ...baselineServingOverrides(v),
        ...(command === 'load' ? { load: loadOverrides(v) } : {}),
      },
      outDir: nonEmpty(v.out) ?? DEFAULT_OUT_DIR,
      junitPath: nonEmpty(v.junit),
      commentPreview: nonEmpty(v['comment-preview']),
      json: v.json ?? false,
      debug: (v.debug ?? false) || env.RUNNER_DEBUG === '1',
      feedback: LOCAL_FEEDBACK,
    },
  };
}

function initCommand(args: string[], env: NodeJS.ProcessEnv): CliCommand {
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
    kind: 'init',
    settings: {
      model,
      out: nonEmpty(v.out) ?? DEFAULT_INIT_PATH,
      data: nonEmpty(v.data),
      label: nonEmpty(v.label),
      force: v.force ?? false,
      debug: (v.debug ?? false) || env.RUNNER_DEBUG === '1',
    },
  };
}

function reportCommand(args: string[], env: NodeJS.ProcessEnv): CliCommand {
  const { values, positionals } = parse(
    args,
    { out: { type: 'string' }, debug: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    'report',
    true,
  );
  const v = values as { out?: string; debug?: boolean; help?: boolean };
  if (v.help) return { kind: 'help', text: REPORT_HELP };
  if (positionals.length !== 1) throw new UsageError('model-gate report needs one report.json (or the directory holding it); run "model-gate report --help"');
  return { kind: 'report', settings: { report: positionals[0]!, outDir: nonEmpty(v.out) ?? DEFAULT_OUT_DIR, debug: (v.debug ?? false) || env.RUNNER_DEBUG === '1' } };
}

function monitorCommand(command: 'monitor' | 'alerts', args: string[], env: NodeJS.ProcessEnv): CliCommand {
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
  if (v.help) return { kind: 'help', text: command === 'monitor' ? MONITOR_HELP : ALERTS_HELP };
  const str = (k: string) => nonEmpty(v[k] as string | undefined);
  const debug = ((v.debug as boolean) ?? false) || env.RUNNER_DEBUG === '1';
  const overrides: MonitorOverrides = { id: str('id'), version: str('version'), environment: str('environment'), window: str('window'), reference: str('reference'), labels: str('labels') };
  // A token is never a flag (it would sit in the shell history and the process list).
  const githubToken = nonEmpty(env.GITHUB_TOKEN) ?? nonEmpty(env.GH_TOKEN);
  if (command === 'alerts') return { kind: 'alerts', settings: { configPath: str('config'), overrides, githubToken, previous: str('previous'), output: str('output'), debug } };
  return { kind: 'monitor', settings: { configPath: str('config'), overrides, githubToken, outDir: str('out') ?? DEFAULT_OUT_DIR, json: (v.json as boolean) ?? false, debug } };
}
