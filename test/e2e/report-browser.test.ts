/**
 * report.html and the Mermaid charts in a real browser (Debian's headless Chromium through
 * playwright-core): for GO, NO-GO and DELAY, a classifier and a regressor, with drift, the page
 * renders without console errors and holds each chart it should; every Mermaid block of the PR
 * comment and the job summary is parsed and drawn by the `mermaid` package, so a syntax error
 * fails here rather than on GitHub. Screenshots go to a temporary directory, or to
 * MODEL_GATE_SCREENSHOTS (`MODEL_GATE_SCREENSHOTS=docs/images npx vitest run test/e2e/report-browser.test.ts`
 * refreshes the pictures the README shows).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { marked } from 'marked';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reportSchema from '../../schema/report.schema.json' with { type: 'json' };
import type { Report } from '../../src/report/json.ts';
import { renderComment } from '../../src/report/comment.ts';
import { cli } from '../support/cli.ts';
import { CHROMIUM, skipWithout } from '../support/tools.ts';

const skip = skipWithout('chromium');
const IRIS = 'examples/iris';
const TORCH = 'test/fixtures/models/torch';
const MERMAID = resolve('node_modules/mermaid/dist/mermaid.min.js');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let work: string;
let shots: string;

beforeAll(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'mg-browser-'));
  shots = process.env.MODEL_GATE_SCREENSHOTS ? resolve(process.env.MODEL_GATE_SCREENSHOTS) : join(work, 'shots');
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM!, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

interface Run {
  report: Report;
  html: string;
  summary: string;
  comment: string;
}

async function validate(name: string, args: string[]): Promise<Run> {
  const out = join(work, name);
  const r = await cli(['validate', '--out', out, ...args]);
  expect(r.stderr, name).not.toMatch(/TypeError|ReferenceError|\n\s+at /);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  // The fields the pictures read (drift histograms, reliability bins) are in the published schema.
  const valid = new Ajv({ allowUnionTypes: true }).compile(reportSchema);
  expect(valid(report), JSON.stringify(valid.errors)).toBe(true);
  return {
    report,
    html: join(out, 'report.html'),
    summary: readFileSync(join(out, 'summary.md'), 'utf8'),
    comment: renderComment(report, { id: name, links: { summary: null, artifact: null } }),
  };
}

/** The iris config with latency limits no model meets, as warnings: a DELAY. */
function delayConfig(): string {
  const cfg = join(work, 'delay.yml');
  const iris = readFileSync(`${IRIS}/model-gate.yml`, 'utf8');
  writeFileSync(cfg, iris.replace(/ {2}latency:\n {4}limits:\n(?: {6}.*\n)+/, '  latency:\n    severity: warning\n    limits:\n      "1": { p95_ms: 0.000001 }\n'));
  return cfg;
}

/** The regressor's evaluation rows with the feature shifted: drift against the original rows as reference. */
function shiftedRegression(): string {
  const [head, ...rows] = readFileSync(`${TORCH}/one_d.csv`, 'utf8').trim().split('\n');
  const x = head!.split(',').indexOf('x');
  const shifted = rows.map((r) => r.split(',').map((v, i) => (i === x ? String(Number(v) * 1.3 + 0.4) : v)).join(','));
  const file = join(work, 'one_d_shifted.csv');
  writeFileSync(file, [head, ...shifted].join('\n') + '\n');
  const cfg = join(work, 'regression.yml');
  writeFileSync(cfg, `model:\n  path: ${TORCH}/one_d.onnx\ndata:\n  eval: ${file}\n  label: target\n  reference: ${TORCH}/one_d.csv\nchecks:\n  latency: { warmup: 1, iterations: 20 }\n`);
  return cfg;
}

