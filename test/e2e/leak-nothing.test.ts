/**
 * Leak nothing (#18), end to end: dist/index.js as the runner starts it, posting to the GitHub
 * API stand-in. A served model whose endpoint echoes the Authorization header in its error bodies,
 * and a data file that is a link to the process's environment, must not put the endpoint's token
 * or the GitHub token in the comment, the summary, report.json, report.html or the log. Column
 * names built to break Markdown, HTML, Mermaid and our hidden marker must stay inert.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/report/comment.ts';
import { runAction } from '../support/action.ts';
import { FakeGitHub, type Identity } from '../support/github-api.ts';
import { node24, trackedCopy } from '../support/tracked-copy.ts';
import { HOSTILE_NAMES, bareTags, checkMermaid, liveMentions, stripCode, tableProblems } from '../support/hostile.ts';

const BOT: Identity = { login: 'github-actions[bot]', id: 41898282, bot: true, write: true };
const GH_TOKEN = 'ghs_LeakCheck0123456789abcdefghijklmnopqrstuvw';
const MODEL_TOKEN = 'mdl-s3cr3t-0123456789-abcdef';
const HEAD = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

let copy: string;
let node: string;
let github: FakeGitHub;
let echo: Server;
let echoUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  copy = trackedCopy();
  node = node24();
  github = new FakeGitHub('/api/v3');
  await github.start();
  github.addToken(GH_TOKEN, BOT);
  for (let n = 1; n <= 10; n++) github.pulls.set(n, { headSha: HEAD });
  // Every answer is an error that quotes the request's Authorization header, as careless servers do.
  echo = createServer((req: IncomingMessage, res) => {
    const auth = req.headers.authorization ?? '(none)';
    seen.push(auth);
    req.resume();
    res.writeHead(req.method === 'GET' ? 401 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `invalid credentials: Authorization: ${auth} (token ${auth.replace(/^Bearer /, '')}, base64 ${Buffer.from(auth).toString('base64')})` }));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await github?.stop();
  await new Promise((r) => echo?.close(r));
});

afterEach(() => {
  expect(github.violations).toEqual([]);
});

const prEvent = (number: number) => ({
  name: 'pull_request',
  payload: { action: 'synchronize', number, pull_request: { number, head: { sha: HEAD, repo: { full_name: 'acme/models' } }, base: { repo: { full_name: 'acme/models' } } } },
});

const env = { GITHUB_API_URL: '', GITHUB_WORKFLOW_REF: 'acme/models/.github/workflows/gate.yml@refs/pull/7/merge', GITHUB_RUN_ATTEMPT: '1' };

/** What reached the log, without the runner's own mask registrations (the runner consumes those lines). */
const logOf = (stdout: string) => stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');

/** Every output of a run, by name: the comment posted, the summary, the report files, the log. */
function outputsOf(run: { stdout: string; summary: string }, out: string, comment: string): Record<string, string> {
  const file = (name: string) => (existsSync(join(out, name)) ? readFileSync(join(out, name), 'utf8') : '');
  return { comment, summary: run.summary, 'report.json': file('report.json'), 'report.html': file('report.html'), 'summary.md': file('summary.md'), log: logOf(run.stdout) };
}

/** The secret as is, percent-encoded, in base64 alone and inside `Bearer …` in base64. */
const forms = (s: string) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64').slice(0, 24), Buffer.from(`Bearer ${s}`).toString('base64').slice(8, 32)];

function expectNoSecrets(outputs: Record<string, string>, secrets: string[]): void {
  for (const [where, text] of Object.entries(outputs)) {
    for (const secret of secrets) for (const form of forms(secret)) expect(text.includes(form), `${where} holds ${form}`).toBe(false);
  }
}

describe('secrets never leave', () => {
  it('an endpoint echoing its bearer token (header, query string, base64) in its errors: the token reaches no output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-leak-'));
    const out = join(dir, 'out');
    writeFileSync(join(dir, 'gate.yml'), `version: 1\ndata:\n  eval: examples/iris/eval.csv\n  label: species\n`);
    const run = await runAction({
      copy,
      node,
      inputs: {
        config: join(dir, 'gate.yml'),
        'github-token': GH_TOKEN,
        endpoint: `${echoUrl}/?token=${MODEL_TOKEN}`,
        protocol: 'v2',
        'model-name': 'iris',
        headers: 'Authorization: Bearer ${MODEL_TOKEN}',
        out,
      },
      event: prEvent(1),
      env: { ...env, GITHUB_API_URL: github.url, MODEL_TOKEN },
    });
    // The endpoint did receive the token, and did echo it: the test is not vacuous.
    expect(seen.some((a) => a.includes(MODEL_TOKEN))).toBe(true);
    const comment = github.commentsOn(1).find((c) => c.author.login === BOT.login)?.body ?? '';
    expect(comment, run.stdout).toContain('model-gate');
    const outputs = outputsOf(run, out, comment);
    expectNoSecrets(outputs, [MODEL_TOKEN, GH_TOKEN]);
    // What the server said still reaches the report and the comment, masked.
    expect(outputs['report.json']).toMatch(/answered 401[^"]*\*\*\*/);
    expect(comment).toMatch(/answered 401.*\\\*\\\*\\\*/);
  });

  it('a data file linked to /proc/self/environ: no secret-looking variable, nor the GitHub token, reaches any output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-leak-'));
    const out = join(dir, 'out');
    symlinkSync('/proc/self/environ', join(dir, 'environ.csv'));
    writeFileSync(join(dir, 'gate.yml'), `version: 1\nmodel:\n  path: examples/iris/model.onnx\ndata:\n  eval: ${join(dir, 'environ.csv')}\n  label: species\n`);
    const run = await runAction({
      copy,
      node,
      inputs: { config: join(dir, 'gate.yml'), 'github-token': GH_TOKEN, out },
      event: prEvent(3),
      env: { ...env, GITHUB_API_URL: github.url, MY_SERVICE_API_KEY: 'svc-key-9f8e7d6c5b4a', DB_PASSWORD: 'hunter2-hunter2' },
    });
    const comment = github.commentsOn(3).find((c) => c.author.login === BOT.login)?.body ?? '';
    // Either the file is read (and its quote is short and masked) or it is refused: both end here.
    expect(comment || run.stdout).toMatch(/environ/);
    expectNoSecrets(outputsOf(run, out, comment), [GH_TOKEN, 'svc-key-9f8e7d6c5b4a', 'hunter2-hunter2']);
  });
});

