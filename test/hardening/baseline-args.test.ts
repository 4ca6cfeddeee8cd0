/**
 * A baseline ref comes from a config that a pull request may change: it must never reach git as
 * an option (`git:--output=/path:x` once made git write a file at an arbitrary path).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBaseline } from '../../src/runners/baseline-source.ts';
import { node24 } from '../support/tracked-copy.ts';

const dir = mkdtempSync(join(tmpdir(), 'model-gate-baseline-args-'));
const repo = join(dir, 'repo');
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
let cwd: string;

beforeAll(() => {
  cwd = process.cwd();
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(join(repo, 'model.onnx'), 'baseline bytes');
  git('add', 'model.onnx');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'baseline');
  process.chdir(repo);
});
afterAll(() => process.chdir(cwd));

describe('git baselines refuse refs git would read as options', () => {
  it('refuses git:--output=<path>:x and writes no file', async () => {
    const target = join(dir, 'pwned');
    await expect(resolveBaseline(`git:--output=${target}:x`, {})).rejects.toThrow(/starts with "-", which git would read as an option/);
    expect(existsSync(`${target}:x`)).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a base branch that starts with "-" and refs with spaces or ".."', async () => {
    await expect(resolveBaseline('git:base:model.onnx', { GITHUB_BASE_REF: '-oops' })).rejects.toThrow(/not a git ref model-gate accepts|starts with "-"/);
    await expect(resolveBaseline('git:HEAD --all:model.onnx', {})).rejects.toThrow(/not a git ref model-gate accepts/);
    await expect(resolveBaseline('git:HEAD..x:model.onnx', {})).rejects.toThrow(/not a git ref model-gate accepts/);
  });

  it('still reads a file at an ordinary ref', async () => {
    for (const ref of ['HEAD', 'HEAD~0', git('rev-parse', 'HEAD').toString().trim()]) {
      const b = await resolveBaseline(`git:${ref}:model.onnx`, {});
      expect(readFileSync(b.path, 'utf8')).toBe('baseline bytes');
    }
  });

  it('removes the copy it fetched when the run ends', () => {
    const module = join(cwd, 'src', 'runners', 'baseline-source.ts');
    const script = `const { resolveBaseline } = await import(${JSON.stringify(module)});
      console.log((await resolveBaseline('git:HEAD:model.onnx', {})).path);`;
    const copy = execFileSync(node24(), ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' }).trim();
    expect(copy).toMatch(/model-gate-baseline-.*model\.onnx$/);
    expect(existsSync(copy)).toBe(false);
  });
});
