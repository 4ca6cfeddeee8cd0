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

export function formatLocated(error: ConfigError): string {
  const where = error.location ? `${error.location.file}:${error.location.line}:${error.location.column}: ` : '';
  return `${where}${error.message}`;
}
