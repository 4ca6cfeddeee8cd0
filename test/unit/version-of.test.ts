/**
 * A run's version info as provenance.ts builds it: a file's hash versions a model; a served model
 * without its file, and a served baseline, are versioned by the hash of what they report.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { versionCheck, versionOf, type VersionFacts } from '../../src/provenance.ts';
import { noModelFile } from '../../src/runners/model-files.ts';
import type { ModelRunner } from '../../src/runners/types.ts';

const at = new Date('2026-11-05T16:38:36.123Z');
const provenance = { gitCommit: 'abc', gitRef: 'refs/heads/main', runUrl: null };
const runner = (metadata: unknown) => ({ metadata }) as unknown as ModelRunner;
const sha = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

function facts(over: Partial<VersionFacts>): VersionFacts {
  return {
    at,
    artifact: { ...noModelFile('m.onnx'), sha256: 'f'.repeat(64), size_bytes: 10 },
    served: null,
    baselineFile: null,
    servedBaseline: null,
    configSha256: 'c',
    provenance,
    contentTimestamp: () => new Date('2026-01-02T03:04:05Z'),
    ...over,
  };
}

describe('versionOf', () => {
  it('versions a model file by its hash and the run time, with what provenance says', () => {
    const { artifact, version } = versionOf(facts({}));
    expect(artifact.sha256).toBe('f'.repeat(64));
    expect(version).toEqual({
      id: `v_2026-11-05T16:38:36_ffffffff`,
      sha256: 'f'.repeat(64),
      size_bytes: 10,
      created_at: '2026-11-05T16:38:36Z',
      git_commit: 'abc',
      git_ref: 'refs/heads/main',
      run_url: null,
      config_sha256: 'c',
      baseline: null,
    });
    expect(versionCheck(version, null, true)).toMatchObject({ id: 'version.id', status: 'pass', message: `version ${version.id}` });
  });

  it('versions a served model without its file, and a served baseline, by what they report', () => {
    const served = { kind: 'http', target: 'http://x (v2, model m)', runner: runner({ name: 'm', versions: ['3'] }) };
    const servedBaseline = { kind: 'command', target: 'command: ./serve', runner: runner(null) };
    const { artifact, version } = versionOf(facts({ artifact: noModelFile(served.target), served, servedBaseline }));
    const hash = sha({ served: 'http', target: served.target, metadata: { name: 'm', versions: ['3'] } });
    expect(artifact.sha256).toBe(hash);
    expect(version.id).toBe(`v_2026-11-05T16:38:36_${hash.slice(0, 8)}`);
    const baselineHash = sha({ served: 'command', target: 'command: ./serve', metadata: null });
    expect(version.baseline).toEqual({ id: `v_2026-11-05T16:38:36_${baselineHash.slice(0, 8)}`, sha256: baselineHash, size_bytes: 0, path: 'command: ./serve' });
    expect(versionCheck(version, served, false).message).toContain('from what the server reports about the model');
  });

  it('timestamps a baseline file by when its content came to be; a served model that did not open has no version', () => {
    const baselineFile = { ...noModelFile('base.onnx'), sha256: 'b'.repeat(64), size_bytes: 7 };
    const served = { kind: 'command', target: 'command: ./serve', runner: null };
    const { version } = versionOf(facts({ artifact: noModelFile(served.target), served, baselineFile }));
    expect(version.id).toBe('');
    expect(version.baseline).toEqual({ id: 'v_2026-01-02T03:04:05_bbbbbbbb', sha256: 'b'.repeat(64), size_bytes: 7, path: 'base.onnx' });
    expect(versionCheck(version, served, false)).toMatchObject({ status: 'skip', message: 'no version: the model could not be reached' });
  });
});
