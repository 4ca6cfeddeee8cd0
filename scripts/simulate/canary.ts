/**
 * The canary judge under simulation: whole promotions (every stage of the plan) driven through the
 * judge's own runStage with a simulated clock and a simulated metrics provider that draws each
 * window's request, error and latency-bucket counts. Seeded, so a table is reproducible.
 *
 *   node_modules/node/bin/node scripts/simulate/canary.ts [--reps 200] [--seed 1] [--rates 500,1000,5000,50000] [--only name,…] [--fresh] [--json]
 *
 * --fresh: every stage starts its tests afresh (as when no evidence is handed over between stages).
 *
 * Each cell is the share of promotions that were rolled back (or, for rows that must pass, that
 * were promoted), with the median number of measurements to the rollback in parentheses.
 */
import { parseConfig } from '../../src/config/load.ts';
import type { PromotionConfig } from '../../src/config/types.ts';
import type { MetricsProvider, QueryResult } from '../../src/promotion/providers.ts';
import { chooseCarry, type StageEvidence } from '../../src/promotion/carry.ts';
import { runStage } from '../../src/promotion/stage.ts';
import { uniformSource } from '../../src/stats/random.ts';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface Scenario {
  name: string;
  /** What the row reports: the share rolled back, or the share promoted (rows that must pass). */
  expect: 'rollback' | 'promote';
  errors: { stable: number; canary: number };
  /** Latency: lognormal with this median (seconds) and log-sd; the canary's is × factor. */
  latency: { median: number; sigma: number; factor: number };
  /** Log-sd of a multiplier drawn per window and per arm on the error rate and the latency median. */
  variation: number;
}

/** The README's example metrics (error rate with max_relative 1.1 × + 0.001, latency buckets). */
export const CONFIG_YAML = {
  promotion: {
    stages: [5, 25, 50, 100],
    bake_minutes: 30,
    interval_seconds: 60,
    traffic: { command: 'set {weight}', rollback: 'rollback' },
    provider: 'json',
    json: { source: 'simulated' },
    metrics: [
      { name: 'error_rate', kind: 'error_rate', max_relative: { factor: 1.1, plus: 0.001 }, errors: { canary: 'errors canary', stable: 'errors stable' }, requests: { canary: 'requests canary', stable: 'requests stable' } },
      { name: 'latency', kind: 'latency', buckets: { canary: 'buckets canary', stable: 'buckets stable' } },
    ],
  },
};

/** Prometheus client libraries' default buckets (seconds). */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, Number.POSITIVE_INFINITY];

const base = { errors: { stable: 0.01, canary: 0.01 }, latency: { median: 0.2, sigma: 0.5, factor: 1 }, variation: 0 };
export const SCENARIOS: Scenario[] = [
  { ...base, name: 'A/A, 1% errors on both (false rollback)', expect: 'rollback' },
  { ...base, name: 'A/A, both at 3% errors', expect: 'rollback', errors: { stable: 0.03, canary: 0.03 } },
  { ...base, name: 'A/A, window-to-window variation 0.1', expect: 'rollback', variation: 0.1 },
  { ...base, name: 'inside tolerance: errors 1.15% vs limit 1.2% (must pass)', expect: 'promote', errors: { stable: 0.01, canary: 0.0115 } },
  { ...base, name: 'inside tolerance: latency ×1.1 (must pass)', expect: 'promote', latency: { ...base.latency, factor: 1.1 } },
  { ...base, name: 'inside tolerance, variation 0.1: errors 1.15%, latency ×1.1 (must pass)', expect: 'promote', errors: { stable: 0.01, canary: 0.0115 }, latency: { ...base.latency, factor: 1.1 }, variation: 0.1 },
  { ...base, name: 'errors 1% → 1.5%', expect: 'rollback', errors: { stable: 0.01, canary: 0.015 } },
  { ...base, name: 'errors 1% → 2%', expect: 'rollback', errors: { stable: 0.01, canary: 0.02 } },
  { ...base, name: 'latency ×1.5, median 200 ms', expect: 'rollback', latency: { ...base.latency, factor: 1.5 } },
  { ...base, name: 'latency ×2, median 200 ms', expect: 'rollback', latency: { ...base.latency, factor: 2 } },
  { ...base, name: 'latency ×1.3, median 30 ms', expect: 'rollback', latency: { median: 0.03, sigma: 0.5, factor: 1.3 } },
];