/** Opens report.html, collecting console errors and failed requests (there must be none: the page is self-contained). */
async function open(file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1120, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) errors.push(`fetched ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href);
  return { page, errors };
}

/** The browser's globals, typed here: the project's TypeScript has no DOM library. */
type BrowserGlobal = { document: { documentElement: { scrollHeight: number } }; mermaid: Mermaid };
interface Mermaid {
  initialize(o: object): void;
  parse(t: string): Promise<unknown>;
  render(id: string, t: string): Promise<{ svg: string }>;
  run(): Promise<void>;
}
const pageHeight = (page: Page) => page.evaluate(() => (globalThis as unknown as BrowserGlobal).document.documentElement.scrollHeight);

const charts = (page: Page) => page.$$eval('svg.chart', (els) => els.map((e) => e.getAttribute('data-chart')));

/** Every element of every chart lies on the page with a size: nothing drawn at NaN or off the canvas. */
async function expectDrawn(page: Page): Promise<void> {
  const bad = await page.$$eval('svg.chart', (svgs) =>
    svgs.flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      const out: string[] = [];
      if (box.width < 50 || box.height < 50) out.push(`${svg.getAttribute('data-chart')}: ${box.width}×${box.height}`);
      for (const el of svg.querySelectorAll('rect,circle,path,line,text')) {
        for (const a of ['x', 'y', 'width', 'height', 'cx', 'cy', 'r', 'd', 'x1', 'x2', 'y1', 'y2']) {
          const v = el.getAttribute(a);
          if (v !== null && /NaN|Infinity|undefined/.test(v)) out.push(`${svg.getAttribute('data-chart')}: <${el.tagName} ${a}="${v}">`);
        }
      }
      return out;
    }),
  );
  expect(bad).toEqual([]);
}

async function screenshot(page: Page, name: string): Promise<void> {
  // The top of the page: the verdict, what blocks and warns, and the first charts; small enough to commit.
  const height = await pageHeight(page);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: 1120, height: Math.min(height, 1700) } });
}

/** The Mermaid blocks of a Markdown text, parsed and drawn by the mermaid package in a blank page. */
async function mermaidProblems(markdown: string): Promise<{ blocks: number; problems: string[] }> {
  const blocks = [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  if (blocks.length === 0) return { blocks: 0, problems: [] };
  const page = await browser.newPage();
  try {
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: MERMAID });
    const problems = await page.evaluate(async (texts) => {
      const m = (globalThis as unknown as BrowserGlobal).mermaid;
      m.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const out: string[] = [];
      for (const [i, t] of texts.entries()) {
        try {
          await m.parse(t);
          const { svg } = await m.render(`m${i}`, t);
          if (!svg.includes('<svg')) out.push(`block ${i}: no SVG`);
        } catch (e) {
          out.push(`block ${i}: ${String((e as Error).message ?? e)}\n${t}`);
        }
      }
      return out;
    }, blocks);
    return { blocks: blocks.length, problems };
  } finally {
    await page.close();
  }
}

/** The PR comment as GitHub shows it, roughly: Markdown to HTML, Mermaid blocks drawn; for the README's picture. */
async function commentScreenshot(comment: string, name: string): Promise<void> {
  const body = (await marked.parse(comment.replace(/^```mermaid\n([\s\S]*?)^```$/gm, (_m, t: string) => `<pre class="mermaid">${t.replace(/</g, '&lt;')}</pre>`))) as string;
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  try {
    await page.setContent(
      `<!doctype html><html><head><meta charset="utf-8"><style>body{font:14px/1.5 -apple-system,Segoe UI,system-ui,sans-serif;color:#1f2328;max-width:860px;margin:16px auto;padding:16px;border:1px solid #d0d7de;border-radius:6px}table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 10px}th{background:#f6f8fa}code{background:#eff1f3;padding:1px 4px;border-radius:4px;font-size:12px}h2,h3{border-bottom:1px solid #d8dee4;padding-bottom:4px}pre.mermaid{background:none}</style></head><body>${body}</body></html>`,
    );
    await page.addScriptTag({ path: MERMAID });
    await page.evaluate(async () => {
      const m = (globalThis as unknown as BrowserGlobal).mermaid;
      m.initialize({ startOnLoad: false });
      await m.run();
    });
    const height = await pageHeight(page);
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: 900, height: Math.min(height, 1500) } });
  } finally {
    await page.close();
  }
}