describe('untrusted text is inert', () => {
  /** Iris, with its four feature columns renamed to hostile names, and a reference that drifts. */
  function hostileData(extraName: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'mg-hostile-'));
    const csvName = (n: string) => `"${n.replace(/"/g, '""')}"`;
    const names = [...HOSTILE_NAMES.slice(0, 3), extraName];
    const rename = (file: string, shift: number) => {
      const [, ...rows] = readFileSync(join(copy, file), 'utf8').trim().split('\n');
      const body = rows.map((r) => r.split(',').map((v, i) => (i < 4 ? String(Number(v) + shift) : v)).join(','));
      return [[...names.map(csvName), 'species'].join(','), ...body].join('\n') + '\n';
    };
    writeFileSync(join(dir, 'eval.csv'), rename('examples/iris/eval.csv', 0));
    writeFileSync(join(dir, 'reference.csv'), rename('examples/iris/reference.csv', 1.5));
    const config = readFileSync(join(copy, 'examples/iris/model-gate.yml'), 'utf8')
      .replace(/^baseline:.*$/m, '')
      .replace(/eval: .*/, `eval: ${join(dir, 'eval.csv')}`)
      .replace(/reference: .*/, `reference: ${join(dir, 'reference.csv')}`)
      .replace(/max_regression: [\d.]+/, 'max_regression: 1');
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'gate.yml'), config);
    return dir;
  }

  it('hostile column names render as text in the comment, the summary and report.html; charts still parse; another gate cannot take the comment over', async () => {
    const otherMarker = commentMarker('gate-b');
    const dir = hostileData(`${otherMarker} ${HOSTILE_NAMES[3]}`);
    const a = await runAction({
      copy,
      node,
      inputs: { config: join(dir, 'gate.yml'), 'github-token': GH_TOKEN, 'comment-id': 'gate-a', out: join(dir, 'out') },
      event: prEvent(2),
      env: { ...env, GITHUB_API_URL: github.url },
    });
    const comments = () => github.commentsOn(2).filter((c) => c.author.login === BOT.login);
    expect(comments(), a.stdout).toHaveLength(1);
    const body = comments()[0]!.body;
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as { drift: { features: Array<{ name: string }> } };
    // The names did reach the report, the drift table and a chart.
    expect(report.drift.features.map((f) => f.name)).toContain(HOSTILE_NAMES[0]);
    expect(a.summary).toContain('```mermaid');

    for (const [where, md] of [['comment', body], ['summary', a.summary]] as const) {
      const text = stripCode(md);
      expect(bareTags(text), where).toEqual([]);
      expect(liveMentions(text), where).toEqual([]);
      expect(text.split('<details>').length, where).toBe(text.split('</details>').length);
      expect(tableProblems(md), where).toEqual([]);
      expect(checkMermaid(md), where).toEqual([]);
      // Our hidden markers appear where we put them and nowhere else in the source.
      expect(md.split(otherMarker).length - 1, where).toBe(0);
    }
    expect(body.startsWith(commentMarker('gate-a'))).toBe(true);
    expect(body.split('<!-- model-gate').length - 1).toBe(2); // the marker and the verdict fingerprint

    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));
    const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'b', 'small', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'ul', 'li', 'pre', 'svg', 'text', 'line', 'rect', 'circle', 'path', 'g', 'figure', 'figcaption', 'div'];
    expect([...tags].filter((t) => !allowed.includes(t))).toEqual([]);
    expect(html).not.toMatch(/<[^>]*\sonerror=/i);

    // A second gate whose marker the first comment quotes makes its own comment, and leaves the first alone.
    const b = await runAction({
      copy,
      node,
      inputs: { config: 'examples/iris/model-gate.yml', 'github-token': GH_TOKEN, 'comment-id': 'gate-b', out: mkdtempSync(join(tmpdir(), 'mg-out-')) },
      event: prEvent(2),
      env: { ...env, GITHUB_API_URL: github.url },
    });
    expect(b.stdout).toContain('Pull-request comment created');
    expect(comments()).toHaveLength(2);
    expect(comments()[0]!.body).toBe(body);
  });
});
