/**
 * What a check family declares, and the engine that runs the families of a run in the order their
 * declarations imply. A family names the modes it runs in, what the run must have for it
 * (a baseline, drift data, slice columns), the measurements of other families it reads and the
 * ones it produces. The engine runs a producer whenever an enabled family needs what it makes
 * (the metrics family's evaluation feeds the comparison even with `metrics.enabled: false`,
 * without its checklist rows), and orders producers before their readers; list position only
 * breaks ties between families that do not depend on each other.
 *
 * `Measurements` starts empty: each family's file adds the fields it produces to it
 * (`declare module './family.ts' { interface Measurements { … } }`), so a new family is its own
 * file plus one line in the registry (checks/index.ts), and a reader still gets typed fields.
 */
import type { GateConfig } from '../config/types.ts';
import { errored, skipped, type CheckResult } from '../core/check-result.ts';
import { getErrorMessage } from '../errors.ts';
import type { CheckContext } from './context.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each family's file
export interface Measurements {}

/**
 * The family's blocks of report.json (schema/report.schema.json), also filled in by each family's
 * file; the report (report/json.ts) is its fixed head, these sections and the data's drift.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each family's file
export interface ReportSections {}

export type Product = keyof Measurements;

/** The modes a family can run in: `validate`, and `load` (`model-gate load`, the load test alone). */
export type FamilyMode = CheckContext['mode'];

/** What the run must have for a family to run at all; without it the family does not run. */
export type Requirement = 'baseline' | 'drift_data' | 'slice_columns';

export interface FamilyOutcome {
  checks: CheckResult[];
  /** Only the products the family declares. */
  produced?: Partial<Measurements>;
}

export interface Family {
  /** The prefix of its `<id>.run` row when it cannot run, and its category. */
  id: string;
  modes: readonly FamilyMode[];
  requires?: readonly Requirement[];
  /** What it cannot do without: their producers run first, for it, even when not enabled themselves. */
  needs?: readonly Product[] | ((ctx: CheckContext) => readonly Product[]);
  /** What it reads when it is there: it runs after their producers, but does not make them run. */
  reads?: readonly Product[];
  produces?: readonly Product[];
  /** Whether its checklist rows are wanted; a disabled family still runs when another needs what it produces. */
  enabled(ctx: CheckContext): boolean;
  /** It only produces for others and has no checklist rows (it is not listed when the model did not load). */
  internal?: boolean;
  run(ctx: CheckContext, got: Inputs): Promise<FamilyOutcome>;
  /** Its sections of report.json from what it produced, also when it did not run (then their empty form). */
  report?: (measured: Readonly<Measurements>, config: GateConfig) => Partial<ReportSections>;
}

/** What a family receives of the others. */
export interface Inputs {
  /** Everything produced so far; a product is absent when its family did not run or failed. */
  readonly measured: Readonly<Measurements>;
  /** A product the family needs: throws its producer's own error when it is missing. */
  need<P extends Product>(product: P): Exclude<Measurements[P], undefined>;
}

const REQUIREMENT: Record<Requirement, (ctx: CheckContext) => boolean> = {
  baseline: (ctx) => ctx.baseline !== null,
  drift_data: (ctx) => ctx.drift !== null,
  slice_columns: (ctx) => ctx.sliceColumns !== undefined,
};

const needsOf = (f: Family, ctx: CheckContext): readonly Product[] => (typeof f.needs === 'function' ? f.needs(ctx) : (f.needs ?? []));
const after = (f: Family, ctx: CheckContext): readonly Product[] => [...needsOf(f, ctx), ...(f.reads ?? [])];

export interface PlannedFamily {
  family: Family;
  /** False when it runs only for what it produces: its checklist rows are dropped. */
  reported: boolean;
}

/**
 * The families a run executes, in order: the enabled ones that can run in this mode, the
 * producers of what they need (transitively), each after its producers, ties in registry order.
 * A cycle in the declarations is a programming error and throws.
 */
