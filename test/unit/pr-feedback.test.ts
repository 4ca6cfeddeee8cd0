/** The pure parts of PR feedback: the comment body and its limit, charts, HTML, the GitHub context. */
import { reportOf } from '../support/report.ts';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/check-result.ts';
import { defaultCommentId, githubContext, runUrl } from '../../src/github/context.ts';
import { COMMENT_LIMIT, commentMarker, fingerprintOf, renderComment, verdictFingerprint } from '../../src/report/comment.ts';
import { escapeHtml, renderHtml } from '../../src/report/html.ts';
import { latencyChart } from '../../src/report/mermaid.ts';
import { settingsFromInputs } from '../../src/settings.ts';

const check = (i: number, over: Partial<CheckResult> = {}): CheckResult => ({
  id: `drift.feature.f${i}`,
  category: 'drift',
  status: 'fail',
  severity: 'warning',
  value: 0.3,
  threshold: 'PSI ≥ 0.25 blocks',
  message: `f${i}: PSI 0.3 ≥ 0.25; drifted: Wasserstein (normed) 0.42 > 0.1`,
  ...over,
});

const report = reportOf;

const links = { summary: 'https://github.com/acme/models/actions/runs/1', artifact: null };

describe('the comment body', () => {
  it('fits any limit: verdict and marker kept, rows cut from the end, the folded checklist closed, a pointer to the rest', () => {
    const r = report(Array.from({ length: 400 }, (_, i) => check(i)));
    for (const limit of [COMMENT_LIMIT, 20_000, 6_000]) {
      const body = renderComment(r, { id: 'ci.yml:gate.yml', links, limit });
      expect(body.length).toBeLessThanOrEqual(limit);
      const lines = body.split('\n');
      expect(lines[0]).toBe(commentMarker('ci.yml:gate.yml'));
      expect(lines[2]).toBe('## ⏸️ DELAY — model-gate');
      expect(body).toContain(`cut to fit GitHub's ${limit.toLocaleString('en')}-character limit`);
      // The checklist is cut first, then the warnings; the checklist always keeps its pointer.
      expect(body).toMatch(/\| \| … [\d,]+ more \| \| see the job summary \| \|\n\n<\/details>/);
      if (limit < COMMENT_LIMIT) expect(body).toMatch(/- … and [\d,]+ more warnings: see the job summary\./);
      expect(body.trimEnd().endsWith('model-gate 0.1.0</sub>')).toBe(true);
      expect(body.split('<details>').length).toBe(body.split('</details>').length);
    }
  });

  it('is whole when it fits, and says nothing about cutting', () => {
    const body = renderComment(report([check(1), check(2, { severity: 'blocker', status: 'error' })]), { id: 'x', links });
    expect(body).not.toContain('cut to fit');
    expect(body).toContain('### ⛔ Blocking');
    expect(body).toContain('### ⚠️ Warnings');
    expect(body).toContain('<summary>Checklist: 2 checks</summary>');
    expect(body).toContain("[Full report in the run's summary](https://github.com/acme/models/actions/runs/1)");
  });

  it('has a marker no id can break out of, and a verdict fingerprint that ignores the run-to-run noise', () => {
    const marker = commentMarker('a-->b <!-- c');
    expect(marker.slice(4, -3)).not.toMatch(/--|>|</);
    expect(commentMarker('a:b')).not.toBe(commentMarker('a:bc'));
    const a = report([check(1)]);
    const b = report([check(1, { message: 'f1: PSI 0.31, other figures' })], { duration_ms: 999 });
    expect(verdictFingerprint(a)).toBe(verdictFingerprint(b));
    expect(verdictFingerprint(a)).not.toBe(verdictFingerprint(report([check(1), check(2)])));
    expect(fingerprintOf(renderComment(a, { id: 'x', links }))).toBe(verdictFingerprint(a));
  });

  it('draws latency as a Mermaid xychart of candidate ÷ baseline per percentile, with parity as a line and named colours', () => {
    const chart = latencyChart({
      batch_size: 1,
      samples: 10,
      candidate: { p50_ms: 2, p95_ms: 3 },
      baseline: { p50_ms: 1, p95_ms: 2 },
      p50_ratio: 2,
      p95_ratio: 1.5,
      p50_ratio_interval: null,
      p95_ratio_interval: null,
      mann_whitney: { u: 1, p_value: 0.01 } as never,
      distribution: { percentiles: [50, 95], candidate_ms: [2, 3.123456], baseline_ms: [1, 2] },
    });
    expect(chart).toEqual([
      '```mermaid',
      '%%{init: {"xyChart": {"height": 320}, "themeVariables": {"xyChart": {"plotColorPalette": "#0969da, #57606a"}}}}%%',
      'xychart-beta',
      '  title "Latency, candidate / baseline by percentile, batch 1 (line: 1 = as fast)"',
      '  x-axis ["p50", "p95"]',
      '  y-axis "candidate / baseline" 0 --> 2.2',
      '  bar [2, 1.562]',
      '  line [1, 1]',
      '```',
    ]);
  });
});

