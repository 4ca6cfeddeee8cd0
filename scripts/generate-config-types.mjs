// Generates src/config/schema-types.ts, the TypeScript types of the config, from the JSON Schema,
// so the two cannot drift apart; src/config/types.ts re-exports them under the names the tree uses.
//   node scripts/generate-config-types.mjs          rewrite src/config/schema-types.ts
//   node scripts/generate-config-types.mjs --check  exit 1 when it is stale
// A small generator for the subset the schema uses (type, properties, required, default,
// additionalProperties, items, enum, const, $ref, allOf, oneOf) rather than a dependency.
// The types describe the config AFTER loading: a property with a schema default is required,
// because src/config/load.ts validates with Ajv's useDefaults and so always fills it in.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA = 'schema/model-gate.schema.json';
const OUT = 'src/config/schema-types.ts';

/** The object types (by JSON pointer into the schema) that get a name; every other object is written inline. */
const NAMES = {
  '': 'GateConfig',
  '/properties/model': 'ModelConfig',
  '/properties/model/properties/inputs/additionalProperties': 'InputBindingConfig',
  '/properties/model/properties/outputs/additionalProperties': 'OutputConfig',
  '/properties/model/properties/endpoint': 'EndpointConfig',
  '/properties/model/properties/command': 'CommandConfig',
  '/properties/baseline': 'BaselineConfig',
  '/properties/data': 'DataConfig',
  '/properties/checks': 'ChecksConfig',
  '/properties/checks/properties/latency/properties/limits/additionalProperties': 'LatencyLimits',
  '/properties/checks/properties/resources': 'ResourceLimits',
  '/properties/metrics': 'MetricsConfig',
  '/properties/comparison': 'ComparisonConfig',
  '/properties/slices/oneOf/1': 'SlicesConfig',
  '/properties/drift': 'DriftConfig',
  '/properties/drift/properties/features/additionalProperties': 'FeatureRule',
  '/properties/load': 'LoadConfig',
  '/properties/promotion': 'PromotionConfig',
  '/properties/promotion/properties/metrics/items': 'PromotionMetric',
  '/properties/monitor': 'MonitorConfig',
  '/definitions/severity': 'Severity',
  '/definitions/outcome': 'Outcome',
  '/definitions/scenario': 'ScenarioConfig',
  '/definitions/metricThreshold': 'MetricThreshold',
  '/definitions/query': 'MetricQuery',
  '/definitions/sliceSpec': 'SliceSpec',
  '/definitions/monitorSource': 'MonitorSource',
};

/**
 * Keys the loader fills in beyond the schema's defaults: an error scenario given in part keeps the
 * rest of its built-in default, and `enabled` defaults to true (load.ts withScenarioDefaults).
 */
const FILLED_BY_LOADER = { '/definitions/scenario': ['enabled', 'expect', 'severity'] };

/**
 * Keys with a schema default that stay optional in the type (optional is the looser, always-safe
 * reading): code and tests also build these objects by hand, and their readers fall back to the
 * same default (`m.tail?.factor ?? …` in promotion/evidence.ts, `max_line_mb ?? 64` in runners/command.ts).
 */
const KEPT_OPTIONAL = {
  '/properties/model/properties/command': ['max_line_mb'],
  '/properties/promotion/properties/metrics/items': ['tail'],
};

/**
 * Where the schema leaves a shape open that the code reads more precisely. `value`: the schema
 * accepts any array (nesting is checked where the value is bound to an input's shape).
 */
const TS_OVERRIDES = {
  '/properties/model/properties/inputs/additionalProperties/properties/value': 'InputValue',
};
const EXTRA = [
  '/** A constant fed to an input: a scalar (broadcast to the input\'s shape) or a nested array. */',
  'export type InputValue = number | boolean | string | InputValue[];',
];

