/**
 * The drift measures' registry (src/drift/methods.ts) is the one list: the config schema's
 * `method` enum and report.json's `method` and `noise_test` enums name what it names, and each
 * measure's value is judged by its own descriptor.
 */
import { describe, expect, it } from 'vitest';
import config from '../../schema/model-gate.schema.json' with { type: 'json' };
import report from '../../schema/report.schema.json' with { type: 'json' };
import { DRIFT_METHODS } from '../../src/config/types.ts';
import { assess } from '../../src/drift/judge.ts';
import { measureFeature } from '../../src/drift/measure.ts';
import { DRIFT_MEASURES, NOISE_TESTS } from '../../src/drift/methods.ts';
import { defaultConfig } from '../../src/config/load.ts';

const featureDrift = report.definitions.featureDrift.properties;

describe('the drift measures registry', () => {
  it('names the methods the config and report schemas name, and the noise tests report.json names', () => {
    expect(Object.keys(DRIFT_MEASURES)).toEqual(config.properties.drift.properties.features.additionalProperties.properties.method.enum);
    expect(Object.keys(DRIFT_MEASURES)).toEqual([...DRIFT_METHODS]);
    expect([...Object.keys(DRIFT_MEASURES), null]).toEqual(featureDrift.method.enum);
    expect([...Object.keys(NOISE_TESTS), null]).toEqual(featureDrift.noise_test.enum);
  });

  it('judges a feature by the measure its rule names, with that measure’s own value, noise test and default threshold', () => {
    const rules = defaultConfig().drift;
    const reference = { kind: 'numeric' as const, values: Array.from({ length: 400 }, (_, i) => (i * 7919) % 400) };
    const current = { kind: 'numeric' as const, values: Array.from({ length: 400 }, (_, i) => ((i * 7919) % 400) + 40) };
    const m = measureFeature('x', reference, current, rules.psi);
    expect(m.wasserstein_normed).toBeCloseTo(40 / Math.sqrt((400 * 400 - 1) / 12), 9); // computed by its descriptor
    for (const [method, d] of Object.entries(DRIFT_MEASURES)) {
      const f = assess(m, { ...rules, features: { x: { method: method as keyof typeof DRIFT_MEASURES } } });
      expect(f.method).toBe(method);
      expect(f.noise_test).toBe(d.noise);
      if (d.value(m) === undefined) {
        expect(f.status).toBe('error'); // z: this feature has more than two values
        continue;
      }
      expect(f.value).toBe(d.value(m));
      expect(f.threshold).toBe(d.defaultThreshold(rules));
      expect(f.p_value).toBe(NOISE_TESTS[d.noise].p(m));
    }
  });
});
