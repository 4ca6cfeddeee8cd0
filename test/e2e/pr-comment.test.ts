/**
 * The pull-request comment end to end: dist/index.js as the runner starts it, against a stand-in
 * for the GitHub API (GHES-style prefix) that holds every request to GitHub's OpenAPI description.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, commentMarker } from '../../src/report/comment.ts';
import type { Report } from '../../src/report/json.ts';
import { runAction, type ActionRun } from '../support/action.ts';
import { FakeArtifactService } from '../support/artifact-service.ts';
import { FakeGitHub, type Identity } from '../support/github-api.ts';
import { node24, trackedCopy } from '../support/tracked-copy.ts';

const BOT: Identity = { login: 'github-actions[bot]', id: 41898282, bot: true, write: true };
const FORK_BOT: Identity = { ...BOT, write: false };
const REVIEWER: Identity = { login: 'reviewer', id: 7, bot: false, write: true };
const OTHER_BOT: Identity = { login: 'other-ci[bot]', id: 99, bot: true, write: true };
const HEAD = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const CONFIG = 'examples/iris/model-gate.yml';
const COMMENT_ID = `.github/workflows/gate.yml:${CONFIG}`;
const MARKER = commentMarker(COMMENT_ID);

let copy: string;
let node: string;
let github: FakeGitHub;
let results: FakeArtifactService;

beforeAll(async () => {
  copy = trackedCopy();
  node = node24();
  github = new FakeGitHub('/api/v3');
  await github.start();
  github.addToken('bot-token', BOT);
  github.addToken('fork-token', FORK_BOT);
  github.addToken('reviewer-token', REVIEWER);
  for (let n = 1; n <= 30; n++) github.pulls.set(n, { headSha: HEAD });
  results = new FakeArtifactService();
  await results.start();
});

afterAll(async () => {
  await github?.stop();
  await results?.stop();
});

afterEach(() => {
  // Every request the action made, on every test, was one GitHub would accept.
  expect(github.violations).toEqual([]);
  expect(results.violations).toEqual([]);
});

const prEvent = (number: number, fork = false) => ({
  name: 'pull_request',
  payload: {
    action: 'synchronize',
    number,
    pull_request: { number, head: { sha: HEAD, repo: { full_name: fork ? 'someone/models' : 'acme/models' } }, base: { repo: { full_name: 'acme/models' } } },
  },
});

function gate(pr: number | null, inputs: Record<string, string> = {}, token = 'bot-token', extraEnv: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    copy,
    node,
    inputs: { config: CONFIG, 'github-token': token, out: mkdtempSync(join(tmpdir(), 'mg-out-')), ...inputs },
    event: pr === null ? { name: 'push', payload: { ref: 'refs/heads/main' } } : prEvent(pr, token === 'fork-token'),
    env: {
      GITHUB_API_URL: github.url,
      GITHUB_WORKFLOW_REF: 'acme/models/.github/workflows/gate.yml@refs/pull/7/merge',
      GITHUB_RUN_ATTEMPT: '1',
      ...extraEnv,
    },
  });
}

const ours = (pr: number) => github.commentsOn(pr).filter((c) => c.author.login === BOT.login && c.body.includes(MARKER));
const calls = (method: string, pattern: RegExp, since = 0) => github.requests.slice(since).filter((r) => r.method === method && pattern.test(r.path));

describe('the sticky pull-request comment', () => {
  it('is created on the first run and updated in place on the next: one comment, verdict first', async () => {
    github.seedComment(1, 'LGTM, but let us see the numbers', REVIEWER);
    const first = await gate(1);
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs.decision).toBe('GO');
    expect(first.stdout).toContain('Pull-request comment created');
    expect(ours(1)).toHaveLength(1);
    const body = ours(1)[0]!.body;
    expect(first.outputs['comment-url']).toBe(`https://github.com/acme/models/pull/1#issuecomment-${ours(1)[0]!.id}`);
    // Verdict first, then the version, the metrics against the baseline, latency, charts, the checklist folded.
    expect(body.split('\n')[2]).toBe('## ✅ GO — model-gate');
    expect(body).toContain(`Version \`${first.outputs.version}\``);
    // Baseline, candidate, the limit it was held to, then the change.
    expect(body).toMatch(/\| \*\*accuracy\*\* \| [\d.]+ \| [\d.]+ \| ✅ \\>= 0\.9 \| [−+][\d.]+ \|/);
    expect(body).toContain('McNemar p=');
    expect(body).toContain('### Latency');
    expect(body).toMatch(/```mermaid\n%%\{init: .*"plotColorPalette": "#0969da, #57606a".*%%\nxychart-beta\n {2}title "Latency, candidate \/ baseline by percentile, batch 1 \(line: 1 = as fast\)"/);
    expect(body).toMatch(/<details>\n<summary>Checklist: \d+ checks<\/summary>/);
    expect(body).toContain('[Full report in the run\'s summary](https://github.com/acme/models/actions/runs/42/attempts/1)');
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(first.summary).toContain('## ✅ GO — model-gate');

    const since = github.requests.length;
    const second = await gate(1);
    expect(second.code, second.stdout).toBe(0);
    expect(second.stdout).toMatch(/Pull-request comment (updated|unchanged)/);
    expect(ours(1)).toHaveLength(1);
    expect(github.commentsOn(1)).toHaveLength(2); // the reviewer's stays
    expect(calls('POST', /\/comments$/, since)).toHaveLength(0);
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url']);

    // on-change: the same verdict on the same model sends nothing, though latency figures moved.
    const before = github.requests.length;
    const third = await gate(1, { comment: 'on-change' });
    expect(third.stdout).toMatch(/Pull-request comment (kept: same verdict|unchanged)/);
    expect(calls('PATCH', /./, before)).toHaveLength(0);
    expect(calls('POST', /./, before)).toHaveLength(0);
  });

  it('finds its comment among hundreds, only among its own identity\'s, on every page', async () => {
    for (let i = 0; i < 130; i++) github.seedComment(2, `review note ${i}`, REVIEWER);
    // Somebody quoting our marker is not us: never touched.
    github.seedComment(2, `${MARKER}\nquoted by hand`, REVIEWER);
    github.seedComment(2, `${MARKER}\nanother bot's copy`, OTHER_BOT);
    github.seedComment(2, `${MARKER}\n## ⛔ NO-GO — model-gate (an earlier run)`, BOT);
    for (let i = 0; i < 120; i++) github.seedComment(2, `more discussion ${i}`, REVIEWER);
    const mine = ours(2)[0]!;
    const since = github.requests.length;
    const r = await gate(2);
    expect(r.code, r.stdout).toBe(0);
    const pages = calls('GET', /\/issues\/2\/comments$/, since);
    expect(pages.length).toBeGreaterThanOrEqual(3); // 253 comments at 100 a page
    expect(calls('POST', /\/comments$/, since)).toHaveLength(0);
    expect(calls('PATCH', new RegExp(`/issues/comments/${mine.id}$`), since)).toHaveLength(1);
    expect(ours(2)).toHaveLength(1);
    expect(ours(2)[0]!.body).toContain('## ✅ GO — model-gate');
    expect(github.commentsOn(2).find((c) => c.author.login === OTHER_BOT.login)!.body).toContain("another bot's copy");
    expect(github.commentsOn(2)).toHaveLength(253);
  });

  it("with a person's token, finds its own comments by the login GET /user gives", async () => {
    github.seedComment(12, `${MARKER}\nthe bot's comment, from another token`, BOT);
    const first = await gate(12, {}, 'reviewer-token');
    expect(first.code, first.stdout).toBe(0);
    const mine = github.commentsOn(12).filter((c) => c.author.login === REVIEWER.login);
    expect(mine).toHaveLength(1);
    const second = await gate(12, {}, 'reviewer-token');
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url']);
    expect(github.commentsOn(12)).toHaveLength(2);
    expect(calls('GET', /^\/user$/).length).toBeGreaterThanOrEqual(2);
  });

  it('two runs at once leave exactly one comment', async () => {
    // Both runs look before either has created: both create, and the later one must step back.
    github.holdUntil('GET', /\/issues\/3\/comments$/, 2);
    const since = github.requests.length;
    const [a, b] = await Promise.all([gate(3), gate(3)]);
    expect(calls('POST', /\/issues\/3\/comments$/, since)).toHaveLength(2);
    expect(calls('DELETE', /\/issues\/comments\/\d+$/, since)).toHaveLength(1);
    expect(a.stdout + b.stdout).toContain('1 duplicate from concurrent runs removed');
    expect(a.code, a.stdout).toBe(0);
    expect(b.code, b.stdout).toBe(0);
    expect(ours(3)).toHaveLength(1);
    const id = ours(3)[0]!.id;
    for (const run of [a, b]) expect(run.outputs['comment-url']).toContain(`#issuecomment-${id}`);
  });

  it('retries 502s and secondary rate limits, then comments', async () => {
    const since = github.requests.length;
    github.fail({ method: 'GET', path: /\/issues\/4\/comments$/, status: 403, times: 1, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': '1' } });
    github.fail({ method: 'POST', path: /\/issues\/4\/comments$/, status: 502, times: 2, message: 'Server Error' });
    const r = await gate(4);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('secondary rate limit');
    expect(r.stdout).toContain('Pull-request comment created');
    expect(calls('POST', /\/issues\/4\/comments$/, since).map((q) => q.status)).toEqual([502, 502, 201]);
    expect(ours(4)).toHaveLength(1);
  });

  it('gives the comment up with a warning when retries run out; the decision stands', async () => {
    github.fail({ method: 'POST', path: /\/issues\/5\/comments$/, status: 502, times: 100 });
    const r = await gate(5);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.decision).toBe('GO');
    expect(r.stdout).toMatch(/::warning::Gave up the pull-request comment on #5 after retries: .*The decision stands/);
    expect(calls('POST', /\/issues\/5\/comments$/).map((q) => q.status)).toEqual([502, 502, 502, 502]);
    expect(r.summary).toContain('## ✅ GO — model-gate');
    expect(r.outputs['comment-url']).toBe('');

    github.fail({ method: 'GET', path: /\/issues\/6\/comments$/, status: 403, times: 100, message: 'You have exceeded a secondary rate limit', headers: { 'retry-after': '1' } });
    const limited = await gate(6);
    expect(limited.code, limited.stdout).toBe(0);
    expect(limited.stdout).toMatch(/secondary rate limit .*giving up/);
    expect(limited.stdout).toMatch(/::notice::No pull-request comment on #6|::warning::Gave up the pull-request comment on #6/);
    expect(calls('GET', /\/issues\/6\/comments$/)).toHaveLength(4);
  }, 120_000);

  it("on a fork's read-only token: a notice, no failure, the same decision, the summary written", async () => {
    const r = await gate(7, {}, 'fork-token');
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.decision).toBe('GO');
    expect(r.stdout).toMatch(/::notice::No pull-request comment on #7: the token may not write it \(HTTP 403: Resource not accessible by integration/);
    expect(r.stdout).toContain('model-comment workflow');
    expect(r.summary).toContain('## ✅ GO — model-gate');
    expect(github.commentsOn(7)).toHaveLength(0);
    const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8')) as Report;
    expect(report.github).toMatchObject({ repository: 'acme/models', event: 'pull_request', pull_request: { number: 7, head_sha: HEAD }, comment_id: COMMENT_ID });
  });

  it('without a token, or outside a pull request, or with comment: never: no comment and no error', async () => {
    const since = github.requests.length;
    const push = await gate(null);
    expect(push.code, push.stdout).toBe(0);
    expect(push.stdout).toContain('No pull-request comment: the push event is not a pull request.');
    const never = await gate(8, { comment: 'never' });
    expect(never.code).toBe(0);
    const tokenless = await gate(8, { 'github-token': '' });
    expect(tokenless.code).toBe(0);
    expect(tokenless.stdout).toContain('::notice::No pull-request comment: no github-token.');
    expect(github.requests.length).toBe(since);
    expect(github.commentsOn(8)).toHaveLength(0);
  });
});

describe('the report artifact', () => {
  it('uploads report.html, report.json, the manifest and the summary as one artifact, linked from the comment', async () => {
    const r = await gate(10, { 'artifact-name': 'model-gate-iris' }, 'bot-token', { ACTIONS_RUNTIME_TOKEN: results.runtimeToken, ACTIONS_RESULTS_URL: `${results.url}/` });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs['report-artifact']).toBe('model-gate-iris');
    const uploaded = results.artifacts.find((a) => a.name === 'model-gate-iris')!;
    expect(uploaded.size).toBeGreaterThan(0);
    const files = results.files('model-gate-iris');
    expect([...files.keys()].sort()).toEqual(['deployment_manifest.yaml', 'report.html', 'report.json', 'summary.md']);
    const report = JSON.parse(files.get('report.json')!.toString('utf8')) as Report;
    expect(report.version.id).toBe(r.outputs.version);
    const html = files.get('report.html')!.toString('utf8');
    expect(html).toContain('<h1 class="GO">✅ GO — model-gate</h1>');
    expect(html).toContain('<svg'); // the latency chart, inline
    // Self-contained: no script, no stylesheet or image from anywhere, a policy that forbids fetching.
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i);
    expect(html).toContain(`content="default-src 'none'`);
    expect(ours(10)[0]!.body).toContain(`[report artifact](https://github.com/acme/models/actions/runs/42/artifacts/${uploaded.id})`);

    // Outside a runner's artifact service: a notice, the files stay in --out.
    const local = await gate(11, {}, 'bot-token');
    expect(local.stdout).toMatch(/::notice::The report artifact was not uploaded: the runner gave this step no artifact service/);
    expect(local.outputs['report-artifact']).toBe('');
    expect(local.code).toBe(0);
  });
});

describe('the comment workflow for fork pull requests (mode: comment)', () => {
  const workflowRun = (headSha: string) => ({
    name: 'workflow_run',
    payload: { action: 'completed', workflow_run: { id: 4242, head_sha: headSha, event: 'pull_request', html_url: 'https://github.com/acme/models/actions/runs/4242' } },
  });
  const post = (reportPath: string, headSha = HEAD) =>
    runAction({
      copy,
      node,
      inputs: { mode: 'comment', report: reportPath, 'github-token': 'bot-token' },
      event: workflowRun(headSha),
      env: { GITHUB_API_URL: github.url, GITHUB_WORKFLOW_REF: 'acme/models/.github/workflows/model-comment.yml@refs/heads/main' },
    });

  let reportDir: string;
  beforeAll(async () => {
    // The validate run on the fork could not comment; its report is the artifact.
    const validate = await gate(9, {}, 'fork-token');
    expect(validate.code, validate.stdout).toBe(0);
    reportDir = join(validate.outputs.report!, '..');
    github.artifacts.push({ runId: 4242, name: 'model-gate-report', id: 777 });
  });

  it('posts the comment from the artifact with the base repository token, then leaves an unchanged body alone', async () => {
    const r = await post(reportDir);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.decision).toBe('GO');
    expect(ours(9)).toHaveLength(1);
    const body = ours(9)[0]!.body;
    expect(body).toContain('[Full report in the run\'s summary](https://github.com/acme/models/actions/runs/4242)');
    expect(body).toContain('[report artifact](https://github.com/acme/models/actions/runs/4242/artifacts/777)');

    const since = github.requests.length;
    const again = await post(reportDir);
    expect(again.stdout).toContain('Pull-request comment unchanged, not sent again');
    expect(calls('PATCH', /./, since)).toHaveLength(0);
  });

  it('refuses a report whose commit is not the one the triggering run tested, or that is not a report', async () => {
    const r = await post(reportDir, 'f'.repeat(40));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::notice::No pull-request comment: the report is for commit a1b2c3d4e5f6 but the triggering run tested ffffffffffff/);

    const bogus = join(mkdtempSync(join(tmpdir(), 'mg-bogus-')), 'report.json');
    writeFileSync(bogus, JSON.stringify({ decision: 'GO' }));
    const bad = await post(bogus);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/::error::.*report\.json: not a model-gate report/);
  });

  it('keeps a huge report under the body limit and says where the rest is', async () => {
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as Report;
    const checks = Array.from({ length: 3000 }, (_, i) => ({
      id: `drift.feature.sensor_${i}`,
      category: 'drift',
      status: 'fail' as const,
      severity: 'warning' as const,
      value: 0.3,
      threshold: 'PSI ≥ 0.1 warns, ≥ 0.25 blocks',
      message: `sensor_${i}: PSI 0.3 ≥ 0.25; drifted: Wasserstein (normed) 0.42 > 0.1; PSI 0.3 (100,000 reference values, 100,000 current)`,
    }));
    const huge = { ...report, decision: 'DELAY', checks: [...report.checks, ...checks] };
    const dir = mkdtempSync(join(tmpdir(), 'mg-huge-'));
    writeFileSync(join(dir, 'report.json'), JSON.stringify(huge));
    const r = await post(dir);
    expect(r.code, r.stdout).toBe(0);
    const body = ours(9)[0]!.body;
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.length).toBeGreaterThan(COMMENT_LIMIT * 0.9);
    expect(body.split('\n')[2]).toBe('## ⏸️ DELAY — model-gate');
    expect(body).toMatch(/- … and [\d,]+ more warnings: see the job summary\./);
    expect(body).toContain("This comment was cut to fit GitHub's 65,536-character limit.");
    expect(body.trimEnd().endsWith('model-gate 0.1.0</sub>')).toBe(true);
  });
});
