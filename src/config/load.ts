/**
 * Reads the YAML config, validates it against the published JSON Schema and applies its defaults.
 * Every problem is located: file, line, column and key path, with "did you mean" for unknown keys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import { closest } from 'fastest-levenshtein';
import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Document, type Node } from 'yaml';
import schema from '../../schema/model-gate.schema.json' with { type: 'json' };
import { DEFAULT_CONFIG_PATHS } from '../constants.ts';
import { ConfigError, ConfigValidationError, UsageError, getErrorMessage, type ConfigIssue, type SourceLocation } from '../errors.ts';
import type { CommandConfig } from '../runners/command.ts';
import type { EndpointConfig } from '../runners/http/protocols.ts';
import { SCENARIOS, type GateConfig, type ScenarioConfig } from './types.ts';

// Moved to errors.ts, where the shells classify every error; re-exported for the config's readers.
export { ConfigValidationError, formatIssue, type ConfigIssue } from '../errors.ts';

export interface LoadedConfig {
  config: GateConfig;
  /** The file it came from; null when no file exists and defaults apply. */
  path: string | null;
  /** sha256 of the file's bytes (null without a file). */
  sha256: string | null;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

/** Built-in expectations per error scenario, straight from the schema's defaults. */
const scenarioDefaults = schema.properties.checks.properties.errors.properties as unknown as Record<
  string,
  { default?: Partial<ScenarioConfig> }
>;

export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Not located at nope.yml:1:1: the file has no line 1; the path named is the whole story.
    if (code === 'ENOENT') throw new ConfigError(`config file not found: ${path}`);
    const cause = code === 'EISDIR' ? 'is a directory' : getErrorMessage(error);
    throw new ConfigError(`cannot read config ${path}: ${cause}`);
  }
  return {
    config: parseConfig(text, path),
    path,
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

/** The config file the settings point at, or the default location, or built-in defaults. */
export function resolveConfig(configPath: string | undefined): LoadedConfig {
  if (configPath) return loadConfigFile(configPath);
  const found = DEFAULT_CONFIG_PATHS.find((p) => existsSync(p));
  if (found) return loadConfigFile(found);
  return { config: defaultConfig(), path: null, sha256: null };
}

/** Model-serving settings given as flags: the schema's defaults filled in, its rules applied. */
function sectionWithDefaults<T>(name: 'endpoint' | 'command', flag: string) {
  const check = ajv.compile(schema.properties.model.properties[name]);
  return (value: Partial<T>): T => {
    const copy = structuredClone(value);
    if (!check(copy)) {
      const e = check.errors![0]!;
      throw new UsageError(`${flag}: ${e.instancePath.replace(/^\//, '') || name} ${e.message}`);
    }
    return copy as T;
  };
}
export const endpointWithDefaults = sectionWithDefaults<EndpointConfig>('endpoint', '--endpoint');
export const commandWithDefaults = sectionWithDefaults<CommandConfig>('command', '--command');

export function defaultConfig(): GateConfig {
  return parseConfig('{}', '<defaults>');
}

export function parseConfig(text: string, file: string): GateConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigValidationError(
      doc.errors.map((e) => ({
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        keyPath: '',
        location: locate(e.pos[0]),
      })),
    );
  }
  const value: unknown = doc.toJS() ?? {};
  if (!validate(value)) {
    const issues = dedupe((validate.errors ?? []).map((e) => toIssue(e, doc, locate))).sort(
      (a, b) => a.location.line - b.location.line || a.location.column - b.location.column,
    );
    throw new ConfigValidationError(issues);
  }
  const config = withScenarioDefaults(value as GateConfig);
  const semantic = semanticIssues(config).map(([path, message]) => ({
    message: `${path.join('.')}: ${message}`,
    keyPath: path.join('.'),
    location: locate(valueOffset(doc, path)),
  }));
  if (semantic.length > 0) throw new ConfigValidationError(semantic);
  return config;
}

/** Rules JSON Schema cannot express. */
function semanticIssues(config: GateConfig): [string[], string][] {
  const issues: [string[], string][] = [];
  const stages = config.promotion.stages;
  if (stages.some((w, i) => i > 0 && w <= stages[i - 1]!)) {
    issues.push([['promotion', 'stages'], `must be strictly ascending (got ${stages.join(', ')})`]);
  }
  if (stages.at(-1) !== 100) {
    issues.push([['promotion', 'stages'], `must end at 100, the full roll-out (got ${stages.at(-1)})`]);
  }
  return issues;
}

/** A partly given scenario (say, only `severity`) keeps the rest of its built-in default. */
function withScenarioDefaults(config: GateConfig): GateConfig {
  for (const name of SCENARIOS) {
    const builtIn = scenarioDefaults[name]?.default ?? {};
    const given: Partial<ScenarioConfig> = config.checks.errors[name] ?? {};
    config.checks.errors[name] = { ...builtIn, ...given, enabled: given.enabled ?? true } as ScenarioConfig;
  }
  return config;
}

function toIssue(error: ErrorObject, doc: Document, locate: (offset: number) => SourceLocation): ConfigIssue {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const keyPath = path.join('.') || '(top level)';
  if (error.keyword === 'additionalProperty' || error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty);
    const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
    const suggestion = didYouMean(key, known);
    const hint = suggestion ? `; did you mean "${suggestion}"?` : known.length > 0 ? `; expected one of: ${known.join(', ')}` : '';
    const at = [...path, key].join('.');
    return {
      message: `unknown key "${at}"${hint}`,
      keyPath: at,
      location: locate(keyOffset(doc, path, key) ?? valueOffset(doc, path)),
    };
  }
  return { message: `${keyPath}: ${describe(error)}`, keyPath, location: locate(valueOffset(doc, path)) };
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'enum':
      return `must be one of: ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(error.data)})`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)} (got ${JSON.stringify(error.data)})`;
    case 'type':
      return `must be ${String(error.params.type).replace(',', ' or ')} (got ${JSON.stringify(error.data)})`;
    case 'propertyNames':
      return `has a key that is not allowed here (${error.message ?? 'invalid name'})`;
    default:
      return `${error.message ?? 'is invalid'}${error.data !== undefined && typeof error.data !== 'object' ? ` (got ${JSON.stringify(error.data)})` : ''}`;
  }
}

/** The known word a typo most likely meant (config keys, CLI commands and flags), or undefined. */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const suggestion = closest(word, [...known]);
  return distanceOk(word, suggestion) ? suggestion : undefined;
}

function distanceOk(a: string, b: string): boolean {
  // Suggest only near misses: a typo, not an unrelated word.
  let same = 0;
  for (const ch of new Set(a)) if (b.includes(ch)) same++;
  return same / Math.max(new Set(a).size, 1) >= 0.6;
}

function nodeAt(doc: Document, path: string[]): Node | undefined {
  const node = doc.getIn(path, true);
  return isNode(node) ? node : undefined;
}

function valueOffset(doc: Document, path: string[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : nodeAt(doc, path.slice(0, depth));
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

function keyOffset(doc: Document, path: string[], key: string): number | undefined {
  const parent = path.length === 0 ? doc.contents : nodeAt(doc, path);
  if (!isMap(parent)) return undefined;
  for (const pair of parent.items) {
    if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key) return pair.key.range?.[0];
  }
  return undefined;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.keyPath}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
