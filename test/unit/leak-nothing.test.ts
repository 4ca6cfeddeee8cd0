/** The redactor, the excerpt, the escapers per target, and where our hidden markers may be matched (#18). */
import { describe, expect, it } from 'vitest';
import { isOurs } from '../../src/github/comments.ts';
import { describeColumns } from '../../src/data/dataset.ts';
import { excerpt, MASK, Redactor, redactorFor, spellings } from '../../src/redact.ts';
import { commentMarker, fingerprintOf } from '../../src/report/comment.ts';
import { htmlText, logLine, mdCode, mdCodeCell, mdText, mdUrl } from '../../src/report/escape.ts';
import { mermaidLabel } from '../../src/report/mermaid.ts';
import { withPromotionRow } from '../../src/report/promotion-comment.ts';
import { HOSTILE_NAMES, bareTags, checkMermaid, liveMentions, stripCode, tableProblems } from '../support/hostile.ts';

describe('the redactor', () => {
  it('masks a secret as is, percent-encoded and in base64 at every alignment (Basic user:password)', () => {
    const r = new Redactor();
    r.add('p@ss w0rd/secret');
    const basic = Buffer.from('alice:p@ss w0rd/secret').toString('base64');
    for (const text of ['p@ss w0rd/secret', encodeURIComponent('p@ss w0rd/secret'), `Authorization: Basic ${basic}`, Buffer.from('xp@ss w0rd/secret').toString('base64')]) {
      const out = r.text(`before ${text} after`);
      expect(out).toContain(MASK);
      expect(out).not.toContain(text);
    }
    expect(spellings('abcdefgh').length).toBeGreaterThan(3);
  });

  it('finds secrets by shape: secret-looking environment names, ${NAME} references, Authorization headers, URL credentials', () => {
    const env = { GITHUB_TOKEN: 'ghs_aaaaaaaaaaaaaaaaaaaa', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', PWD: '/work/somewhere', SSH_AUTH_SOCK: '/tmp/ssh-agent.sock', MODEL_TOKEN: 'tok-123456789', HOME: '/root' };
    const settings = {
      githubToken: 'ghp_inputtoken0000',
      overrides: { endpoint: { url: 'https://bob:hunter22@models.example.com/v2?api_key=k-0000-1111&mode=x', headers: { Authorization: 'Bearer literal-bearer-42', 'X-Trace': 'plain-value' } } },
      promotion: { prometheus: { bearer_token: '${MODEL_TOKEN}', password: 'prom-pass-77' } },
    };
    const r = redactorFor(env, settings);
    const text = r.text(
      'ghs_aaaaaaaaaaaaaaaaaaaa wJalrXUtnFEMI/K7MDENG tok-123456789 ghp_inputtoken0000 hunter22 k-0000-1111 literal-bearer-42 prom-pass-77 | /work/somewhere /tmp/ssh-agent.sock plain-value mode=x',
    );
    expect(text).toBe('*** *** *** *** *** *** *** *** | /work/somewhere /tmp/ssh-agent.sock plain-value mode=x');
  });

  it('masks secret shapes it was never told: URL userinfo, token query parameters, echoed Authorization values, environment dumps', () => {
    const r = new Redactor();
    expect(r.text('GET https://u:pw12345@h.example/x?token=abc123456&page=2 failed')).toBe('GET https://u:***@h.example/x?token=***&page=2 failed');
    expect(r.text('echo: authorization: Bearer eyJhbGciOi.J9x1 and Basic statistics')).toBe('echo: authorization: Bearer *** and Basic statistics');
    expect(r.text('A=1\0SECRET_THING=longvalue1\0PWD=/root\0NPM_TOKEN=npm_0123456789')).toBe('A=1\0SECRET_THING=***\0PWD=/root\0NPM_TOKEN=***');
  });

  it('redacts every string of a report, keys included, and leaves numbers alone', () => {
    const r = new Redactor();
    r.add('s3cr3t-value');
    expect(r.deep({ a: ['x s3cr3t-value', 3], 's3cr3t-value': { b: null, c: true } })).toEqual({ a: ['x ***', 3], '***': { b: null, c: true } });
  });
});

describe('excerpt', () => {
  it('quotes content short, on one line, masked', () => {
    const env = 'HOME=/root\0GITHUB_TOKEN=ghs_0123456789abcdefghij\0PATH=/usr/bin\0' + 'X=y\0'.repeat(100);
    const e = excerpt(env);
    expect(e).not.toContain('ghs_0123456789');
    expect(e).not.toContain('\0');
    expect(e).toMatch(/… \([\d,]+ more characters\)$/);
    expect(excerpt('a\nb')).toBe('a\\nb');
    expect(describeColumns(Array.from({ length: 20 }, (_, i) => `c${i}`))).toBe('c0, c1, c2 … c19 (20 columns)');
    expect(describeColumns(['a\nb', 'x'.repeat(60)])).toBe(`a\\nb, ${'x'.repeat(40)}… (20 more characters)`);
  });
});

describe('escaping per target', () => {
  it('Markdown text: no tag, no mention, no table break, one line, nothing at line start', () => {
    for (const name of HOSTILE_NAMES) {
      const t = mdText(name);
      expect(t).not.toMatch(/\n/);
      expect(bareTags(stripCode(t))).toEqual([]);
      expect(liveMentions(stripCode(t))).toEqual([]);
      expect(tableProblems(`| a | b |\n|---|---|\n| ${t} | ${mdCodeCell(name)} |`)).toEqual([]);
    }
    expect(mdText('@octocat')).toBe('@\u200doctocat');
    expect(mdText('# x')).toBe('\\# x');
    expect(mdText('1. x')).toBe('1\\. x');
    expect(mdText('0.1.0')).toBe('0.1.0');
    expect(mdText('error_rate > 10%')).toBe('error_rate > 10%');
    expect(mdText('&#64;octocat')).toBe('&amp;#\u200d64;octocat');
  });

  it('code spans hold any backticks and never reproduce a hidden marker', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('')).toBe('` `');
    expect(mdCode(commentMarker('x'))).not.toContain('<!--');
    expect(stripCode(`say ${mdCode('a ``` b `` c')} end`)).toBe('say  end');
  });

  it('HTML escapes quotes too; links only to http(s); log lines cannot start a workflow command', () => {
    expect(htmlText(`<a href='x'>"`)).toBe('&lt;a href=&#39;x&#39;&gt;&quot;');
    expect(mdUrl('javascript:alert(1)')).toBe('#');
    expect(mdUrl('https://x/a b)c')).toBe('https://x/a%20b%29c');
    expect(logLine('ok\n::add-mask::x\n  ::error::y')).toBe('ok\n:\u200b:add-mask::x\n  :\u200b:error::y');
  });

  it('Mermaid labels keep to quiet characters, and the charts we emit pass the validator', () => {
    for (const name of HOSTILE_NAMES) {
      const label = mermaidLabel(name, 24);
      expect(checkMermaid(`\`\`\`mermaid\nxychart-beta\n  x-axis [${label}]\n\`\`\`\n`)).toEqual([]);
    }
    expect(checkMermaid('```mermaid\nxychart-beta\n  x-axis ["a"], "b"]\n```\n')).not.toEqual([]);
  });
});

describe('hidden markers', () => {
  const marker = commentMarker('gate');
  it('the sticky comment is ours only when its body starts with the marker', () => {
    expect(isOurs(`${marker}\n## GO`, marker)).toBe(true);
    expect(isOurs(`${commentMarker('other')}\n| \`${marker}\` |`, marker)).toBe(false);
    expect(isOurs(`${marker}x\n`, marker)).toBe(false);
  });

  it('the verdict fingerprint is read from the second line only', () => {
    expect(fingerprintOf(`${marker}\n<!-- model-gate verdict: 0123456789abcdef -->\nbody`)).toBe('0123456789abcdef');
    expect(fingerprintOf(`${marker}\n## x\n<!-- model-gate verdict: 0123456789abcdef -->`)).toBeNull();
  });

  it('a judgement quoting the promotion markers cannot move the section', () => {
    const row = { stage: '25%', environment: 'prod', version: 'v1', state: 'baking' as const, judgement: '<!-- /model-gate promotion --> <!-- model-gate promotion --> @octocat | x', runUrl: null };
    const once = withPromotionRow(`${marker}\nbody`, row);
    const twice = withPromotionRow(once, { ...row, state: 'promoted' });
    expect(twice.match(/^\| <!-- stage /gm)).toHaveLength(1);
    expect(twice.split('\n').filter((l) => l === '<!-- model-gate promotion -->')).toHaveLength(1);
    expect(bareTags(stripCode(twice))).toEqual([]);
    expect(liveMentions(twice)).toEqual([]);
    expect(tableProblems(twice)).toEqual([]);
  });
});
