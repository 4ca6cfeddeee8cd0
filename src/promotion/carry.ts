/**
 * The evidence a stage hands to the next: every sound window of each pooled metric, so that the
 * next stage continues the same sequential tests instead of starting afresh. A quiet service
 * gathers in its stages together what no single stage can (25 requests a minute on a 5% canary).
 *
 * Pooled evidence dilutes a change that appears only at a later stage (a canary that breaks under
 * full load), so a stage that carries runs two tests per rule and the worse failure decides:
 * - the test over the whole chain (carried windows and its own), for power on small excesses;
 * - the test over this stage's own windows, for a change this stage brought.
 * Budget: the false-rollback budget is one slot per stage and test (judge.ts, testAlpha). The chain's
 * test is one always-valid test (one martingale), so by Ville's inequality its looks at several
 * stages together risk only its highest α: at the chain's k-th stage it runs at (k + 1) / 2 slots,
 * and each stage after the first gives its own-windows test the other half slot. A chain of k stages
 * thus spends k slots, and chains (a stage that starts afresh begins a new one) never share a slot:
 * the promotion stays within its budget. Pure: the shell (stage-command.ts) reads and writes the files.
 */
import type { PromotionConfig, PromotionMetric } from '../config/types.ts';
import type { JudgeContext } from './evidence.ts';
import { judgeWindows, testsOf, windowProblem } from './judge.ts';
import type { MetricData, MetricResult } from './types.ts';

export interface CarriedMetric {
  name: string;
  kind: PromotionMetric['kind'];
  /** The metric's query templates: windows of other queries measure something else. */
  queries: string;
  /** The stages whose windows these are, first to last (the stage that wrote them last). */
  chain: string[];
  windows: MetricData[];
}

/** What a promoted stage hands over (`<out>/promotion/evidence-<weight>.json`). */
export interface StageEvidence {
  format: 1;
  version: string;
  stage: string;
  at: string;
  metrics: CarriedMetric[];
}

/** What a stage takes over for one metric: the earlier windows and the stages they came from. */
export interface Carried {
  windows: MetricData[];
  chain: string[];
}

/** The stage being judged. */
export interface Stage {
  stage: string;
  version: string;
}

const NOTHING: Carried = { windows: [], chain: [] };

export const evidenceName = (stage: string) => `evidence-${stage.replace('%', '')}.json`;

export const queriesOf = (m: PromotionMetric) => JSON.stringify([m.kind, m.errors ?? null, m.requests ?? null, m.buckets ?? null, m.samples ?? null]);

/** The stage before this one in the plan (null: the first stage, or shadow, which carries nothing). */
export function previousStage(cfg: PromotionConfig, stage: string): string | null {
  if (stage === 'shadow') return null;
  const i = cfg.stages.indexOf(Number(stage.replace('%', '')));
  return i > 0 ? `${cfg.stages[i - 1]}%` : null;
}

/** The evidence a stage hands over: per pooled metric, the carried windows and its own. */
export function handOver(cfg: PromotionConfig, spec: Stage, at: string, carried: Carried[], own: MetricData[][]): StageEvidence {
  const metrics = cfg.metrics.flatMap((m, i) => (testsOf(m) === 0 ? [] : [{ name: m.name, kind: m.kind, queries: queriesOf(m), chain: [...carried[i]!.chain, spec.stage], windows: [...carried[i]!.windows, ...own[i]!] }]));
  return { format: 1, version: spec.version, stage: spec.stage, at, metrics };
}

/** JSON with +Inf bucket bounds kept (JSON has no Infinity). */
export const evidenceJson = (e: StageEvidence) => `${JSON.stringify(e, (_k, v: unknown) => (v === Number.POSITIVE_INFINITY ? '+Inf' : v))}\n`;

export function parseEvidence(text: string): StageEvidence | null {
  try {
    const e = JSON.parse(text, (_k, v: unknown) => (v === '+Inf' ? Number.POSITIVE_INFINITY : v)) as StageEvidence;
    return e && e.format === 1 && typeof e.version === 'string' && typeof e.stage === 'string' && Array.isArray(e.metrics) ? e : null;
  } catch {
    return null;
  }
}

