/**
 * The GitLab CI recipe (examples/ci/gitlab-ci.yml, shown in the README): valid YAML with the keys
 * GitLab needs to show the checklist in a merge request, and its model-gate command, pointed at
 * the iris example, runs: GO, and a JUnit file where the job's `reports: junit:` looks for it.
 */
import { skipWithout } from '../support/tools.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { junitSchemaErrors, xpath } from '../support/xmllint.ts';

interface GitlabJob {
  image: string;
  script: string[];
  allow_failure?: { exit_codes: number[] };
  artifacts: { when: string; paths: string[]; reports: { junit: string } };
}

const RECIPE = 'examples/ci/gitlab-ci.yml';
const job = () => (parse(readFileSync(RECIPE, 'utf8')) as Record<string, GitlabJob>)['model-gate']!;

describe.skipIf(skipWithout('xmllint'))('the GitLab CI recipe', () => {
  it('is a job that keeps the JUnit report whatever the outcome, and lets DELAY through as a warning', () => {
    const j = job();
    expect(j.image).toMatch(/^node:24/);
    expect(j.artifacts.when).toBe('always');
    expect(j.artifacts.reports.junit).toBe('model-gate-report/junit.xml');
    expect(j.artifacts.paths).toContain('model-gate-report/');
    expect(j.allow_failure).toEqual({ exit_codes: [3] });
    const command = j.script.find((line) => line.startsWith('model-gate validate'));
    expect(command).toContain(`--junit ${j.artifacts.reports.junit}`);
  });

  it("runs its command on the iris example: exit 0 (GO), and the JUnit file GitLab reads validates", async () => {
    const j = job();
    const [, ...argv] = j.script.find((line) => line.startsWith('model-gate validate'))!.split(/\s+/);
    // The recipe's paths, swapped to the example and a temporary working directory.
    const work = mkdtempSync(join(tmpdir(), 'mg-gitlab-'));
    const swapped = argv.map((arg, i) =>
      argv[i - 1] === '--config' ? 'examples/iris/model-gate.yml' : arg.startsWith('model-gate-report') ? join(work, arg) : arg,
    );
    const r = await cli(swapped);
    expect(r.code, r.stderr).toBe(0);
    const junit = join(work, j.artifacts.reports.junit);
    expect(r.stdout).toContain(junit);
    expect(junitSchemaErrors(junit)).toBe('');
    expect(xpath(junit, '/testsuites/testsuite/@name')).toBe('model-gate validate: GO');
    const report = JSON.parse(readFileSync(join(work, 'model-gate-report', 'report.json'), 'utf8')) as { checks: unknown[] };
    expect(xpath(junit, 'count(//testcase)')).toBe(String(report.checks.length));
  });
});
