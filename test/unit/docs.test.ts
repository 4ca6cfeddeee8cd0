import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('docs/reference.md generated tables', () => {
  it('are generated from action.yml and the config schema, and up to date', () => {
    const r = spawnSync(process.execPath, ['scripts/generate-docs.mjs', '--check'], { encoding: 'utf8', env: process.env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

const FILES = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

/** GitHub's heading anchors: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
function anchors(file: string): Set<string> {
  const out = new Set<string>();
  let fence = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = !fence && /^#{1,6} (.*)$/.exec(line);
    if (m) out.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

/** Relative link targets of a Markdown file: [text](target), <img src>, <a href>; code blocks left out. */
function links(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  const md = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  const html = [...text.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  return [...md, ...html].filter((t) => !/^(https?:|mailto:)/.test(t));
}

describe('README and docs/', () => {
  it('keep the set-up commands CI and newcomers run, word for word', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm ci && npm run example');
    expect(readme).toMatch(/^npm test {2,}/m);
    expect(readme).toContain('npx model-gate init --model m.onnx');
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of FILES) {
      for (const target of links(file)) {
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const resolved = path ? normalize(join(dirname(file), path)) : file;
        if (!existsSync(resolved)) broken.push(`${file}: ${target} (no file ${resolved})`);
        else if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
