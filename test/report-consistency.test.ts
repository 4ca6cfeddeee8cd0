/**
 * One story everywhere: the PR comment, the job summary, report.html and the terminal list the
 * same blocking and warning checks, in the same order, with the same severities and icons, and the
 * same headline and counts, for reports made by running the CLI on real (and defective) models.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/json.ts';
import { renderComment } from '../src/report/comment.ts';
import { countsText, reportView } from '../src/report/view.ts';
import { cli } from './support/cli.ts';
import { writeModel } from './support/models.ts';

const EXAMPLE = 'examples/iris';
const DATA = ['--data', `${EXAMPLE}/eval.csv`, '--label', 'species'];
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mg-story-'));
});

/** Latency limits no model meets, as warnings: two failing warnings. */
function warningConfig(): string {
  const cfg = join(work, 'warn-latency.yml');
  writeFileSync(cfg, 'checks:\n  latency:\n    iterations: 10\n    warmup: 1\n    severity: warning\n    limits:\n      "1": { p95_ms: 0.000001 }\n      "32": { p95_ms: 0.000001 }\n');
  return cfg;
}

interface Faces {
  report: Report;
  terminal: string;
  summary: string;
  html: string;
  comment: string;
}

async function run(args: string[]): Promise<Faces> {
  const out = mkdtempSync(join(work, 'out-'));
  const r = await cli(['validate', '--out', out, ...args]);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  return {
    report,
    terminal: r.stdout,
    summary: readFileSync(join(out, 'summary.md'), 'utf8'),
    html: readFileSync(join(out, 'report.html'), 'utf8'),
    comment: renderComment(report, { id: 'story', links: { summary: null, artifact: null } }),
  };
}

type Item = [icon: string, id: string, severity: string];
const ICONS = '⛔|💥|⚠️';
const all = (text: string, re: RegExp): Item[] => [...text.matchAll(re)].map((m) => [m[1]!, m[2]!, m[3]!]);

/** The blocking and warning items each face lists, in order. */
function itemsOf(f: Faces): Record<string, Item[]> {
  const md = new RegExp(`^- (${ICONS}) \\*\\*\`([^\`]+)\`\\*\\* \\((blocker|warning)`, 'gmu');
  return {
    terminal: all(f.terminal, new RegExp(`^(${ICONS}) (\\S+) \\((blocker|warning)`, 'gmu')),
    summary: all(f.summary, md),
    comment: all(f.comment, md),
    html: all(f.html, new RegExp(`<li class="(?:blocker|warning)">(${ICONS}) <code>([^<]+)</code> \\((blocker|warning)`, 'gu')),
  };
}

/** What the checklist says should be listed: blockers (failed, then could not run), then warnings. */
function expected(report: Report): Item[] {
  const v = reportView(report);
  return [...v.blockers, ...v.warnings].map((i) => [i.icon, i.id, i.severity]);
}

function expectOneStory(f: Faces) {
  const want = expected(f.report);
  const got = itemsOf(f);
  for (const [face, items] of Object.entries(got)) expect(items, face).toEqual(want);
  const view = reportView(f.report);
  // The saved headline is the one every face shows.
  expect(f.report.headline).toBe(view.headline);
  const counts = countsText(view.counts);
  expect(f.terminal).toContain(view.headline);
  expect(f.terminal).toContain(counts);
  for (const [face, text] of [['summary', f.summary], ['comment', f.comment], ['html', f.html]] as const) {
    expect(text, face).toContain(view.headline.replace(/[&<>]/g, '').split(' — ')[0]);
    expect(text, face).toContain(counts);
  }
  // A warning is never drawn as a failure.
  for (const items of Object.values(got)) for (const [icon, , severity] of items) if (severity === 'warning') expect(icon).toBe('⚠️');
  return want;
}

