/**
 * The config types cannot drift from the JSON Schema: src/config/schema-types.ts is generated from
 * it and must be fresh; the value lists the code iterates and the types lower layers keep for
 * themselves (runners, stats, core may not import config/) must say what the schema says.
 * The expectTypeOf lines are checked by `tsc --noEmit` (test/ is in tsconfig), not at run time.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, expectTypeOf, it } from 'vitest';
import schema from '../../schema/model-gate.schema.json' with { type: 'json' };
import { CLASSIFICATION_METRICS, DRIFT_METHODS, REGRESSION_METRICS, SCENARIOS, type DriftRules, type InputDType, type MetricName } from '../../src/config/types.ts';
import type * as Generated from '../../src/config/schema-types.ts';
import type { Severity } from '../../src/core/check-result.ts';
import type { Outcome } from '../../src/core/probe-outcome.ts';
import type { CommandConfig } from '../../src/runners/command.ts';
import { PROTOCOLS, type EndpointConfig, type ProtocolName } from '../../src/runners/http/protocols.ts';
import type { DType } from '../../src/runners/types.ts';
import type { Multiplicity } from '../../src/stats/multiplicity.ts';

const props = schema.properties;

describe('src/config/schema-types.ts', () => {
  it('is generated from schema/model-gate.schema.json and up to date', () => {
    const r = spawnSync(process.execPath, ['scripts/generate-config-types.mjs', '--check'], { encoding: 'utf8', env: process.env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the config value lists', () => {
  it('name what the schema names, in its order', () => {
    const errors = Object.entries(props.checks.properties.errors.properties).filter(([, p]) => 'allOf' in p).map(([k]) => k);
    expect([...SCENARIOS]).toEqual(errors);
    expect([...CLASSIFICATION_METRICS, ...REGRESSION_METRICS]).toEqual(props.metrics.properties.primary.enum);
    expect([...CLASSIFICATION_METRICS, ...REGRESSION_METRICS]).toEqual(Object.keys(props.metrics.properties.thresholds.properties));
    expect([...DRIFT_METHODS]).toEqual(props.drift.properties.features.additionalProperties.properties.method.enum);
    expect([...PROTOCOLS]).toEqual(props.model.properties.endpoint.properties.protocol.enum);
  });
});

describe('types kept by lower layers', () => {
  it('agree with the generated ones', () => {
    expectTypeOf<Severity>().toEqualTypeOf<Generated.Severity>();
    expectTypeOf<Outcome>().toEqualTypeOf<Generated.Outcome>();
    expectTypeOf<Multiplicity>().toEqualTypeOf<Generated.DriftConfig['multiplicity']>();
    expectTypeOf<Exclude<DType, 'float16'>>().toEqualTypeOf<InputDType>();
    expectTypeOf<MetricName>().toEqualTypeOf<NonNullable<Generated.MetricsConfig['primary']>>();
    expectTypeOf<ProtocolName>().toEqualTypeOf<Generated.EndpointConfig['protocol']>();
    expectTypeOf<EndpointConfig>().toEqualTypeOf<Generated.EndpointConfig>();
    // The runner's command settings are looser (tests build them without max_line_mb), with the same keys.
    expectTypeOf<Generated.CommandConfig>().toExtend<CommandConfig>();
    expectTypeOf<keyof CommandConfig>().toEqualTypeOf<keyof Generated.CommandConfig>();
    expectTypeOf<DriftRules>().toExtend<Partial<Generated.DriftConfig>>();
  });
});
