/**
 * Metrics refuse non-finite numbers: which output (or label or weight column) holds NaN or
 * Infinity, and on which rows. A metric computed around them would be wrong or undefined, so the
 * metrics and the comparison fail closed with this message instead. Pure.
 */
import { describeNonFinite, nonFiniteRows } from '../stats/finite.ts';
import type { Evaluation, Labels, ModelView } from './evaluation.ts';
import { numbersOf, type Predictions } from './predictions.ts';
import { dataRowNumber } from '../data/features.ts';

/** The output names a view reads ("probabilities + label" -> both). */
const viewOutputs = (view: ModelView) => view.outputs.split(' + ');

/** NaN / Infinity in the outputs the metrics read, then in numeric labels (regression) and weights. */
export function nonFiniteMetricInputs(predictions: Predictions, view: ModelView, labels: Labels): string | null {
  const names = viewOutputs(view);
  for (const o of predictions.outputs) {
    if (!names.includes(o.name) || o.dtype === 'string') continue; // text labels cannot be non-finite
    const found = nonFiniteRows(numbersOf(o), o.width);
    if (found) return `output "${o.name}" is ${describeNonFinite(found, (r) => dataRowNumber(predictions.kept, r))}: metrics need finite predictions`;
  }
  return nonFiniteLabels(view.task === 'regression' ? labels.numeric : null, labels.weights, labels, labels.kept);
}

/** The same for an evaluation as the comparison holds it; `who` names the model ("candidate", "baseline"). */
export function nonFiniteEvaluation(ev: Evaluation, who: string, labels: Pick<Labels, 'path' | 'column'> | null = null): string | null {
  const values = ev.task === 'regression' ? ev.view.pred : ev.data.proba;
  const width = ev.task === 'regression' ? 1 : ev.data.k;
  const found = values ? nonFiniteRows(values, width) : null;
  if (found) return `the ${who}'s output "${viewOutputs(ev.view)[0]}" is ${describeNonFinite(found, (r) => dataRowNumber(ev.kept, r))}: metrics need finite predictions`;
  return nonFiniteLabels(ev.task === 'regression' ? ev.y : null, ev.weights, labels, ev.kept);
}

function nonFiniteLabels(numeric: Float64Array | null, weights: Float64Array | null, labels: Pick<Labels, 'path' | 'column'> | null, kept: Int32Array | undefined): string | null {
  const where = labels ? `${labels.path}: ` : '';
  const row = (r: number) => dataRowNumber(kept, r);
  const y = numeric ? nonFiniteRows(numeric) : null;
  if (y) return `${where}label column${labels ? ` "${labels.column}"` : ''} is ${describeNonFinite(y, row)}: metrics need finite labels`;
  const w = weights ? nonFiniteRows(weights) : null;
  if (w) return `${where}the sample weights are ${describeNonFinite(w, row)}: metrics need finite weights`;
  return null;
}
