/**
 * `model-gate init`: a commented starter config for a model, written from its signature. Inputs
 * get a `model.inputs` block only where the gate could not feed them on its own, and that block
 * is the very snippet a failing `inputs.mapping` check shows (bindInputs' BindingError), written
 * as commented TODO lines: placeholders like `<size>` are not valid values, so the file loads
 * as it is and the user fills them in. The text is checked with the config loader before it is
 * written: init never writes a file validate would reject.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { outputKind } from './checks/outputs.ts';
import { defaultConfig, parseConfig } from './config/load.ts';
import { findBadRows } from './data/bad-rows.ts';
import { BindingError, bindInputs, formatShape } from './data/features.ts';
import { limitsFromConfig } from './data/limits.ts';
import { readDataset } from './data/read.ts';
import { column, describeColumns, type Dataset } from './data/dataset.ts';
import { yamlKey } from './data/input-hints.ts';
import { InputFileError, UsageError, getErrorMessage } from './errors.ts';
import { checkInputFile } from './input-file.ts';
import { TOOL_VERSION } from './report/json.ts';
import { readModelFiles } from './runners/model-files.ts';
import { foreignKindOf, headOf, runItHint } from './runners/model-kind.ts';
import { openIsolatedOnnxRunner } from './runners/onnx-process.ts';
import type { OrtModule } from './runners/onnxruntime-loader.ts';
import type { ModelSignature } from './runners/types.ts';
import type { InitSettings } from './settings.ts';

export const SCHEMA_URL = `https://raw.githubusercontent.com/model-gate/model-gate/v${TOOL_VERSION}/schema/model-gate.schema.json`;

export interface InitDeps {
  /** Provisions onnxruntime (the model's process loads it from the cache). */
  loadRuntime: () => Promise<OrtModule>;
  env: NodeJS.ProcessEnv;
}

export async function runInit(settings: InitSettings, deps: InitDeps): Promise<{ path: string; todo: boolean }> {
  const target = resolve(settings.out);
  if (existsSync(target) && !settings.force) throw new UsageError(`${settings.out} exists: model-gate init does not overwrite it (pass --force to replace it)`);
  await checkInputFile(settings.model, deps.env);
  if (!existsSync(settings.model)) throw new InputFileError(settings.model, 'file not found');
  const defaults = defaultConfig();
  const dataset = settings.data ? await readDataset(settings.data, limitsFromConfig(defaults.data)) : null;
  if (dataset && settings.label && !dataset.columns.some((c) => c.name === settings.label)) {
    throw new UsageError(`--label "${settings.label}" is not a column of ${settings.data}; its columns are: ${dataset.columns.map((c) => c.name).join(', ')}`);
  }
  // A pickle or an XGBoost file is no ONNX model to read a signature from: say how to run it,
  // not onnxruntime's "Protobuf parsing failed".
  const files = await readModelFiles(settings.model);
  if (files.formatError) {
    const hint = runItHint(settings.model, foreignKindOf(settings.model, await headOf(settings.model)), '--command');
    throw new InputFileError(settings.model, `init writes a config from an ONNX model's inputs and outputs, and this is not one (${files.formatError}): ${hint}`);
  }
  await deps.loadRuntime();
  let signature: ModelSignature;
  try {
    const runner = await openIsolatedOnnxRunner(settings.model, { callTimeoutMs: defaults.model.timeout_seconds * 1000, env: deps.env });
    signature = runner.signature;
    await runner.close();
  } catch (error) {
    throw new InputFileError(settings.model, `cannot open the model: ${getErrorMessage(error).split('\n')[0]}`);
  }
  const { text, todo } = starterConfig(settings, signature, dataset);
  parseConfig(text, settings.out); // a starter that would not load is our bug: never write it
  await mkdir(dirname(target), { recursive: true });
  try {
    await writeFile(target, text, { flag: settings.force ? 'w' : 'wx' });
  } catch (error) {
    throw new InputFileError(settings.out, `cannot write the config: ${getErrorMessage(error)}`);
  }
  return { path: settings.out, todo };
}

/** A path or column as a YAML scalar: plain when safe, JSON-quoted otherwise. */
const scalar = (s: string) => (/^[\w./-]+$/.test(s) && !/^[-.]/.test(s) ? s : JSON.stringify(s));