describe('the comment, summary, report.html and terminal tell one story', () => {
  it('NO-GO with blockers and warnings: blockers first, then warnings, each with what to do next', async () => {
    const f = await run(['--model', writeModel('unnormalisedProbabilities'), '--config', warningConfig(), ...DATA]);
    expect(f.report.decision).toBe('NO-GO');
    const items = expectOneStory(f);
    expect(items.filter((i) => i[2] === 'blocker').length).toBeGreaterThan(0);
    expect(items.filter((i) => i[2] === 'warning').map((i) => i[1])).toEqual(expect.arrayContaining(['latency.batch_1', 'latency.batch_32']));
    expect(items.findIndex((i) => i[2] === 'warning')).toBeGreaterThan(items.findLastIndex((i) => i[2] === 'blocker'));
    for (const text of [f.summary, f.html, f.terminal, f.comment]) {
      expect(text).toContain('Blocks the release');
      expect(text).toContain('a reviewer approves the environment');
    }
  });

  it('DELAY: warnings counted as warnings, never as failures', async () => {
    const f = await run(['--model', `${EXAMPLE}/model.onnx`, '--config', warningConfig()]);
    expect(f.report.decision).toBe('DELAY');
    const items = expectOneStory(f);
    expect(items.map((i) => i[1])).toEqual(['latency.batch_1', 'latency.batch_32']);
    expect(f.report.headline).toMatch(/, 2 warnings(, \d+ skipped)? — DELAY$/);
    expect(f.report.headline).not.toMatch(/failed/);
    for (const text of [f.summary, f.comment]) {
      expect(text).toContain('### ⚠️ Warnings');
      expect(text).not.toContain('### ⛔ Blocking');
    }
  });

  it('GO with notes: nothing listed as blocking or warning anywhere', async () => {
    const f = await run(['--config', `${EXAMPLE}/model-gate.yml`]);
    expect(f.report.decision).toBe('GO');
    expect(expectOneStory(f)).toEqual([]);
    expect(f.report.headline).toMatch(/1 with notes — GO$/);
  });

  it('NO-GO against a baseline, with drift data: comparison blockers, in the same order everywhere', async () => {
    const f = await run(['--config', `${EXAMPLE}/model-gate.yml`, '--model', `${EXAMPLE}/baseline.onnx`, '--baseline', `${EXAMPLE}/model.onnx`]);
    expect(f.report.decision).toBe('NO-GO');
    expect(f.report.drift).not.toBeNull();
    const items = expectOneStory(f);
    expect(items.map((i) => i[1])).toEqual(expect.arrayContaining(['comparison.accuracy.max_regression', 'metrics.accuracy']));
  });

  it('checks that could not run (💥) are blockers everywhere, listed after those that failed', async () => {
    const f = await run(['--model', writeModel('throwsAtInference'), ...DATA]);
    expect(f.report.decision).toBe('NO-GO');
    const items = expectOneStory(f);
    const icons = items.filter((i) => i[2] === 'blocker').map((i) => i[0]);
    expect(icons).toContain('💥');
    expect(icons.indexOf('💥')).toBeGreaterThanOrEqual(icons.lastIndexOf('⛔'));
  });

  it('drift on a regressor: the drift items (blockers and warnings) in the same order everywhere', async () => {
    const TORCH = 'test/fixtures/models/torch';
    const [head, ...rows] = readFileSync(`${TORCH}/one_d.csv`, 'utf8').trim().split('\n');
    const x = head!.split(',').indexOf('x');
    const shifted = join(work, 'one_d_shifted.csv');
    writeFileSync(shifted, [head, ...rows.map((r) => r.split(',').map((v, i) => (i === x ? String(Number(v) * 1.3 + 0.4) : v)).join(','))].join('\n') + '\n');
    const f = await run(['--model', `${TORCH}/one_d.onnx`, '--data', shifted, '--label', 'target', '--reference', `${TORCH}/one_d.csv`]);
    expect(f.report.decision).not.toBe('GO');
    const items = expectOneStory(f);
    expect(items.some((i) => i[1].startsWith('drift.'))).toBe(true);
  });
});