describe.skipIf(skip)('report.html in headless Chromium', () => {
  it('classifier, GO, with a baseline and drift: every chart drawn, confusion matrix cells, no console errors', async () => {
    const run = await validate('go-classifier', ['--config', `${IRIS}/model-gate.yml`]);
    expect(run.report.decision).toBe('GO');
    const { page, errors } = await open(run.html);
    try {
      await expect(page.locator('h1').textContent()).resolves.toContain('GO');
      expect(await charts(page)).toEqual(expect.arrayContaining(['confusion', 'per-class', 'reliability', 'latency', 'psi', 'distribution']));
      // Three classes, candidate and baseline: 2 × 3 × 3 cells, each with its count.
      const cells = page.locator('svg[data-chart="confusion"] g.cm-cell');
      expect(await cells.count()).toBe(18);
      const m = run.report.metrics!.candidate.confusion_matrix as number[][];
      expect(await cells.first().getAttribute('data-count')).toBe(String(m[0]![0]));
      expect(await page.locator('svg[data-chart="reliability"] circle.rel-dot').count()).toBeGreaterThan(0);
      expect(await page.locator('svg[data-chart="latency"] [data-gated="p95"]').count()).toBe(1);
      // 90 vs 60 rows: PSI above the lines but within its sampling noise, so nothing gates; the chart says so.
      expect(run.report.drift!.features.every((f) => f.psi_level === 'ok')).toBe(true);
      expect(await page.locator('svg[data-chart="psi"] .psi-noise').count()).toBe(4);
      await expect(page.locator('figure:has(svg[data-chart="psi"]) figcaption').textContent()).resolves.toMatch(/\d pale bars pass a line but are within noise, so they do not gate/);
      await expectDrawn(page);
      await screenshot(page, 'report-go-classifier');
      await page.locator('figure:has(svg[data-chart="confusion"])').screenshot({ path: join(shots, 'chart-confusion.png') });
      await page.locator('figure:has(svg[data-chart="latency"])').screenshot({ path: join(shots, 'chart-latency.png') });
      await page.locator('h3:has-text("Distributions") + p + div.charts').screenshot({ path: join(shots, 'chart-distributions.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
    for (const [face, text] of [['comment', run.comment], ['summary', run.summary]] as const) {
      const { blocks, problems } = await mermaidProblems(text);
      expect(blocks, face).toBeGreaterThan(0);
      expect(problems, face).toEqual([]);
    }
    await commentScreenshot(run.comment, 'comment-go');
  }, 120_000);

  it('classifier, NO-GO: the worse model as candidate; blockers listed, matrices side by side', async () => {
    const run = await validate('nogo-classifier', ['--config', `${IRIS}/model-gate.yml`, '--model', `${IRIS}/baseline.onnx`, '--baseline', `${IRIS}/model.onnx`]);
    expect(run.report.decision).toBe('NO-GO');
    const { page, errors } = await open(run.html);
    try {
      expect(await page.locator('li.blocker').count()).toBeGreaterThan(0);
      expect(await page.locator('svg[data-chart="confusion"] g.cm-cell').count()).toBe(18);
      expect(await page.locator('svg[data-chart="per-class"] circle.pc-dot').count()).toBe(9);
      await expectDrawn(page);
      await screenshot(page, 'report-nogo-classifier');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
    for (const text of [run.comment, run.summary]) expect((await mermaidProblems(text)).problems).toEqual([]);
    await commentScreenshot(run.comment, 'comment-nogo');
  }, 120_000);

  it('classifier, DELAY: warnings only', async () => {
    const run = await validate('delay-classifier', ['--config', delayConfig()]);
    expect(run.report.decision).toBe('DELAY');
    const { page, errors } = await open(run.html);
    try {
      expect(await page.locator('li.warning').count()).toBeGreaterThan(0);
      expect(await page.locator('li.blocker').count()).toBe(0);
      expect(await charts(page)).toEqual(expect.arrayContaining(['confusion', 'latency', 'psi']));
      await expectDrawn(page);
      await screenshot(page, 'report-delay-classifier');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
    for (const text of [run.comment, run.summary]) expect((await mermaidProblems(text)).problems).toEqual([]);
  }, 120_000);

  it('regressor with a drifted feature: histograms of reference and current, no classifier charts', async () => {
    const run = await validate('regressor-drift', ['--config', shiftedRegression()]);
    expect(run.report.metrics!.task).toBe('regression');
    const x = run.report.drift!.features.find((f) => f.name === 'x')!;
    expect(x.status).toBe('drifted');
    expect(x.histogram!.reference.length).toBe(x.histogram!.current.length);
    const { page, errors } = await open(run.html);
    try {
      const kinds = await charts(page);
      expect(kinds).toEqual(expect.arrayContaining(['psi', 'distribution']));
      expect(kinds).not.toContain('confusion');
      expect(kinds).not.toContain('reliability');
      // The feature x, and the model's predictions, which drifted with it.
      expect(run.report.drift!.predictions!.reference_vs_current.find((f) => f.name === 'prediction')!.status).toBe('drifted');
      expect(kinds.filter((k) => k === 'distribution')).toHaveLength(2);
      const first = page.locator('svg[data-chart="distribution"]').first();
      await expect(first.locator('title').first().textContent()).resolves.toBe('x: reference against current');
      expect(await first.locator('rect').count()).toBeGreaterThan(10);
      await expectDrawn(page);
      await screenshot(page, 'report-regressor-drift');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
    for (const text of [run.comment, run.summary]) expect((await mermaidProblems(text)).problems).toEqual([]);
  }, 120_000);

  it('drift alone (model-gate drift --out): the drift page with its PSI chart and distributions', async () => {
    const out = join(work, 'drift-only');
    const r = await cli(['drift', '--reference', `${IRIS}/reference.csv`, '--current', `${IRIS}/eval.csv`, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { page, errors } = await open(join(out, 'report.html'));
    try {
      await expect(page.locator('h1').textContent()).resolves.toContain('model-gate drift');
      const kinds = await charts(page);
      expect(kinds.filter((k) => k === 'distribution')).toHaveLength(5); // four measurements and the species column
      expect(kinds).toContain('psi');
      await expectDrawn(page);
      await screenshot(page, 'report-drift-only');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('a Mermaid syntax error is caught: the check is not vacuous', async () => {
    const { problems } = await mermaidProblems('```mermaid\nxychart-beta\n  x-axis ["a"], "b"]\n  bar [1]\n```\n');
    expect(problems).toHaveLength(1);
  }, 60_000);
});