describe('the HTML report', () => {
  it('escapes everything that came from data, and fetches nothing', () => {
    const html = renderHtml(report([check(1, { message: '<img src=x onerror=alert(1)> & "q"' })]));
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
    expect(html).not.toContain('<img');
    expect(escapeHtml(`<a href='x'>`)).toBe('&lt;a href=&#39;x&#39;&gt;');
  });
});

describe('the GitHub context', () => {
  const env = {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_REPOSITORY: 'acme/models',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
    GITHUB_SERVER_URL: 'https://ghe.example.com',
    GITHUB_WORKFLOW_REF: 'acme/models/.github/workflows/gate.yml@refs/pull/3/merge',
  };

  it('reads the pull request, the workflow file and the API URL (GHES)', () => {
    const ctx = githubContext(env, { pull_request: { number: 3, head: { sha: 'abc', repo: { full_name: 'fork/models' } } } });
    expect(ctx.apiUrl).toBe('https://ghe.example.com/api/v3');
    expect(ctx.pullRequest).toEqual({ number: 3, headSha: 'abc', headRepo: 'fork/models' });
    expect(ctx.workflow).toBe('.github/workflows/gate.yml');
    expect(runUrl(ctx)).toBe('https://ghe.example.com/acme/models/actions/runs/42/attempts/2');
    expect(defaultCommentId(ctx, '.github/model-gate.yml')).toBe('.github/workflows/gate.yml:.github/model-gate.yml');
  });

  it('has no pull request on a push, and the triggering run on workflow_run', () => {
    expect(githubContext({ ...env, GITHUB_EVENT_NAME: 'push' }, { pull_request: { number: 3, head: { sha: 'x' } } }).pullRequest).toBeNull();
    const ctx = githubContext({ ...env, GITHUB_EVENT_NAME: 'workflow_run' }, { workflow_run: { id: 9, head_sha: 'def', event: 'pull_request', html_url: 'u' } });
    expect(ctx.workflowRun).toEqual({ id: 9, headSha: 'def', event: 'pull_request', htmlUrl: 'u' });
  });
});

describe('feedback inputs', () => {
  const inputs = (values: Record<string, string>) => (name: string) => values[name] ?? '';
  it('default to a comment on pull requests and a named artifact; reject what they do not know', () => {
    const s = settingsFromInputs(inputs({}), {});
    expect(s.feedback).toEqual({ comment: 'always', commentId: undefined, commentAuthor: undefined, artifactName: 'model-gate-report' });
    expect(() => settingsFromInputs(inputs({ comment: 'sometimes' }), {})).toThrow('input "comment" must be one of: always, on-change, never; got "sometimes"');
    expect(() => settingsFromInputs(inputs({ mode: 'comment' }), {})).toThrow(/mode "comment" needs input "report"/);
  });
});
