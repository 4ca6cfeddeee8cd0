/**
 * Regression metrics with scikit-learn's definitions, over optional row weights. Pure. Like
 * scikit-learn, which refuses NaN or infinite values, every metric is NaN (undefined) when a
 * target, a prediction or a weight in use is not finite: max_error would otherwise skip NaN.
 */
import type { Weights } from './classification.ts';

export interface RegressionData {
  y: Float64Array;
  pred: Float64Array;
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
  mape: number;
  max_error: number;
}

const weightOf = (w: Weights, i: number) => (w ? w[i]! : 1);

const UNDEFINED: RegressionMetrics = { rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN, mape: Number.NaN, max_error: Number.NaN };

export function regressionMetrics(d: RegressionData, w: Weights): RegressionMetrics {
  const { y, pred } = d;
  let total = 0;
  let sy = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = weightOf(w, i);
    if (wi !== 0 && (y[i]! - y[i]! !== 0 || pred[i]! - pred[i]! !== 0 || wi - wi !== 0)) return { ...UNDEFINED };
    total += wi;
    sy += wi * y[i]!;
  }
  const mean = sy / total;
  let se = 0;
  let ae = 0;
  let ape = 0;
  let ss = 0;
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = weightOf(w, i);
    if (wi === 0) continue;
    const e = y[i]! - pred[i]!;
    se += wi * e * e;
    ae += wi * Math.abs(e);
    // sklearn guards |y| = 0 with the float64 epsilon, which makes such rows dominate: say so in docs.
    ape += (wi * Math.abs(e)) / Math.max(Math.abs(y[i]!), Number.EPSILON);
    ss += wi * (y[i]! - mean) ** 2;
    if (Math.abs(e) > max) max = Math.abs(e);
  }
  // sklearn's r2_score with force_finite: a constant target scores 1 when predicted exactly, else 0.
  const r2 = ss === 0 ? (se === 0 ? 1 : 0) : 1 - se / ss;
  return { rmse: Math.sqrt(se / total), mae: ae / total, r2, mape: ape / total, max_error: max };
}

/**
 * Each row's own term of a mean-type regression metric, unweighted: squared error (whose mean is
 * the MSE), absolute error, or absolute percentage error (sklearn's |y| floor at float64 eps).
 * null when a value is not finite.
 */
export function rowErrors(d: RegressionData, kind: 'squared' | 'absolute' | 'percentage'): Float64Array | null {
  const { y, pred } = d;
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const e = y[i]! - pred[i]!;
    if (!Number.isFinite(e)) return null;
    out[i] = kind === 'squared' ? e * e : kind === 'absolute' ? Math.abs(e) : Math.abs(e) / Math.max(Math.abs(y[i]!), Number.EPSILON);
  }
  return out;
}
