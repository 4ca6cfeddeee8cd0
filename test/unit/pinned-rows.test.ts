/**
 * Pinned feature rows (runners/pinned.ts): the ONNX child reads feeds that view a pinned array
 * from its file and answers exactly as when the rows come over the pipe; the file goes when the
 * last runner holding it closes.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openIsolatedOnnxRunner } from '../../src/runners/onnx-process.ts';
import { PIN_MIN_BYTES, byReference, isPinned, pinBuffers, pinnable, readPinned, unpin } from '../../src/runners/pinned.ts';
import type { Tensor } from '../../src/runners/types.ts';
import { mlp } from '../support/onnx-builder.ts';

describe('pinned feature rows', () => {
  // First in the file: the module makes its temporary folder on the first pin.
  it('are sent whole when the temporary folder cannot be written', () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(tmpdir(), 'model-gate-no-such-dir', 'deeper');
    try {
      const x = new Float32Array(PIN_MIN_BYTES / 4);
      const { pins, buffers } = pinBuffers([x]);
      expect([pins.length, buffers.length]).toEqual([0, 0]);
      expect(isPinned(byReference({ dtype: 'float32', dims: [x.length], data: x }, new WeakSet([x.buffer])))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('read back from the file as the same typed array, for every numeric element type', () => {
    const arrays = [
      Float32Array.from({ length: PIN_MIN_BYTES / 4 }, (_, i) => Math.sin(i)),
      Float64Array.from({ length: PIN_MIN_BYTES / 8 }, (_, i) => -i / 3),
      BigInt64Array.from({ length: PIN_MIN_BYTES / 8 }, (_, i) => BigInt(i) - 7n),
      Uint8Array.from({ length: PIN_MIN_BYTES }, (_, i) => i % 2),
    ];
    const dtypes = ['float32', 'float64', 'int64', 'bool'] as const;
    const chosen = pinnable([...arrays, arrays[0]!.subarray(5), new Float32Array(16), ['a']]);
    expect(chosen.length === arrays.length && chosen.every((c, k) => c === arrays[k])).toBe(true); // small ones, text and a second view are not
    const { pins } = pinBuffers(arrays);
    const held = new WeakSet(arrays.map((a) => a.buffer));
    arrays.forEach((a, k) => {
      const view = a.subarray(100, 200);
      const feed = byReference({ dtype: dtypes[k]!, dims: [10, 10], data: view as Tensor['data'] }, held);
      expect(isPinned(feed)).toBe(true);
      const back = readPinned(feed as Parameters<typeof readPinned>[0]);
      expect(back.data.constructor).toBe(a.constructor);
      expect(back.data).toEqual(view);
    });
    // A copy is not a view of the pinned buffer: it travels whole.
    expect(isPinned(byReference({ dtype: 'float32', dims: [3], data: arrays[0]!.slice(0, 3) }, held))).toBe(false);
    unpin(pins);
    expect(pins.every((p) => !existsSync(p.path))).toBe(true);
  });

  it('the ONNX child answers a pinned feed exactly as one sent over the pipe; the file lives while a runner holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-pinned-'));
    const model = join(dir, 'mlp.onnx');
    writeFileSync(model, mlp([8, 16, 1]));
    const rows = 200_000; // 6.4 MB of float32: above the pinning threshold
    const x = Float32Array.from({ length: rows * 8 }, (_, i) => Math.cos(i * 0.37));
    const a = await openIsolatedOnnxRunner(model, { callTimeoutMs: 60_000 });
    const b = await openIsolatedOnnxRunner(model, { callTimeoutMs: 60_000 });
    try {
      const feeds = () => ({ x: { dtype: 'float32' as const, dims: [4096, 8], data: x.subarray(8 * 50_000, 8 * (50_000 + 4096)) } });
      const sent = await a.infer(feeds());
      await a.pin!([x]);
      await b.pin!([x]);
      const [pinned] = pinBuffers([x]).pins; // the same file, shared
      unpin([pinned!]);
      const byFile = await a.infer(feeds());
      expect(byFile.probabilities!.data).toEqual(sent.probabilities!.data);
      expect(existsSync(pinned!.path)).toBe(true);
      await a.close();
      expect(existsSync(pinned!.path)).toBe(true); // b still holds it
      expect((await b.infer(feeds())).probabilities!.data).toEqual(sent.probabilities!.data);
      await b.close();
      expect(existsSync(pinned!.path)).toBe(false);
      // A file that vanished under a runner (a temp cleaner): the rows go whole, the answer is the same.
      const c = await openIsolatedOnnxRunner(model, { callTimeoutMs: 60_000 });
      try {
        await c.pin!([x]);
        const [own] = pinBuffers([x]).pins;
        unpin([own!]);
        rmSync(own!.path);
        expect((await c.infer(feeds())).probabilities!.data).toEqual(sent.probabilities!.data);
      } finally {
        await c.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});