/** Draws of the counts a window holds. */
function sampler(seed: number) {
  const u = uniformSource(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const poisson = (mean: number): number => {
    if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
    let k = 0;
    let p = Math.exp(-mean);
    let s = p;
    const x = u();
    while (x > s && k < 1000) {
      p *= mean / ++k;
      s += p;
    }
    return k;
  };
  const binomial = (n: number, p: number): number => {
    if (n <= 0 || !(p > 0)) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - binomial(n, 1 - p);
    if (n * p > 30) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal())));
    // Waiting times between successes: O(n·p).
    let k = 0;
    let i = 0;
    // log1p: for a share near 1e-17, log(1 − p) is 0 and the walk would never end.
    const lq = Math.log1p(-p);
    for (;;) {
      i += Math.floor(Math.log(1 - u()) / lq) + 1;
      if (i > n) return k;
      k++;
    }
  };
  return { normal, poisson, binomial };
}

interface Window {
  requests: { canary: number; stable: number };
  errors: { canary: number; stable: number };
  buckets: { canary: number[]; stable: number[] };
}

/** A provider whose every new measurement time is a fresh window of simulated traffic. */
function simulatedProvider(sc: Scenario, ratePerMin: number, weight: () => number, clock: { now(): number }, intervalS: number, draw: ReturnType<typeof sampler>): MetricsProvider {
  let at = -1;
  let w: Window | null = null;
  const make = (): Window => {
    const share = weight() / 100;
    const mean = { canary: (ratePerMin * intervalS * share) / 60, stable: (ratePerMin * intervalS * (1 - share)) / 60 };
    const out: Window = { requests: { canary: 0, stable: 0 }, errors: { canary: 0, stable: 0 }, buckets: { canary: [], stable: [] } };
    for (const arm of ['canary', 'stable'] as const) {
      const n = mean[arm] > 0 ? draw.poisson(mean[arm]) : 0;
      const vary = () => (sc.variation > 0 ? Math.exp(sc.variation * draw.normal() - (sc.variation * sc.variation) / 2) : 1);
      const p = Math.min(1, sc.errors[arm] * vary());
      const median = sc.latency.median * (arm === 'canary' ? sc.latency.factor : 1) * vary();
      out.requests[arm] = n;
      out.errors[arm] = draw.binomial(n, p);
      // Multinomial over the buckets by conditional binomials; cumulative counts as Prometheus gives them.
      let left = n;
      let below = 0;
      let cum = 0;
      out.buckets[arm] = BUCKETS.map((le) => {
        const cdf = Number.isFinite(le) ? normalCdf(Math.log(le / median) / sc.latency.sigma, 0, 1) : 1;
        const pIn = below >= 1 ? 0 : Math.min(1, Math.max(0, (cdf - below) / (1 - below)));
        const k = draw.binomial(left, pIn);
        left -= k;
        below = cdf;
        return (cum += k);
      });
    }
    return out;
  };
  const current = () => {
    if (clock.now() !== at || !w) {
      at = clock.now();
      w = make();
    }
    return w;
  };
  return {
    async query(q: string): Promise<QueryResult> {
      const [what, arm] = q.split(' ') as ['errors' | 'requests' | 'buckets', 'canary' | 'stable'];
      const win = current();
      if (what === 'buckets') {
        if (win.requests[arm] === 0) return [];
        return win.buckets[arm].map((c, i) => ({ labels: { le: Number.isFinite(BUCKETS[i]!) ? String(BUCKETS[i]) : '+Inf' }, value: c }));
      }
      return win[what][arm];
    },
    async queryRange() {
      return null;
    },
  };
}

export interface PromotionResult {
  outcome: 'promoted' | 'rolled_back';
  /** Measurements taken over all stages up to the outcome. */
  measurements: number;
  stage: string;
  reason: string;
}

/** One whole promotion (every stage) of a scenario at a traffic level. */
let parsed: PromotionConfig | null = null;
/** The README's metrics as the config loader fills them in (parsed once: compiling the schema is slow). */
export const simulatedConfig = (): PromotionConfig => (parsed ??= parseConfig(JSON.stringify(CONFIG_YAML), 'simulate').promotion);

