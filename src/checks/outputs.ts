/**
 * Output validity over every row evaluated: no NaN / Inf, probabilities in [0, 1] summing to 1,
 * configured ranges, class labels (numbers or text) within the declared set, and every declared
 * output readable. Pure: judges collected predictions.
 */
import type { GateConfig, OutputConfig } from '../config/types.ts';
import { INTEGER_TYPES } from '../runners/types.ts';
import type { NumberArray } from '../runners/types.ts';
import { isText, numbersOf, valuesOf, type ClassLabel, type OutputColumn, type Predictions } from './predictions.ts';
import { result, type CheckResult } from '../core/check-result.ts';
import { dataRowNumber } from '../data/features.ts';

/** An output read as plain numbers. */
type NumericColumn = Omit<OutputColumn, 'chunks'> & { values: NumberArray };

const CATEGORY = 'outputs';

export type OutputKind = 'probabilities' | 'labels' | 'scores' | 'logits';

/**
 * The configured kind, else what the model says (a ZipMap zips probabilities, a Softmax over each
 * row makes them; text is class labels), else a guess from the name and type that sklearn-onnx style models follow.
 */
export function outputKind(output: Pick<OutputColumn, 'name' | 'dtype' | 'source' | 'softmax'>, cfg: OutputConfig | undefined): OutputKind {
  if (isText(output)) return 'labels'; // text is never a number to judge (a configured kind says otherwise: see judgeOutputs)
  if (cfg?.kind) return cfg.kind;
  if (output.source?.op === 'ZipMap' || output.softmax) return 'probabilities';
  if (/prob/i.test(output.name) && !INTEGER_TYPES.has(output.dtype)) return 'probabilities';
  if (/label|class/i.test(output.name) && INTEGER_TYPES.has(output.dtype)) return 'labels';
  if (/logit/i.test(output.name) && !INTEGER_TYPES.has(output.dtype)) return 'logits';
  return 'scores';
}

export function judgeOutputs(raw: Predictions, config: GateConfig): CheckResult[] {
  const cfg = config.checks.outputs;
  if (!cfg.enabled) return [];
  const predictions = { ...raw, outputs: raw.outputs.filter((o) => !isText(o)).map((o): NumericColumn => ({ ...o, values: numbersOf(o) })) };
  const { severity } = cfg;
  const rowsNote = `${predictions.rows} rows`;
  // Rows named as the data file numbers them (bad rows left out still counted), as data.bad_rows does.
  const row = (r: number) => dataRowNumber(raw.kept, r);
  const checks: CheckResult[] = [];

  for (const u of raw.unreadable ?? []) {
    checks.push(result({ id: `outputs.readable.${u.name}`, category: CATEGORY, severity, status: 'fail', value: u.type, message: u.problem }));
  }
  for (const o of raw.outputs.filter(isText)) {
    const oc = config.model.outputs?.[o.name];
    const wrong = oc?.kind && oc.kind !== 'labels' ? `kind ${oc.kind}` : oc?.range ? 'a range' : null;
    if (!wrong) continue;
    checks.push(
      result({
        id: `outputs.kind.${o.name}`,
        category: CATEGORY,
        severity,
        status: 'fail',
        message: `model.outputs.${o.name} gives ${wrong}, but "${o.name}" holds text (class labels): set kind: labels and its classes, or remove the setting`,
      }),
    );
  }

  const nonFinite = predictions.outputs
    .map((o) => ({ name: o.name, ...countWhere(o, (v) => !Number.isFinite(v)) }))
    .filter((x) => x.count > 0);
  checks.push(
    result({
      id: 'outputs.finite',
      category: CATEGORY,
      severity,
      status: nonFinite.length === 0 ? 'pass' : 'fail',
      value: nonFinite.reduce((a, x) => a + x.count, 0),
      threshold: '0 NaN / Inf values',
      message:
        nonFinite.length === 0
          ? `no NaN or Inf in ${predictions.outputs.map((o) => `"${o.name}"`).join(', ')} over ${rowsNote}`
          : nonFinite.map((x) => `"${x.name}": ${x.count} NaN/Inf values (first in row ${row(x.firstRow)})`).join('; '),
    }),
  );

  const probabilityOutputs: NumericColumn[] = [];
  for (const output of predictions.outputs) {
    const oc = config.model.outputs?.[output.name];
    const kind = outputKind(output, oc);
    if (kind === 'probabilities') {
      probabilityOutputs.push(output);
      // A Sigmoid's columns are probabilities each (multi-label tags), unless the config says they are one distribution.
      const independent = output.sigmoid === true && !oc?.kind;
      checks.push(judgeProbabilities(output, cfg.probability_tolerance, severity, rowsNote, independent, row));
    }
    if (oc?.range) {
      const [lo, hi] = oc.range;
      const out = countWhere(output, (v) => !(v >= lo && v <= hi));
      checks.push(
        result({
          id: `outputs.range.${output.name}`,
          category: CATEGORY,
          severity,
          status: out.count === 0 ? 'pass' : 'fail',
          value: out.count,
          threshold: `within [${lo}, ${hi}]`,
          message:
            out.count === 0
              ? `"${output.name}" within [${lo}, ${hi}] over ${rowsNote}`
              : `"${output.name}": ${out.count} values outside [${lo}, ${hi}] (first in row ${row(out.firstRow)})`,
        }),
      );
    }
  }
  for (const output of raw.outputs) {
    const oc = config.model.outputs?.[output.name];
    if (outputKind(output, oc) !== 'labels') continue;
    // Column indices 0, 1, … say nothing about text labels: those need named classes.
    const declared = oc?.classes ?? output.classes ?? probabilityClasses(probabilityOutputs, config, isText(output));
    const id = `outputs.labels.${output.name}`;
    if (!declared) {
      checks.push(
        result({
          id,
          category: CATEGORY,
          severity: 'info',
          status: 'skip',
          message: `"${output.name}" looks like class labels, but no class set is declared (model.outputs.${output.name}.classes)`,
        }),
      );
      continue;
    }
    const out = labelsOutside(output, declared);
    checks.push(
      result({
        id,
        category: CATEGORY,
        severity,
        status: out.count === 0 ? 'pass' : 'fail',
        value: out.count,
        threshold: `in {${declared.join(', ')}}`,
        message:
          out.count === 0
            ? `"${output.name}" within the ${declared.length} declared classes over ${rowsNote}`
            : `"${output.name}": ${out.count} labels outside {${declared.join(', ')}} (first in row ${row(out.firstRow)}: ${out.first})`,
      }),
    );
  }
  return checks;
}

