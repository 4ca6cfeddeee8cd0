/**
 * The family engine runs families in the order their declarations imply (producers before their
 * readers, whatever the registry's order), runs a disabled producer only for a family that needs
 * what it makes, and the registry's declarations are complete: every need has one producer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../../src/checks/index.ts';
import { planFamilies, reportSections, runFamilies, type Family, type Measurements } from '../../src/checks/family.ts';
import type { CheckContext } from '../../src/checks/context.ts';
import { result } from '../../src/core/check-result.ts';
import { parseConfig } from '../../src/config/load.ts';
import { adjust } from '../../src/stats/multiplicity.ts';
import type { Report } from '../../src/report/json.ts';
import { byId, cli } from '../support/cli.ts';

const ctx = (over: Partial<CheckContext> = {}): CheckContext =>
  ({ mode: 'validate', config: parseConfig('', 'inline'), baseline: null, drift: null, labels: null, progress: () => undefined, ...over }) as CheckContext;

/** A family that records when it ran and produces `produces` (as the Measurements keys of real families). */
function toy(id: string, over: Partial<Family>, ran: string[]): Family {
  return {
    id,
    modes: ['validate'],
    enabled: () => true,
    ...over,
    async run() {
      ran.push(id);
      const produced = Object.fromEntries((over.produces ?? []).map((p) => [p, id])) as Partial<Measurements>;
      return { checks: [result({ id: `${id}.done`, category: id, severity: 'blocker', status: 'pass', message: id })], produced };
    },
  };
}

describe('the family engine', () => {
  it('runs a producer before the family that needs it, even when listed after it', async () => {
    const ran: string[] = [];
    const registry = [toy('reader', { needs: ['load'] }, ran), toy('maker', { produces: ['load'] }, ran)];
    const checks = await runFamilies(registry, ctx(), {});
    expect(ran).toEqual(['maker', 'reader']);
    expect(checks.map((c) => c.id)).toEqual(['maker.done', 'reader.done']);
  });

  it('runs a disabled producer for a family that needs it, without its rows; not for one that only reads it', async () => {
    const ran: string[] = [];
    const maker = toy('maker', { produces: ['load'], enabled: () => false }, ran);
    const needs = await runFamilies([maker, toy('reader', { needs: ['load'] }, ran)], ctx(), {});
    expect(ran).toEqual(['maker', 'reader']);
    expect(needs.map((c) => c.id)).toEqual(['reader.done']);
    ran.length = 0;
    await runFamilies([maker, toy('reader', { reads: ['load'] }, ran)], ctx(), {});
    expect(ran).toEqual(['reader']);
  });

  it('runs only the families of the mode, and none whose requirement the run lacks', () => {
    const ran: string[] = [];
    const registry = [toy('both', { modes: ['validate', 'load'] }, ran), toy('validate-only', {}, ran), toy('with-baseline', { requires: ['baseline'] }, ran)];
    expect(planFamilies(registry, ctx({ mode: 'load' })).map((p) => p.family.id)).toEqual(['both']);
    expect(planFamilies(registry, ctx()).map((p) => p.family.id)).toEqual(['both', 'validate-only']);
  });

  it('a family that fails is one errored blocker, and a family needing its product fails with its cause', async () => {
    const failing: Family = { id: 'maker', modes: ['validate'], produces: ['load'], enabled: () => true, run: () => Promise.reject(new Error('the model crashed')) };
    const reader: Family = { id: 'reader', modes: ['validate'], needs: ['load'], enabled: () => true, run: async (_c, got) => ({ checks: [], produced: { x: got.need('load') } as Partial<Measurements> }) };
    const checks = await runFamilies([reader, failing], ctx(), {});
    expect(checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['maker.run', 'error', 'maker checks could not run: the model crashed'],
      ['reader.run', 'error', 'reader checks could not run: the model crashed'],
    ]);
  });

  it('refuses a product the family does not declare, and a cycle in the declarations', async () => {
    const sneaky: Family = { id: 'sneaky', modes: ['validate'], enabled: () => true, run: async () => ({ checks: [], produced: { load: undefined } }) };
    expect((await runFamilies([sneaky], ctx(), {}))[0]!.message).toMatch(/produced load, which it does not declare/);
    const ran: string[] = [];
    const circle = [toy('a', { needs: ['load'], produces: ['slices'] }, ran), toy('b', { needs: ['slices'], produces: ['load'] }, ran)];
    expect(() => planFamilies(circle, ctx())).toThrow(/form a cycle: a, b/);
  });
});