/** `carry`: each stage continues the tests over the windows the previous stage handed over (false: every stage starts afresh). */
export async function simulatePromotion(sc: Scenario, ratePerMin: number, seed: number, cfg: PromotionConfig = simulatedConfig(), carry = true): Promise<PromotionResult> {
  const draw = sampler(seed);
  let now = 0;
  let weight = 0;
  const clock = { now: () => now, date: () => new Date(Date.UTC(2026, 10, 29) + now) };
  const provider = simulatedProvider(sc, ratePerMin, () => weight, clock, cfg.interval_seconds, draw);
  let measurements = 0;
  const handed: StageEvidence[] = [];
  for (const w of cfg.stages) {
    weight = w;
    const spec = { stage: `${w}%`, weight: w, version: 'v_sim', model: 'sim', final: w === 100 };
    const report = await runStage(
      spec,
      cfg,
      {
        provider,
        carried: carry ? chooseCarry(handed, cfg, spec).carried : undefined,
        handOver: (e) => void handed.push(e),
        clock,
        sleep: async (ms) => void (now += ms),
        log: () => undefined,
        run: async (_c, _t, step) => void (weight = step.weight),
      },
    );
    measurements += report.measurements.length;
    if (report.outcome !== 'promoted') return { outcome: 'rolled_back', measurements, stage: report.stage, reason: report.reason };
  }
  return { outcome: 'promoted', measurements, stage: '100%', reason: '' };
}

export interface Cell {
  scenario: string;
  rate: number;
  reps: number;
  /** Share of promotions with the outcome the row reports. */
  share: number;
  /** Median measurements to rollback (rolled-back promotions only), null without any. */
  median_measurements: number | null;
  reasons: Record<string, number>;
}

export async function simulateCell(sc: Scenario, rate: number, reps: number, seed: number, cfg?: PromotionConfig, carry = true): Promise<Cell> {
  const results: PromotionResult[] = [];
  for (let i = 0; i < reps; i++) results.push(await simulatePromotion(sc, rate, seed * 1_000_003 + i * 7919 + rate, cfg, carry));
  const rolled = results.filter((r) => r.outcome === 'rolled_back');
  const counts = rolled.map((r) => r.measurements).sort((a, b) => a - b);
  const reasons: Record<string, number> = {};
  for (const r of rolled) {
    const key = r.reason.replace(/[\d.]+/g, '#').slice(0, 80);
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
  const share = (sc.expect === 'rollback' ? rolled.length : reps - rolled.length) / reps;
  return { scenario: sc.name, rate, reps, share, median_measurements: counts.length ? counts[Math.floor((counts.length - 1) / 2)]! : null, reasons };
}

export function table(cells: Cell[], rates: number[]): string {
  const pct = (x: number) => `${Number((x * 100).toFixed(1))}%`;
  const lines = [`| scenario | ${rates.map((r) => `${r.toLocaleString('en-US')} req/min`).join(' | ')} |`, `|---|${rates.map(() => '---').join('|')}|`];
  for (const name of [...new Set(cells.map((c) => c.scenario))]) {
    const row = rates.map((rate) => {
      const c = cells.find((x) => x.scenario === name && x.rate === rate);
      if (!c) return '—';
      const sc = SCENARIOS.find((s) => s.name === name);
      return `${pct(c.share)}${sc?.expect === 'rollback' && c.median_measurements !== null && !name.startsWith('A/A') ? ` (${c.median_measurements})` : ''}`;
    });
    lines.push(`| ${name} | ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main() {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const reps = Number(arg('reps') ?? 200);
  const seed = Number(arg('seed') ?? 1);
  const rates = (arg('rates') ?? '500,1000,5000,50000').split(',').map(Number);
  const only = arg('only')?.split(',');
  const carry = !process.argv.includes('--fresh');
  const cells: Cell[] = [];
  const started = Date.now();
  for (const [i, sc] of SCENARIOS.entries()) {
    if (only && !only.includes(String(i + 1))) continue;
    for (const rate of rates) {
      const c = await simulateCell(sc, rate, reps, seed + i, undefined, carry);
      cells.push(c);
      process.stderr.write(`${sc.name} @ ${rate}: ${(c.share * 100).toFixed(1)}% (${c.median_measurements ?? '-'}) ${JSON.stringify(c.reasons)}\n`);
    }
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify({ reps, seed, rates, cells }, null, 1));
  else console.log(`${table(cells, rates)}\n\n${reps} promotions per cell, seed ${seed}${carry ? '' : ', every stage afresh (--fresh)'}, ${((Date.now() - started) / 1000).toFixed(0)} s. Rows that must pass report the share promoted; the others the share rolled back (median measurements to the rollback).`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