export function planFamilies(registry: readonly Family[], ctx: CheckContext): PlannedFamily[] {
  const available = registry.filter((f) => f.modes.includes(ctx.mode) && (f.requires ?? []).every((r) => REQUIREMENT[r](ctx)));
  const producer = new Map<Product, Family>();
  for (const f of available) for (const p of f.produces ?? []) if (!producer.has(p)) producer.set(p, f);
  const reported = new Set(available.filter((f) => f.enabled(ctx)));
  const chosen = new Set<Family>();
  const pending = [...reported];
  while (pending.length > 0) {
    const f = pending.pop()!;
    if (chosen.has(f)) continue;
    chosen.add(f);
    for (const need of needsOf(f, ctx)) {
      const p = producer.get(need);
      if (p && p !== f && !chosen.has(p)) pending.push(p);
    }
  }
  // Kahn's algorithm, always taking the earliest family in the registry whose producers have run.
  const order: Family[] = [];
  const done = new Set<Family>();
  const waiting = available.filter((f) => chosen.has(f));
  while (waiting.length > 0) {
    const next = waiting.findIndex((f) =>
      after(f, ctx).every((product) => {
        const p = producer.get(product);
        return !p || p === f || !chosen.has(p) || done.has(p);
      }),
    );
    if (next < 0) throw new Error(`the check families' declarations form a cycle: ${waiting.map((f) => f.id).join(', ')}`);
    const [f] = waiting.splice(next, 1);
    order.push(f!);
    done.add(f!);
  }
  return order.map((family) => ({ family, reported: reported.has(family) }));
}

/**
 * Runs the planned families; a family that throws is one errored blocker (`<id>.run`, when its
 * rows are wanted), and the others still run without what it would have produced.
 */
export async function runFamilies(registry: readonly Family[], ctx: CheckContext, measured: Measurements): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const failed = new Map<Product, unknown>();
  const got: Inputs = {
    measured,
    need(product) {
      const value = measured[product];
      if (value !== undefined) return value as Exclude<Measurements[typeof product], undefined>;
      if (failed.has(product)) throw failed.get(product);
      throw new Error(`nothing produced ${product}: no family that makes it ran`);
    },
  };
  for (const { family, reported } of planFamilies(registry, ctx)) {
    try {
      const outcome = await family.run(ctx, got);
      const undeclared = Object.keys(outcome.produced ?? {}).filter((k) => !(family.produces ?? []).includes(k as Product));
      if (undeclared.length > 0) throw new Error(`the ${family.id} family produced ${undeclared.join(', ')}, which it does not declare`);
      Object.assign(measured, outcome.produced);
      if (reported) for (const c of outcome.checks) checks.push(c);
    } catch (error) {
      for (const p of family.produces ?? []) failed.set(p, error);
      if (reported) checks.push(errored(`${family.id}.run`, family.id, 'blocker', `${family.id} checks could not run: ${getErrorMessage(error)}`));
    }
  }
  return checks;
}

/** Every family with checklist rows skipped: the model did not load, so none could run. */
export const familiesNotRun = (registry: readonly Family[]): CheckResult[] =>
  registry.filter((f) => !f.internal).map((f) => skipped(`${f.id}.run`, f.id, 'info', 'not run: the model did not load'));

/** Every family's report sections, in registry order. */
export function reportSections(registry: readonly Family[], measured: Readonly<Measurements>, config: GateConfig): ReportSections {
  const sections: Partial<ReportSections> = {};
  for (const f of registry) Object.assign(sections, f.report?.(measured, config));
  // Each section's family is in the registry (the report schema's test would miss a required one).
  return sections as ReportSections;
}

/**
 * Whether any family of the mode could use what the run would have to prepare before the model
 * runs (open a baseline, read and measure drift data): `load` mode neither opens the baseline nor
 * reads the reference, because none of its families requires them.
 */
export const modeRequires = (registry: readonly Family[], mode: FamilyMode, requirement: Requirement): boolean =>
  registry.some((f) => f.modes.includes(mode) && (f.requires ?? []).includes(requirement));
