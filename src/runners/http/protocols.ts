/**
 * The serving protocols an endpoint can speak: one line each, the protocol itself in its own file
 * (a ProtocolDescriptor, see ./protocol.ts). A new protocol is a file and a line here, plus its
 * name in the schema's `model.endpoint.protocol` enum (test/unit/config-types.test.ts holds the two
 * lists equal) and, when it has settings of its own, their interface in `EndpointConfig` below and
 * their keys in the schema.
 */
import { custom, type CustomSettings } from './custom.ts';
import { mlflow, type MlflowSettings } from './mlflow.ts';
import type { EndpointBase, Protocol, ProtocolDescriptor, SettingsPlace } from './protocol.ts';
import { tfserving, type TfServingSettings } from './tfserving.ts';
import { v2 } from './v2.ts';

export type { Protocol, RequestSpec } from './protocol.ts';
export { pointer } from './json-shape.ts';

const REGISTRY = {
  v2,
  tfserving,
  mlflow,
  custom,
} satisfies Record<string, ProtocolDescriptor<EndpointConfig>>;

export type ProtocolName = keyof typeof REGISTRY;
/** The protocol names, in the schema's order. */
export const PROTOCOLS = Object.keys(REGISTRY) as ProtocolName[];

/** An endpoint's settings: the shared ones and every protocol's own. */
export interface EndpointConfig extends EndpointBase, TfServingSettings, MlflowSettings, CustomSettings {
  protocol: ProtocolName;
}

const descriptor = (c: EndpointConfig): ProtocolDescriptor<EndpointConfig> => REGISTRY[c.protocol];

export function protocolFor(c: EndpointConfig): Protocol {
  return descriptor(c).build(c);
}

/** Why the endpoint's settings cannot work with its protocol (a setting it needs is missing), or null. */
export function endpointProblem(c: EndpointConfig, place: Omit<SettingsPlace, 'protocol'>): string | null {
  return descriptor(c).problem?.(c, { ...place, protocol: c.protocol }) ?? null;
}