export function generate(schema) {
  const named = new Map(); // pointer -> emitted declaration text (null while it is being written)
  const order = [];
  const building = [];

  const at = (pointer) =>
    pointer
      .split('/')
      .slice(1)
      .reduce((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], schema);

  const doc = (node, indent) => {
    if (!node.description) return '';
    return `${indent}/** ${node.description.replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */\n`;
  };
  const key = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
  const paren = (t) => (/[|&]/.test(t) && !/^[[{(]/.test(t) ? `(${t})` : t);
  const union = (types) => [...new Set(types)].join(' | ');

  /** The type of the schema node at `pointer`, written at `indent` (for inline objects). */
  function typeAt(node, pointer, indent) {
    if (TS_OVERRIDES[pointer]) return TS_OVERRIDES[pointer];
    if (node.$ref) {
      const target = node.$ref.replace(/^#/, '');
      return declare(target) ?? typeAt(at(target), target, indent);
    }
    if (node.allOf) return node.allOf.map((n, i) => paren(typeAt(n, `${pointer}/allOf/${i}`, indent))).join(' & ');
    if (node.oneOf && !node.type) return union(node.oneOf.map((n, i) => typeAt(n, `${pointer}/oneOf/${i}`, indent)));
    if (node.const !== undefined) return JSON.stringify(node.const);
    if (node.enum) return namedEnum(node.enum) ?? union(node.enum.map((v) => JSON.stringify(v)));
    const types = node.type === undefined ? ['object'] : [].concat(node.type);
    return union(types.map((t) => single(node, t, pointer, indent)));
  }

  function single(node, type, pointer, indent) {
    switch (type) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'null':
        return type;
      case 'integer':
        return 'number';
      case 'array': {
        if (!node.items) return 'unknown[]';
        const item = typeAt(node.items, `${pointer}/items`, indent);
        if (node.minItems !== undefined && node.minItems === node.maxItems) return `[${Array(node.minItems).fill(item).join(', ')}]`;
        return `${paren(item)}[]`;
      }
      case 'object':
        return (building.at(-1) !== pointer && declare(pointer)) || objectType(node, pointer, indent);
      default:
        throw new Error(`${SCHEMA}#${pointer}: type "${type}" is not handled by ${import.meta.filename}`);
    }
  }

  /** The name of the object type at `pointer` (declaring it once), or null when it has none. */
  function declare(pointer) {
    const name = NAMES[pointer];
    if (!name) return null;
    if (!named.has(pointer)) {
      named.set(pointer, null);
      order.push(pointer); // outer types first: a reader meets GateConfig before its parts
      building.push(pointer);
      const node = at(pointer);
      // An object (or the object form of a node that also allows a string, say) is an interface.
      const isObject = (node.properties || node.additionalProperties !== undefined) && !node.oneOf;
      const text = isObject ? `export interface ${name} ${objectType(node, pointer, '')}` : `export type ${name} = ${typeAt(node, pointer, '')};`;
      building.pop();
      named.set(pointer, `${doc(node, '')}${text}`);
    }
    return name;
  }

  /** An inline enum with the same values as a named definition (severity, say) is written as its name. */
  function namedEnum(values) {
    const same = (a, b) => a.length === b.length && a.every((v) => b.includes(v));
    const pointer = Object.keys(NAMES).find((p) => p.startsWith('/definitions/') && at(p).enum && same(at(p).enum, values));
    return pointer && !building.includes(pointer) ? declare(pointer) : null;
  }

  function objectType(node, pointer, indent) {
    const props = node.properties ?? {};
    const extra = node.additionalProperties;
    if (Object.keys(props).length === 0) {
      if (extra && typeof extra === 'object') return `Record<string, ${typeAt(extra, `${pointer}/additionalProperties`, indent)}>`;
      return 'Record<string, unknown>';
    }
    if (extra && typeof extra === 'object') throw new Error(`${SCHEMA}#${pointer}: properties beside additionalProperties are not handled`);
    const required = new Set([...(node.required ?? []), ...(FILLED_BY_LOADER[pointer] ?? [])]);
    const inner = `${indent}  `;
    const lines = Object.entries(props).map(([k, p]) => {
      const sure = required.has(k) || (p.default !== undefined && !KEPT_OPTIONAL[pointer]?.includes(k));
      return `${doc(p, inner)}${inner}${key(k)}${sure ? '' : '?'}: ${typeAt(p, `${pointer}/properties/${k}`, inner)};`;
    });
    return `{\n${lines.join('\n')}\n${indent}}`;
  }

  declare('');
  for (const pointer of Object.keys(NAMES)) declare(pointer);
  return [
    `// GENERATED by scripts/generate-config-types.mjs from ${SCHEMA}: do not edit by hand.`,
    '// Change the schema, then run `node scripts/generate-config-types.mjs` (a unit test fails while this file is stale).',
    '/** The config after validation and defaults: a key with a schema default is always present. */',
    '',
    ...EXTRA,
    '',
    ...order.map((p) => named.get(p)).join('\n\n').split('\n'),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate(JSON.parse(readFileSync(`${ROOT}/${SCHEMA}`, 'utf8')));
  if (process.argv.includes('--check')) {
    if (readFileSync(`${ROOT}/${OUT}`, 'utf8') !== text) {
      console.error(`${OUT} is stale: run node scripts/generate-config-types.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(`${ROOT}/${OUT}`, text);
  }
}