/**
 * What this stage carries, per metric of the config, from the evidence found (any stages, any
 * versions): the newest evidence of the previous stage of the same version; for each metric, its
 * windows when the queries are the same, its chain is the plan's stages up to there, and every
 * window is sound. Anything else starts that metric afresh; `said` tells which and why.
 */
export function chooseCarry(found: StageEvidence[], cfg: PromotionConfig, spec: Stage): { carried: Carried[]; said: string } {
  const none = cfg.metrics.map(() => NOTHING);
  const prev = previousStage(cfg, spec.stage);
  if (!prev) return { carried: none, said: spec.stage === 'shadow' ? 'the shadow stage starts its tests afresh' : 'the first stage starts its tests afresh' };
  const from = found.filter((e) => e.version === spec.version && e.stage === prev).sort((a, b) => (a.at < b.at ? 1 : -1))[0];
  if (!from) return { carried: none, said: `no evidence of stage ${prev} of ${spec.version} handed over: the tests start afresh (the false-rollback budget of this stage only)` };
  const plan = cfg.stages.map((w) => `${w}%`);
  const notes: string[] = [];
  const carried = cfg.metrics.map((m) => {
    if (testsOf(m) === 0) return NOTHING;
    const e = from.metrics.find((x) => x.name === m.name);
    const why = !e
      ? 'not in it'
      : e.kind !== m.kind || e.queries !== queriesOf(m)
        ? 'its queries changed'
        : !Array.isArray(e.chain) || e.chain.length === 0 || e.chain.at(-1) !== prev || e.chain.some((s, j) => s !== plan[plan.indexOf(prev) - e.chain.length + 1 + j])
          ? 'its chain of stages is not the plan'
          : !Array.isArray(e.windows) || e.windows.some((w) => !w || w.kind !== m.kind || windowProblem(m, w) !== null)
            ? 'a window is not sound'
            : null;
    if (why) {
      notes.push(`${m.name} starts afresh (${why})`);
      return NOTHING;
    }
    return { windows: e!.windows, chain: e!.chain };
  });
  const took = carried.filter((c) => c.chain.length > 0);
  const windows = took.reduce((n, c) => n + c.windows.length, 0);
  const said = took.length === 0 ? `the evidence of stage ${prev} could not be carried: ${notes.join('; ')}` : `carrying the evidence of stage${took[0]!.chain.length === 1 ? '' : 's'} ${took[0]!.chain.join(', ')} (${windows} window${windows === 1 ? '' : 's'})${notes.length ? `; ${notes.join('; ')}` : ''}`;
  return { carried, said };
}

/**
 * A pooled metric's verdict at a stage that carries: the chain's test and this stage's own test,
 * the worse failure deciding; otherwise the chain's verdict (its evidence is the larger). Without
 * a chain: the one test at the stage's whole slot. `alpha` is the slot.
 */
export function judgeCarried(m: PromotionMetric, own: MetricData[], carried: Carried, stage: string, ctx: JudgeContext): MetricResult {
  if (carried.chain.length === 0) return judgeWindows(m, own, ctx);
  const k = carried.chain.length + 1;
  const chain = judgeWindows(m, [...carried.windows, ...own], { ...ctx, alpha: Math.min(0.5, (ctx.alpha * (k + 1)) / 2), stages: [...carried.chain, stage] });
  const mine = own.length > 0 ? judgeWindows(m, own, { ...ctx, alpha: ctx.alpha / 2, stages: [stage] }) : null;
  if (!mine) return chain;
  const worse = mine.verdict === 'fail' && (chain.verdict !== 'fail' || (mine.critical && !chain.critical));
  if (worse) return mine;
  // Windows that cannot be pooled with the carried ones (e.g. other histogram buckets): this stage's own test judges.
  if (chain.verdict === 'error' && mine.verdict !== 'error') return { ...mine, reason: `${mine.reason} (the carried windows could not be pooled: ${chain.reason})` };
  return chain;
}
