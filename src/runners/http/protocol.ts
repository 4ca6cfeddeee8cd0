/**
 * What a serving protocol is, for the registry in ./protocols.ts: a descriptor that builds, for
 * one endpoint's settings, how readiness and metadata are asked for and how a request is encoded
 * and its answer decoded (pure: the runner does the HTTP), and says which settings it needs.
 */
import type { Feeds, ModelSignature, Outputs } from '../types.ts';

/** The endpoint settings every protocol shares; a protocol's own settings are declared in its file. */
export interface EndpointBase {
  url: string;
  /** Model name on the server (V2, TF Serving). */
  name?: string;
  version?: string;
  headers: Record<string, string>;
  timeout_ms: number;
  ready_timeout_s: number;
}

export interface RequestSpec {
  path: string;
  body: string;
}

export interface Protocol {
  /** Paths that must answer 2xx before the model counts as ready. */
  readyPaths: string[];
  /** Where the model's metadata is, or null when the protocol has none. */
  metadataPath: string | null;
  signatureOf(metadata: unknown): ModelSignature | null;
  encode(feeds: Feeds, columns: readonly string[] | null): RequestSpec;
  decode(answer: unknown, signature: ModelSignature | null): Outputs;
  /** The path inference requests go to (for the HTTP-level error scenarios). */
  inferPath: string;
  /** Whether requests carry element types and input names (V2 does; row-oriented JSON does not). */
  expresses: { dtype: boolean; names: boolean };
}

/** Where a setting would come from, for the message that asks for it. */
export interface SettingsPlace {
  protocol: string;
  /** The config section: "model" or "baseline". */
  key: 'model' | 'baseline';
  /** The CLI flag prefix: "--" or "--baseline-". */
  flag: string;
  /** The config file (or "the flags"). */
  where: string;
}

export interface ProtocolDescriptor<Settings extends EndpointBase = EndpointBase> {
  /** Why these settings cannot work with this protocol (a missing setting, named with where to give it), or null. */
  problem?(settings: Settings, place: SettingsPlace): string | null;
  build(settings: Settings): Protocol;
}

/** The model's name on the server, which V2 and TF Serving put in every path. */
export function needsName(settings: EndpointBase, { protocol, key, flag, where }: SettingsPlace): string | null {
  if (settings.name) return null;
  return `protocol ${protocol} needs the ${key === 'model' ? "model's" : "baseline's"} name on the server: ${flag}model-name, or ${key}.endpoint.name in ${where}`;
}

/** The model's path on a server that names models, with its version when one is pinned. */
export const modelPath = (root: string, c: EndpointBase): string =>
  `${root}/${encodeURIComponent(c.name ?? '')}${c.version ? `/versions/${encodeURIComponent(c.version)}` : ''}`;
