/**
 * Isotonic regression (non-decreasing), as scikit-learn's IsotonicRegression(out_of_bounds="clip",
 * y_min=0, y_max=1) fits and predicts it: equal x values are merged first (their y averaged, their
 * weights summed), the pool-adjacent-violators algorithm makes the fit non-decreasing, and a new x
 * is interpolated linearly between the fitted points and clipped to the fitted range. CBPE uses it
 * to calibrate a model's scores on the reference data. Pure; NaN/Inf pairs are refused.
 */

export interface IsotonicModel {
  /** Distinct x values, ascending. */
  x: Float64Array;
  /** The fitted value at each x, non-decreasing, within [yMin, yMax]. */
  y: Float64Array;
}

export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>, options: { yMin?: number; yMax?: number } = {}): IsotonicModel {
  const n = x.length;
  if (n !== y.length) throw new Error(`isotonic regression: ${n} x values but ${y.length} y values`);
  if (n === 0) throw new Error('isotonic regression: no data to fit');
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) throw new Error(`isotonic regression: row ${i} is not finite (x=${x[i]}, y=${y[i]})`);
  }
  order.sort((a, b) => x[a]! - x[b]! || a - b);
  // Ties in x: one point at their weighted mean (sklearn's _make_unique).
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  for (const i of order) {
    const last = ux.length - 1;
    if (last >= 0 && ux[last] === x[i]) {
      uy[last] = uy[last]! + y[i]!;
      uw[last] = uw[last]! + 1;
    } else {
      ux.push(x[i]!);
      uy.push(y[i]!);
      uw.push(1);
    }
  }
  for (let i = 0; i < uy.length; i++) uy[i] = uy[i]! / uw[i]!;
  // Pool adjacent violators over blocks (value, weight, length); each pass merges at least once, so it ends.
  const value: number[] = [];
  const weight: number[] = [];
  const size: number[] = [];
  for (let i = 0; i < uy.length; i++) {
    value.push(uy[i]!);
    weight.push(uw[i]!);
    size.push(1);
    while (value.length > 1 && value[value.length - 2]! > value[value.length - 1]!) {
      const w = weight[weight.length - 2]! + weight[weight.length - 1]!;
      const v = (value[value.length - 2]! * weight[weight.length - 2]! + value[value.length - 1]! * weight[weight.length - 1]!) / w;
      const s = size[size.length - 2]! + size[size.length - 1]!;
      value.length -= 1;
      weight.length -= 1;
      size.length -= 1;
      value[value.length - 1] = v;
      weight[weight.length - 1] = w;
      size[size.length - 1] = s;
    }
  }
  const lo = options.yMin ?? Number.NEGATIVE_INFINITY;
  const hi = options.yMax ?? Number.POSITIVE_INFINITY;
  const fitted = new Float64Array(ux.length);
  let k = 0;
  for (let b = 0; b < value.length; b++) for (let j = 0; j < size[b]!; j++) fitted[k++] = Math.min(hi, Math.max(lo, value[b]!));
  return { x: Float64Array.from(ux), y: fitted };
}

/** The fitted function at each value: linear between fitted points, clipped outside them (NaN stays NaN). */
export function predictIsotonic(model: IsotonicModel, values: ArrayLike<number>): Float64Array {
  const { x, y } = model;
  const n = x.length;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      out[i] = Number.NaN;
      continue;
    }
    if (v <= x[0]!) {
      out[i] = y[0]!;
      continue;
    }
    if (v >= x[n - 1]!) {
      out[i] = y[n - 1]!;
      continue;
    }
    // The last fitted x <= v (binary search: x is strictly ascending).
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid]! <= v) lo = mid;
      else hi = mid;
    }
    const t = (v - x[lo]!) / (x[hi]! - x[lo]!);
    out[i] = y[lo]! + t * (y[hi]! - y[lo]!);
  }
  return out;
}
