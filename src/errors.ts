/** Errors the user can fix. They carry what the shell needs to print a located, stack-free message. */

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Bad flags, inputs or arguments: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A config file problem, located at file:line:column and a key path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly location: SourceLocation | undefined;
  readonly keyPath: string | undefined;
  constructor(message: string, location?: SourceLocation, keyPath?: string) {
    super(message);
    this.location = location;
    this.keyPath = keyPath;
  }
}

export interface ConfigIssue {
  message: string;
  keyPath: string;
  location: SourceLocation;
}

/** A config that failed validation: every issue, the first one as the error's own location. */
export class ConfigValidationError extends ConfigError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    const first = issues[0]!;
    super(
      issues.length === 1
        ? first.message
        : `${issues.length} problems in the config:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
      first.location,
      first.keyPath,
    );
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.location.file}:${issue.location.line}:${issue.location.column}: ${issue.message}`;
}

/** A file the run depends on (config, dataset) that cannot be read or parsed. */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  readonly file: string;
  constructor(file: string, cause: string) {
    super(`${file}: ${cause}`);
    this.file = file;
  }
}

/** Whatever was thrown, as one line of text; a non-Error throw never becomes an empty message. */
export function getErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** Errors whose message is the whole story: printed without a stack trace. */
export function isUserError(error: unknown): error is UsageError | ConfigError | InputFileError {
  return error instanceof UsageError || error instanceof ConfigError || error instanceof InputFileError;
}

/** The exit code of a run that decided nothing: a usage, config or IO error, or a crash. */
export const ERROR_EXIT_CODE = 2;

/**
 * What a thrown error is, decided once for the action and the CLI: a config that failed
 * validation (every issue located), a config error at one place, another user error (its message
 * is the whole story: no stack), or an internal error, whose stack is shown only when debugging
 * (`--debug`, or RUNNER_DEBUG on a runner).
 */
export type Failure =
  | { kind: 'invalid-config'; issues: ConfigIssue[] }
  | { kind: 'located'; message: string; location: SourceLocation }
  | { kind: 'user'; message: string }
  | { kind: 'internal'; message: string; stack: string | null };

export function classifyError(error: unknown): Failure {
  if (error instanceof ConfigValidationError) return { kind: 'invalid-config', issues: error.issues };
  if (error instanceof ConfigError && error.location) return { kind: 'located', message: error.message, location: error.location };
  if (isUserError(error)) return { kind: 'user', message: getErrorMessage(error) };
  return { kind: 'internal', message: getErrorMessage(error), stack: error instanceof Error && error.stack ? error.stack : null };
}

/** A failure as the CLI prints it on stderr; the stack only when debugging. */
export function failureText(failure: Failure, debug: boolean): string {
  switch (failure.kind) {
    case 'invalid-config':
      return `model-gate: invalid config\n${failure.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`;
    case 'located':
      return `model-gate: ${failure.location.file}:${failure.location.line}:${failure.location.column}: ${failure.message}\n`;
    case 'user':
      return `model-gate: ${failure.message}\n`;
    case 'internal':
      return `model-gate: unexpected error: ${failure.message}\n${debug && failure.stack ? failure.stack : '(run with --debug for details)'}\n`;
  }
}
