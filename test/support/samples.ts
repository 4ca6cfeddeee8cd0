/**
 * The deterministic samples of scripts/reference/drift.py, generated identically here: a MINSTD
 * generator whose steps are exact in doubles, and value transforms that round the same in numpy
 * and JavaScript. Keep in step with the script.
 */
export interface NumericSpec {
  seed: number;
  n: number;
  loc: number;
  scale: number;
  step?: number;
}

export interface CategoricalSpec {
  seed: number;
  n: number;
  categories: string[];
  weights: number[];
}

function uniforms(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 48271) % 2147483647;
    out[i] = s / 2147483648;
  }
  return out;
}

export function numericSample(spec: NumericSpec): Float64Array {
  const u = uniforms(spec.seed, 4 * spec.n);
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    let v = u[4 * i]! + u[4 * i + 1]! + u[4 * i + 2]! + u[4 * i + 3]! - 2;
    v = v * spec.scale + spec.loc;
    if (spec.step) v = Math.floor(v / spec.step) * spec.step;
    out[i] = v;
  }
  return out;
}

export function categoricalSample(spec: CategoricalSpec): string[] {
  const u = uniforms(spec.seed, spec.n);
  const cumulative: number[] = [];
  for (const w of spec.weights) cumulative.push((cumulative.at(-1) ?? 0) + w);
  const total = cumulative.at(-1)!;
  return Array.from(u, (x) => spec.categories[cumulative.findIndex((c) => x * total < c)]!);
}
