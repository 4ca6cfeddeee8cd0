import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ONNXRUNTIME_PIN } from '../../src/runners/onnxruntime-pin.ts';

describe('the provisioned onnxruntime is the one the project is tested with', () => {
  it('pins the version and integrity that package-lock.json records', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { version: string; integrity: string }>;
    };
    for (const [name, integrity] of Object.entries(ONNXRUNTIME_PIN.packages)) {
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked?.version, name).toBe(ONNXRUNTIME_PIN.version);
      expect(locked?.integrity, name).toBe(integrity);
    }
  });
});
