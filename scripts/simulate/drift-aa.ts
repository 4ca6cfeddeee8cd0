/**
 * A/A and power of the drift checks: a reference and a current sample drawn from the same
 * distribution (A/A) or with one feature's mean shifted (power), judged by `dataDrift` with the
 * default config. Prints the per-run rate of any drift warning (fail or warn item) and the mean
 * number of flagged features. Seeded, so reruns give the same table.
 *   node_modules/node/bin/node scripts/simulate/drift-aa.ts [runs] [refRows] [curRows] [shiftSd]
 */
import { defaultConfig } from '../../src/config/load.ts';
import type { GateConfig } from '../../src/config/types.ts';
import type { Column, Dataset } from '../../src/data/dataset.ts';
import { dataDrift } from '../../src/drift/run.ts';
import { uniformSource } from '../../src/stats/random.ts';

/** 20 features: 14 normal, 2 log-normal, 2 binary (0/1), 2 categorical with 4 levels. */
export function driftData(seed: number, rows: number, shiftSd = 0): Dataset {
  const u = uniformSource(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const numeric = (name: string, draw: () => number): Column => ({ name, kind: 'numeric', values: Float64Array.from({ length: rows }, draw), text: null, missing: 0, invalid: [] });
  const columns: Column[] = [];
  for (let j = 0; j < 14; j++) columns.push(numeric(`x${j}`, j === 0 ? () => normal() + shiftSd : normal));
  for (let j = 0; j < 2; j++) columns.push(numeric(`lg${j}`, () => Math.exp(normal())));
  for (let j = 0; j < 2; j++) columns.push(numeric(`b${j}`, () => (u() < 0.3 ? 1 : 0)));
  const levels = ['a', 'b', 'c', 'd'];
  const shares = [0.4, 0.3, 0.2, 0.1];
  const pick = () => {
    let r = u();
    for (let k = 0; k < 4; k++) if ((r -= shares[k]!) < 0) return levels[k]!;
    return levels[3]!;
  };
  for (let j = 0; j < 2; j++) columns.push({ name: `c${j}`, kind: 'text', values: null, text: Array.from({ length: rows }, pick), missing: 0, invalid: [] });
  return { path: `sim-${seed}.csv`, format: 'csv', rows, columns, malformed: [], malformedFirst: [], notes: [] };
}

export interface DriftRates {
  runs: number;
  /** Share of runs with at least one drift item failing or warning. */
  any_warning: number;
  /** Share of runs where a drift item fails at warning or blocker severity (DELAY / NO-GO). */
  gating: number;
  /** Mean flagged features per run. */
  flagged_per_run: number;
  /** Share of runs where feature x0 (the shifted one, when shiftSd > 0) is flagged. */
  x0_flagged: number;
}

export function simulate(runs: number, refRows: number, curRows: number, shiftSd = 0, seed = 1, drift: Partial<GateConfig['drift']> = {}): DriftRates {
  const defaults = defaultConfig();
  const config = { ...defaults, drift: { ...defaults.drift, ...drift } };
  let any = 0;
  let gating = 0;
  let flagged = 0;
  let x0 = 0;
  for (let r = 0; r < runs; r++) {
    const d = dataDrift(config, driftData(seed * 1_000_003 + 2 * r, refRows), driftData(seed * 1_000_003 + 2 * r + 1, curRows, shiftSd));
    const bad = d.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
    if (bad.length > 0) any++;
    if (bad.some((c) => c.status === 'fail' && c.severity !== 'info')) gating++;
    const f = bad.filter((c) => c.id.startsWith('drift.feature.'));
    flagged += f.length;
    if (f.some((c) => c.id === 'drift.feature.x0')) x0++;
  }
  return { runs, any_warning: any / runs, gating: gating / runs, flagged_per_run: flagged / runs, x0_flagged: x0 / runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [runs = 200, ref = 5000, cur = 200, shift = 0] = process.argv.slice(2).map(Number);
  const seed = Number(process.argv[6] ?? 1);
  console.log(JSON.stringify({ ref_rows: ref, current_rows: cur, shift_sd: shift, seed, ...simulate(runs, ref, cur, shift, seed) }));
}