/** The config text, and whether it holds TODO lines to fill in. */
export function starterConfig(settings: Pick<InitSettings, 'model' | 'data' | 'label'>, signature: ModelSignature, dataset: Dataset | null): { text: string; todo: boolean } {
  let mapping: { message: string; snippet: string } | null = null;
  let fedColumns: string[] = [];
  try {
    fedColumns = bindInputs(signature, dataset, undefined, new Set(settings.label ? [settings.label] : [])).flatMap((b) => b.columns ?? []);
  } catch (error) {
    if (!(error instanceof BindingError)) throw error;
    mapping = { message: error.message, snippet: error.snippet };
  }
  const lines = [
    `# yaml-language-server: $schema=${SCHEMA_URL}`,
    `# model-gate config, started by \`model-gate init\` (${TOOL_VERSION}) from ${settings.model}.`,
    '# Paths are relative to the working directory. Every setting not written here has its',
    '# default (see the schema above, or the README\'s configuration reference).',
    'version: 1',
    'model:',
    `  path: ${scalar(settings.model)}`,
    '  # Inputs, as the model declares them:',
    ...signature.inputs.map((i) => `  #   ${i.name}: ${i.dtype ?? 'non-tensor'}${formatShape(i.shape)}`),
  ];
  if (mapping) {
    const body = mapping.snippet.split('\n').filter((l) => l !== 'model:');
    lines.push(
      '  # TODO: the gate cannot feed every input on its own:',
      ...wrap(mapping.message).map((l) => `  #   ${l}`),
      '  # Fill in the <…> placeholders, then uncomment these lines (they are commented so that',
      '  # this file loads as it is; a <…> placeholder is not a value):',
      ...(body.length > 0 ? body.map((l) => l.replace(/^ {2}/, '  # ')) : ['  # inputs:', '  #   <input>: { columns: [<column>, …] }']),
    );
  }
  const outputs = signature.outputs.filter((o) => o.dtype !== null);
  if (outputs.length > 0) {
    lines.push('  # What each output holds, detected from its name, type and the classes the model names:', '  outputs:');
    for (const o of outputs) {
      const kind = outputKind({ name: o.name, dtype: o.dtype!, source: o.source, ...(o.softmax ? { softmax: o.softmax } : {}) }, undefined);
      const classes = o.classes ? `[${o.classes.map((c) => JSON.stringify(c)).join(', ')}]` : null;
      // Several columns made by a Sigmoid are a probability each (multi-label tags), not one distribution:
      // `kind: probabilities` would hold their rows to sum to 1.
      const perColumn = o.sigmoid === true && kind === 'probabilities' && o.shape.length >= 2 && o.shape[o.shape.length - 1] !== 1;
      const value = perColumn ? '{ kind: scores, range: [0, 1] }' : kind === 'labels' && classes ? `{ kind: labels, classes: ${classes} }` : `{ kind: ${kind} }`;
      const note = perColumn
        ? '; made by a Sigmoid: a probability per column (multi-label), rows need not sum to 1'
        : kind === 'probabilities' && classes
          ? `; columns: classes ${classes}`
          : kind === 'scores'
            ? '; add range: [min, max] to bound the values'
            : kind === 'logits'
              ? '; read as probabilities through a softmax (a sigmoid for one column)'
              : '';
      lines.push(`    ${yamlKey(o.name)}: ${value}   # ${o.dtype}${formatShape(o.shape)}${note}`);
    }
  }
  if (settings.data) {
    lines.push('data:', `  eval: ${scalar(settings.data)}`);
    lines.push(settings.label ? `  label: ${scalar(settings.label)}` : '  # label: <column>   # TODO: the label column, for quality metrics');
    lines.push(...missingCellsNote(dataset, fedColumns));
    lines.push('  # reference: <training data>   # measures drift against it');
  } else {
    lines.push('# data:', '#   eval: <labelled evaluation data: CSV, JSON Lines, Parquet or .npz>', '#   label: <its label column>', '# Without data the gate runs on generated rows: no quality metric is measured.');
  }
  lines.push(
    '# metrics:',
    '#   thresholds:',
    '#     accuracy: { min: 0.9 }   # a floor for a quality metric (needs labelled data)',
    '# baseline: <the model in production>   # compares the candidate with it',
    '# checks:',
    '#   latency:',
    '#     limits:',
    '#       "1": { p95_ms: 100 }   # your latency SLO per batch size; none by default',
  );
  return { text: `${lines.join('\n')}\n`, todo: mapping !== null || (!!settings.data && !settings.label) };
}

/** Commented lines offering missing_features: feed when the feature columns have empty cells; none otherwise. */
function missingCellsNote(dataset: Dataset | null, columns: string[]): string[] {
  if (!dataset || columns.length === 0) return [];
  const bad = findBadRows(dataset, columns);
  if (bad.byCause.missing === 0) return [];
  const empty = (name: string) => {
    const col = column(dataset, name);
    return col?.values ? col.values.some(Number.isNaN) : col?.text ? col.text.includes('') : (col?.missing ?? 0) > 0;
  };
  // Named briefly: an image's 150,528 pixel columns would make a line of megabytes.
  const named = describeColumns(columns.filter(empty));
  return [
    `  # ${bad.byCause.missing.toLocaleString('en')} of ${dataset.rows.toLocaleString('en')} rows have empty cells (${named}): they are left out, and`,
    '  # above 1% they block (data.bad_rows). If the model handles missing values (an imputer,',
    '  # XGBoost, HistGradientBoosting), uncomment this line to feed them to it as NaN:',
    '  # bad_rows: { missing_features: feed }',
  ];
}

/** A long message over several comment lines. */
function wrap(text: string, width = 88): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
