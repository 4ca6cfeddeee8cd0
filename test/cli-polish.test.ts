/**
 * The CLI's manners (issue #16): "did you mean" for commands and flags, help that names what the
 * command writes, a plain message for a missing config; `init` (a starter config that loads and
 * gates), and the previews: the PR comment body, drift files, reports re-rendered from JSON.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import pkg from '../package.json' with { type: 'json' };
import { loadConfigFile } from '../src/config/load.ts';
import { ReportFiles } from '../src/constants.ts';
import { renderComment } from '../src/report/comment.ts';
import { renderHtml } from '../src/report/html.ts';
import type { Report } from '../src/report/json.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { cli } from './support/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'model-gate-cli-polish-'));
const IRIS = 'examples/iris';
const STREAM = 'test/fixtures/models/torch/stream_named.onnx';

describe('did you mean', () => {
  it('suggests the command a typo meant, and only a near one', async () => {
    const r = await cli(['validat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "validat"; did you mean "validate"?');
    expect((await cli(['inti'])).stderr).toContain('did you mean "init"?');
    expect((await cli(['zzzz'])).stderr).not.toContain('did you mean');
  });

  it('suggests the flag a typo meant, among the flags of that command', async () => {
    const r = await cli(['validate', '--modle', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --modle for model-gate validate; did you mean --model?');
    expect((await cli(['drift', '--referense', 'a'])).stderr).toContain('did you mean --reference?');
    expect((await cli(['validate', '--comment-preveiw', 'x'])).stderr).toContain('did you mean --comment-preview?');
  });
});

describe('help is true to what each command writes', () => {
  it('load and validate name the four report files; nobody promises load.json', async () => {
    for (const command of ['validate', 'load']) {
      const help = (await cli([command, '--help'])).stdout;
      expect(help).not.toContain('load.json');
      for (const file of Object.values(ReportFiles)) expect(help.replace(/\s+/g, ' ')).toContain(file);
    }
    expect((await cli(['drift', '--help'])).stdout).toMatch(/--out DIR\s+also write report\.json .* and summary\.md/);
    expect((await cli(['--help'])).stdout).toMatch(/model-gate init --model FILE/);
  });

  it('a missing config file named on the command line: a plain message, no line:column', async () => {
    const r = await cli(['validate', '--config', 'nope.yml', '--model', `${IRIS}/model.onnx`]);
    expect(r).toMatchObject({ code: 2, stderr: 'model-gate: config file not found: nope.yml\n' });
  });
});

describe('model-gate init', () => {
  it('iris: the starter config loads, names the signature, and gates the eval data GO', async () => {
    const out = join(work, 'iris', 'model-gate.yml');
    const r = await cli(['init', '--model', `${IRIS}/model.onnx`, '--out', out, '--data', `${IRIS}/eval.csv`, '--label', 'species']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=https://raw.githubusercontent.com/model-gate/model-gate/v${pkg.version}/schema/model-gate.schema.json`);
    expect(text).toContain('#   float_input: float32[N, 4]');
    expect(text).not.toMatch(/^ {2}inputs:/m); // no input needs a mapping
    const config = loadConfigFile(out).config;
    expect(config.model.outputs).toEqual({ probabilities: { kind: 'probabilities' }, label: { kind: 'labels' } });
    expect(config.data).toMatchObject({ eval: `${IRIS}/eval.csv`, label: 'species' });

    const run = await cli(['validate', '--config', out, '--out', join(work, 'iris', 'reports'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ decision: 'GO', metrics: { candidate: { accuracy: expect.any(Number) } } });
  });

  it('refuses to overwrite a file unless --force', async () => {
    const out = join(work, 'exists.yml');
    writeFileSync(out, 'version: 1\n');
    const r = await cli(['init', '--model', `${IRIS}/model.onnx`, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exists: model-gate init does not overwrite it (pass --force to replace it)');
    expect(readFileSync(out, 'utf8')).toBe('version: 1\n');
    expect((await cli(['init', '--model', `${IRIS}/model.onnx`, '--out', out, '--force'])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('# yaml-language-server');
  });

  it('a model whose inputs need a mapping: the inputs.mapping snippet, commented with TODO, and the file still loads', async () => {
    const out = join(work, 'stream.yml');
    const r = await cli(['init', '--model', STREAM, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('fill in the TODO lines');
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('# TODO: the gate cannot feed every input on its own');
    expect(text).toContain('  # inputs:');
    expect(text).toMatch(/^ {2}# {3}x: \{ shape: \[<samples>\] \}/m);
    expect(text).toMatch(/^ {2}# {3}sr: \{ value: <value> \}/m);
    expect(loadConfigFile(out).config.model.inputs).toBeUndefined();

    // The same snippet as the failing check's hint: init and validate say the same thing.
    const run = await cli(['validate', '--config', out, '--out', join(work, 'stream-reports'), '--json']);
    expect(run.code, run.stderr).not.toBe(2); // not a config error
    const mapping = (JSON.parse(run.stdout) as Report).checks.find((c) => c.id === 'inputs.mapping')!;
    const hint = String(mapping.hint).split('\n').filter((l) => l.startsWith('  ')); // the snippet under model:
    const uncommented = text.split('\n').filter((l) => l.startsWith('  # ') && /^ {2}# {1,3}(inputs:|\w+: \{)/.test(l)).map((l) => l.replace(/^ {2}# /, '  '));
    expect(uncommented).toEqual(hint);
    // Filled in and uncommented, the snippet is valid config.
    const filled = text.replace(/^ {2}# (inputs:| {2}\w+: \{.*)$/gm, '  $1').replace('<samples>', '16000').replace('<value>', '16000');
    expect(parse(filled).model.inputs).toMatchObject({ x: { shape: [16000] }, sr: { value: 16000 } });
  });

  it('needs --model; a missing model is named', async () => {
    expect((await cli(['init'])).stderr).toContain('model-gate init needs --model FILE');
    const r = await cli(['init', '--model', join(work, 'absent.onnx'), '--out', join(work, 'absent.yml')]);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining('absent.onnx: file not found') });
    expect(existsSync(join(work, 'absent.yml'))).toBe(false);
  });
});

describe('previews', () => {
  const reports = join(work, 'validate');
  const preview = join(work, 'comment.md');
  const junit = join(work, 'junit.xml');

  it('validate --comment-preview writes the PR comment body; "reports:" names every file written', async () => {
    const r = await cli(['validate', '--config', `${IRIS}/model-gate.yml`, '--out', reports, '--junit', junit, '--comment-preview', preview]);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('reports: '))!;
    const named = line.slice('reports: '.length).split(', ');
    expect(named).toEqual([...['report.json', 'report.html', 'summary.md', 'deployment_manifest.yaml'].map((f) => join(reports, f)), junit, preview]);
    expect(readdirSync(reports).sort()).toEqual(Object.values(ReportFiles).sort());
    const report = JSON.parse(readFileSync(join(reports, 'report.json'), 'utf8')) as Report;
    // What the action posts: renderComment with the default comment id and no links outside a run.
    const body = renderComment(report, { id: `model-gate:${IRIS}/model-gate.yml`, links: { summary: null, artifact: null } });
    expect(readFileSync(preview, 'utf8')).toBe(body);
    expect(body).toContain('GO');
  });

  it('report re-renders html, summary and manifest from a saved report.json', async () => {
    const again = join(work, 'again');
    const r = await cli(['report', join(reports, 'report.json'), '--out', again]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(reports, 'report.json'), 'utf8')) as Report;
    expect(readFileSync(join(again, 'report.html'), 'utf8')).toBe(renderHtml(report));
    expect(readFileSync(join(again, 'summary.md'), 'utf8')).toBe(renderMarkdown(report));
    expect(readFileSync(join(again, 'deployment_manifest.yaml'), 'utf8')).toBe(readFileSync(join(reports, 'deployment_manifest.yaml'), 'utf8'));
    expect(r.stdout).toContain(join(again, 'summary.md'));
  });

  it('report refuses JSON that is not a model-gate report, with the reason', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ decision: 'GO' }));
    const r = await cli(['report', bad, '--out', join(work, 'bad-out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: not a model-gate report: \(top level\) must have required property/);
    expect(existsSync(join(work, 'bad-out'))).toBe(false);
    expect((await cli(['report'])).stderr).toContain('model-gate report needs one report.json');
  });

  it('drift --out writes report.json (what --json prints), report.html and summary.md', async () => {
    const dir = join(work, 'drift');
    const args = ['drift', '--reference', `${IRIS}/reference.csv`, '--current', `${IRIS}/eval.csv`];
    const r = await cli([...args, '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`reports: ${join(dir, 'report.json')}, ${join(dir, 'report.html')}, ${join(dir, 'summary.md')}`);
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json', 'summary.md']);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('✅ GO — model-gate drift');
    expect(html).toContain('data-chart="psi"');
    expect(html).toContain('data-chart="distribution"');
    const saved = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const printed = JSON.parse((await cli([...args, '--json'])).stdout);
    expect({ ...saved, duration_ms: 0 }).toEqual({ ...printed, duration_ms: 0 });
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary).toContain('## ✅ GO — model-gate drift');
    expect(summary).toContain(`### Drift: \`${IRIS}/eval.csv\` against \`${IRIS}/reference.csv\``);
    expect(summary).toContain('### Checklist');
  });
});
