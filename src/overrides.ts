/**
 * The config a run uses: the flags and action inputs over the config file (model, endpoint,
 * command, data, baseline, fail_on, load). Which families `load` mode runs is theirs to declare
 * (checks/families/, `modes`), not the config's.
 */
import { commandWithDefaults, endpointWithDefaults } from './config/load.ts';
import type { BaselineConfig, GateConfig } from './config/types.ts';
import type { EndpointConfig } from './runners/http/protocols.ts';
import type { Overrides, SuiteSettings } from './settings.ts';

export function applyOverrides(config: GateConfig, settings: SuiteSettings): GateConfig {
  const o = settings.overrides;
  const defined = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as Partial<T>;
  let { endpoint, command } = config.model;
  if (o.endpoint) {
    const flags = defined(o.endpoint);
    endpoint = endpointWithDefaults({ ...endpoint, ...flags, headers: { ...endpoint?.headers, ...o.endpoint.headers } } as Partial<EndpointConfig>);
    command = undefined;
  }
  if (o.command) {
    command = commandWithDefaults({ ...command, run: o.command });
    endpoint = undefined;
  }
  return {
    ...config,
    model: { ...config.model, path: o.model ?? config.model.path, endpoint, command },
    baseline: baselineWithOverrides(config.baseline ?? null, o),
    data: {
      ...config.data,
      eval: o.data ?? config.data.eval,
      label: o.label ?? config.data.label,
      reference: o.reference ?? config.data.reference,
    },
    fail_on: o.failOn ?? config.fail_on,
    load: o.load ? { ...config.load, ...defined(o.load), enabled: true } : config.load,
  };
}

/**
 * The baseline as one shape, flags over the config: `--baseline FILE` alone names the file to
 * compare with (whatever the config serves); with `--baseline-endpoint` / `--baseline-command` it
 * is the file that baseline serves, for its version.
 */
function baselineWithOverrides(given: GateConfig['baseline'], o: Overrides): BaselineConfig | null {
  const defined = <T extends object>(x: T) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as Partial<T>;
  if (o.baseline && !o.baselineEndpoint && !o.baselineCommand) return { path: o.baseline };
  let b: BaselineConfig | null = typeof given === 'string' ? { path: given } : given ? { ...given } : null;
  if (o.baseline) b = { ...b, path: o.baseline };
  if (o.baselineEndpoint) {
    const flags = defined(o.baselineEndpoint);
    const endpoint = endpointWithDefaults({ ...b?.endpoint, ...flags, headers: { ...b?.endpoint?.headers, ...o.baselineEndpoint.headers } } as Partial<EndpointConfig>);
    b = { ...b, endpoint, command: undefined };
  }
  if (o.baselineCommand) b = { ...b, command: commandWithDefaults({ ...b?.command, run: o.baselineCommand }), endpoint: undefined };
  return b;
}
