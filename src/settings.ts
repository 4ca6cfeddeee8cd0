/**
 * The only reader of action inputs and CLI flags. Both faces produce the same typed Settings;
 * nothing else looks at argv or INPUT_* variables.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { COMMENT_POLICIES, DEFAULT_ARTIFACT_NAME, DEFAULT_OUT_DIR, Inputs, MODES, type CommentPolicy, type Mode } from './constants.ts';
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
}

export interface Settings {
  mode: Mode;
  /** Explicit config path; undefined means the default location, if a file is there. */
  configPath?: string;
  overrides: Overrides;
  outDir: string;
  /** CLI: print the JSON report on stdout and nothing else there. */
  json: boolean;
  debug: boolean;
  githubToken?: string;
  /** Where results go besides the files: the PR comment and the report artifact (the action only). */
  feedback: Feedback;
  /** `comment` mode: report.json (or the directory holding it) from the validate run's artifact. */
  reportPath?: string;
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
  };
}

/** `model-gate drift`: two data sets, no model. */
export interface DriftSettings {
  configPath?: string;
  reference: string;
  current: string;
  columns?: string[];
  exclude: string[];
  json: boolean;
  debug: boolean;
}

export type CliCommand =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'run'; settings: Settings }
  | { kind: 'drift'; settings: DriftSettings };

export const CLI_HELP = `model-gate — decide whether a machine-learning model may ship

Usage:
  model-gate validate [options]    run the validation suite and print GO / NO-GO / DELAY
  model-gate drift [options]       compare two data sets feature by feature
  model-gate --version             print the version
  model-gate <command> --help      help for a command

Exit codes: 0 GO, 1 NO-GO, 2 usage / config / IO error, 3 DELAY.
`;

export const VALIDATE_HELP = `Usage: model-gate validate [options]

Runs the validation suite on a model and decides GO / NO-GO / DELAY.
Flags override the config file. A run with only --model works with defaults.

Options:
  --config FILE       config file (default: .github/model-gate.yml when present)
  --model FILE        the candidate ONNX model
  --baseline FILE     the model in production, for lineage and comparison
  --data FILE         labelled evaluation data (CSV, JSON Lines or Parquet)
  --label COLUMN      label column of --data
  --reference FILE    reference data, e.g. the training set: drift is measured against it
  --out DIR           where report.json, report.html, deployment_manifest.yaml and
                      summary.md go
                      (default: ${DEFAULT_OUT_DIR})
  --json              print the JSON report on stdout, nothing else
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 GO, 1 NO-GO, 2 usage / config / IO error, 3 DELAY.
`;

export const DRIFT_HELP = `Usage: model-gate drift --reference FILE --current FILE [options]

Measures drift feature by feature (KS, chi-squared, z-test, PSI, Wasserstein, Jensen–Shannon)
and decides GO / NO-GO / DELAY from it, with the config's drift section when there is one.

Options:
  --reference FILE    the reference data (CSV, JSON Lines or Parquet), e.g. the training set
  --current FILE      the data to compare with it
  --columns A,B,…     only these columns (repeatable; default: every column of the reference)
  --exclude A,B,…     leave these columns out (repeatable), e.g. an id column
  --config FILE       config file for thresholds (default: .github/model-gate.yml when present)
  --json              print the drift report as JSON on stdout, nothing else
  --debug             print stack traces of unexpected errors
  -h, --help          this help

Exit codes: 0 GO, 1 NO-GO, 2 usage / config / IO error, 3 DELAY.
`;

function parse(args: string[], options: ParseArgsOptionsConfig, command: string) {
  try {
    return parseArgs({ args, allowPositionals: false, strict: true, options }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}; run "model-gate ${command} --help"`);
  }
}

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
      json: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    'drift',
  ) as { reference?: string; current?: string; columns?: string[]; exclude?: string[]; config?: string; json?: boolean; debug?: boolean; help?: boolean };
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
  if (command !== 'validate') {
    throw new UsageError(`unknown command "${command}"; run "model-gate --help" for the commands`);
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
      json: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    'validate',
  ) as { config?: string; model?: string; baseline?: string; data?: string; label?: string; reference?: string; out?: string; json?: boolean; debug?: boolean; help?: boolean };
  if (v.help) return { kind: 'help', text: VALIDATE_HELP };
  return {
    kind: 'run',
    settings: {
      mode: 'validate',
      configPath: nonEmpty(v.config),
      overrides: {
        model: nonEmpty(v.model),
        baseline: nonEmpty(v.baseline),
        data: nonEmpty(v.data),
        label: nonEmpty(v.label),
        reference: nonEmpty(v.reference),
      },
      outDir: nonEmpty(v.out) ?? DEFAULT_OUT_DIR,
      json: v.json ?? false,
      debug: (v.debug ?? false) || env.RUNNER_DEBUG === '1',
      feedback: LOCAL_FEEDBACK,
    },
  };
}