/** The classes of the one probability output: as configured, as the model names them, else 0, 1, … (unless `named` are needed). */
function probabilityClasses(outputs: NumericColumn[], config: GateConfig, named: boolean): ClassLabel[] | null {
  if (outputs.length !== 1) return null;
  const [p] = outputs as [NumericColumn];
  return config.model.outputs?.[p.name]?.classes ?? config.metrics.classes ?? p.classes ?? (named ? null : range(p.width === 1 ? 2 : p.width));
}

/** Label values outside the declared classes: text compares as text, numbers as numbers. */
function labelsOutside(output: OutputColumn, declared: ClassLabel[]): { count: number; firstRow: number; first: string } {
  const values = valuesOf(output);
  const text = isText(output);
  const allowed = new Set<ClassLabel>(declared.map((c) => (text ? String(c) : Number(c))));
  let count = 0;
  let firstRow = -1;
  let first = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (allowed.has(v)) continue;
    if (count === 0) {
      firstRow = Math.floor(i / output.width);
      first = text ? `"${v}"` : String(v);
    }
    count++;
  }
  return { count, firstRow, first };
}

function judgeProbabilities(output: NumericColumn, tolerance: number, severity: CheckResult['severity'], rowsNote: string, independent: boolean, row: (r: number) => number) {
  // NaN / Inf are said as such (outputs.finite names them too), not as values "outside [0, 1]".
  const nonFinite = countWhere(output, (v) => !Number.isFinite(v));
  const outside = countWhere(output, (v) => Number.isFinite(v) && !(v >= 0 && v <= 1));
  let badSums = 0;
  let firstBadRow = -1;
  let worst = 0;
  const rows = output.values.length / output.width;
  // A single score per row (binary models) is a probability, not a distribution: no sum to check.
  const distribution = output.width > 1 && !independent;
  if (distribution) {
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < output.width; j++) sum += output.values[r * output.width + j]!;
      const off = Math.abs(sum - 1);
      if (Number.isFinite(off) && off > tolerance) {
        badSums++;
        if (firstBadRow < 0) firstBadRow = r;
      }
      if (Number.isFinite(off)) worst = Math.max(worst, off);
    }
  }
  const ok = nonFinite.count === 0 && outside.count === 0 && badSums === 0;
  const problems = [
    nonFinite.count > 0 ? `${nonFinite.count} NaN/Inf values (first in row ${row(nonFinite.firstRow)})` : '',
    outside.count > 0 ? `${outside.count} values outside [0, 1] (first in row ${row(outside.firstRow)})` : '',
    badSums > 0 ? `${badSums} rows not summing to 1 ± ${tolerance} (first: row ${row(firstBadRow)})` : '',
  ].filter(Boolean);
  return result({
    id: `outputs.probabilities.${output.name}`,
    category: CATEGORY,
    severity,
    status: ok ? 'pass' : 'fail',
    value: badSums + outside.count + nonFinite.count,
    threshold: `in [0, 1]${distribution ? `, rows sum to 1 ± ${tolerance}` : ''}`,
    message: ok
      ? `"${output.name}" are probabilities over ${rowsNote}${distribution ? ` (largest |sum - 1| = ${worst.toExponential(2)})` : independent && output.width > 1 ? ` (${output.width} per row, each its own: made by a Sigmoid)` : ''}`
      : `"${output.name}": ${problems.join('; ')}`,
  });
}

function countWhere(output: NumericColumn, bad: (v: number) => boolean): { count: number; firstRow: number } {
  let count = 0;
  let firstRow = -1;
  const { values, width } = output;
  for (let i = 0; i < values.length; i++) {
    if (bad(values[i]!)) {
      if (count === 0) firstRow = Math.floor(i / width);
      count++;
    }
  }
  return { count, firstRow };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