describe('the registry', () => {
  it('every product has one producer and every need a producer; the plan of a full run has no cycle', () => {
    const producers = FAMILIES.flatMap((f) => (f.produces ?? []).map((p) => [p, f.id] as const));
    expect(new Set(producers.map(([p]) => p)).size).toBe(producers.length);
    const made = new Set(producers.map(([p]) => p));
    for (const f of FAMILIES) {
      const needs = typeof f.needs === 'function' ? [] : (f.needs ?? []);
      for (const n of [...needs, ...(f.reads ?? [])]) expect(made.has(n), `${f.id} needs ${n}`).toBe(true);
    }
    const full = ctx({ baseline: {} as CheckContext['baseline'], drift: {} as CheckContext['drift'], sliceColumns: new Map() });
    const order = planFamilies(FAMILIES, full).map((p) => p.family.id);
    expect(order.indexOf('predictions')).toBeLessThan(order.indexOf('outputs'));
    expect(order.indexOf('metrics')).toBeLessThan(order.indexOf('comparison'));
    expect(order.indexOf('comparison')).toBeLessThan(order.indexOf('drift'));
    expect(order.indexOf('latency')).toBeLessThan(order.indexOf('resources'));
  });

  it("each family writes its report.json sections, in their empty form when it did not run", () => {
    expect(reportSections(FAMILIES, {}, parseConfig('', 'inline'))).toEqual({ latency: [], error_scenarios: [], metrics: null, comparison: null, latency_comparison: null, load: null });
  });

  it('with metrics.enabled false, labels and a baseline, the comparison still compares the metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-families-'));
    const config = join(dir, 'gate.yml');
    writeFileSync(
      config,
      ['model: { path: examples/iris/model.onnx }', 'baseline: examples/iris/baseline.onnx', 'data: { eval: examples/iris/eval.csv, label: species }', 'metrics: { enabled: false }', 'checks: { latency: { enabled: false } }', 'comparison: { latency: { enabled: false } }'].join('\n'),
    );
    const r = await cli(['validate', '--config', config, '--json', '--out', join(dir, 'out')]);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.checks.some((c) => c.id.startsWith('metrics.'))).toBe(false);
    expect(byId(report, 'comparison.accuracy').status).toBe('pass');
    expect(report.comparison?.metrics).toHaveProperty('accuracy');
  });
});

describe('fail closed when the metrics family runs only for the comparison', () => {
  it('with metrics.enabled false and labels the candidate cannot be evaluated on, comparison.metrics blocks with the cause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-families-'));
    const config = join(dir, 'gate.yml');
    writeFileSync(config, ['model: { path: examples/iris/model.onnx }', 'baseline: examples/iris/baseline.onnx', 'data: { eval: examples/iris/eval.csv, label: sepal_length }', 'metrics: { enabled: false }', 'checks: { latency: { enabled: false } }', 'comparison: { latency: { enabled: false } }'].join('\n'));
    const r = await cli(['validate', '--config', config, '--json', '--out', join(dir, 'out')]);
    const report = JSON.parse(r.stdout) as Report;
    expect(byId(report, 'comparison.metrics')).toMatchObject({ status: 'error', severity: 'blocker' });
    expect(byId(report, 'comparison.metrics').message).toMatch(/cannot be evaluated on the labels: .*label column "sepal_length" holds values the model does not predict/);
    expect(report.decision).toBe('NO-GO');
  });
});

describe('drift warnings of a run are one multiplicity family', () => {
  it("the features', label's and predictions' p-values are adjusted together (Holm over all of them); the baseline's items apart", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-families-'));
    const config = join(dir, 'gate.yml');
    writeFileSync(config, ['model: { path: examples/iris/model.onnx }', 'baseline: examples/iris/baseline.onnx', 'data: { eval: examples/iris/eval.csv, label: species, reference: examples/iris/reference.csv }', 'checks: { latency: { enabled: false } }', 'comparison: { latency: { enabled: false } }'].join('\n'));
    const r = await cli(['validate', '--config', config, '--json', '--out', join(dir, 'out')]);
    const drift = (JSON.parse(r.stdout) as Report).drift!;
    const family = [...drift.features, ...(drift.label ? [drift.label] : []), ...drift.predictions!.reference_vs_current].filter((f) => f.status === 'stable' || f.status === 'drifted');
    expect(family.length).toBe(4 + 1 + 2); // four features, the label, the predicted class and score
    const holm = adjust(family.map((f) => f.p_value!), 'holm');
    family.forEach((f, i) => expect(f.p_adjusted, f.name).toBeCloseTo(holm[i]!, 12));
    const apart = drift.predictions!.baseline_vs_candidate.filter((f) => f.status === 'stable' || f.status === 'drifted');
    const own = adjust(apart.map((f) => f.p_value!), 'holm');
    apart.forEach((f, i) => expect(f.p_adjusted, f.name).toBeCloseTo(own[i]!, 12));
    // The checklist rows say the same as the report's items.
    for (const f of drift.features) expect(byId(JSON.parse(r.stdout) as Report, `drift.feature.${f.name}`).message).toContain(f.message.slice(0, 20));
  });
});
