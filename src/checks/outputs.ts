/**
 * Output validity over every row evaluated: no NaN / Inf, probabilities in [0, 1] summing to 1,
 * configured ranges, class labels within the declared set. Pure: judges collected predictions.
 */
import type { GateConfig, OutputConfig } from '../config/types.ts';
import { INTEGER_TYPES } from '../runners/types.ts';
import type { NumberArray } from '../runners/types.ts';
import { numbersOf, type OutputColumn, type Predictions } from './predictions.ts';

/** An output read as plain numbers. */
type NumericColumn = Omit<OutputColumn, 'chunks'> & { values: NumberArray };
import { result, type CheckResult } from './types.ts';

const CATEGORY = 'outputs';

export type OutputKind = 'probabilities' | 'labels' | 'scores';

/** The configured kind, else a guess from the name and type that sklearn-onnx style models follow. */
export function outputKind(output: Pick<OutputColumn, 'name' | 'dtype'>, cfg: OutputConfig | undefined): OutputKind {
  if (cfg?.kind) return cfg.kind;
  if (/prob/i.test(output.name) && !INTEGER_TYPES.has(output.dtype)) return 'probabilities';
  if (/label|class/i.test(output.name) && INTEGER_TYPES.has(output.dtype)) return 'labels';
  return 'scores';
}

export function judgeOutputs(raw: Predictions, config: GateConfig): CheckResult[] {
  const cfg = config.checks.outputs;
  if (!cfg.enabled) return [];
  const predictions = { ...raw, outputs: raw.outputs.map((o): NumericColumn => ({ ...o, values: numbersOf(o) })) };
  const { severity } = cfg;
  const rowsNote = `${predictions.rows} rows`;
  const checks: CheckResult[] = [];

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
          : nonFinite.map((x) => `"${x.name}": ${x.count} NaN/Inf values (first in row ${x.firstRow})`).join('; '),
    }),
  );

  const probabilityWidths: number[] = [];
  for (const output of predictions.outputs) {
    const oc = config.model.outputs?.[output.name];
    const kind = outputKind(output, oc);
    if (kind === 'probabilities') {
      probabilityWidths.push(output.width);
      checks.push(judgeProbabilities(output, cfg.probability_tolerance, severity, rowsNote));
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
              : `"${output.name}": ${out.count} values outside [${lo}, ${hi}] (first in row ${out.firstRow})`,
        }),
      );
    }
  }
  for (const output of predictions.outputs) {
    const oc = config.model.outputs?.[output.name];
    if (outputKind(output, oc) !== 'labels') continue;
    const declared = oc?.classes ?? (probabilityWidths.length === 1 ? range(probabilityWidths[0]!) : null);
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
    const allowed = new Set(declared.map(Number));
    const out = countWhere(output, (v) => !allowed.has(v));
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
            : `"${output.name}": ${out.count} labels outside {${declared.join(', ')}} (first in row ${out.firstRow})`,
      }),
    );
  }
  return checks;
}

function judgeProbabilities(output: NumericColumn, tolerance: number, severity: CheckResult['severity'], rowsNote: string) {
  const outside = countWhere(output, (v) => !(v >= 0 && v <= 1));
  let badSums = 0;
  let firstBadRow = -1;
  let worst = 0;
  const rows = output.values.length / output.width;
  // A single score per row (binary models) is a probability, not a distribution: no sum to check.
  if (output.width > 1) {
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < output.width; j++) sum += output.values[r * output.width + j]!;
      const off = Math.abs(sum - 1);
      if (!(off <= tolerance)) {
        badSums++;
        if (firstBadRow < 0) firstBadRow = r;
      }
      if (Number.isFinite(off)) worst = Math.max(worst, off);
    }
  }
  const ok = outside.count === 0 && badSums === 0;
  const problems = [
    outside.count > 0 ? `${outside.count} values outside [0, 1] (first in row ${outside.firstRow})` : '',
    badSums > 0 ? `${badSums} rows not summing to 1 ± ${tolerance} (first: row ${firstBadRow})` : '',
  ].filter(Boolean);
  return result({
    id: `outputs.probabilities.${output.name}`,
    category: CATEGORY,
    severity,
    status: ok ? 'pass' : 'fail',
    value: badSums + outside.count,
    threshold: `in [0, 1]${output.width > 1 ? `, rows sum to 1 ± ${tolerance}` : ''}`,
    message: ok
      ? `"${output.name}" are probabilities over ${rowsNote}${output.width > 1 ? ` (largest |sum - 1| = ${worst.toExponential(2)})` : ''}`
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
