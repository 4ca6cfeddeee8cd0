// Generates the reference tables of docs/reference.md from their sources, so they cannot drift:
// the action's inputs and outputs from action.yml, the config reference from the JSON Schema.
//   node scripts/generate-docs.mjs          rewrite docs/reference.md
//   node scripts/generate-docs.mjs --check  exit 1 when docs/reference.md is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const action = parse(readFileSync('action.yml', 'utf8'));
const schema = JSON.parse(readFileSync('schema/model-gate.schema.json', 'utf8'));

const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ').trim();

function inputsTable() {
  const rows = Object.entries(action.inputs).map(
    ([name, i]) => `| \`${name}\` | ${cell(i.description)} | ${i.default !== undefined ? `\`${cell(i.default)}\`` : ''} |`,
  );
  return ['| Input | Description | Default |', '|---|---|---|', ...rows].join('\n');
}

function outputsTable() {
  const rows = Object.entries(action.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`);
  return ['| Output | Description |', '|---|---|', ...rows].join('\n');
}

function resolve(node) {
  if (node?.$ref) return resolve(schema.definitions[node.$ref.split('/').pop()]);
  if (node?.allOf?.length === 1) return { ...resolve(node.allOf[0]), ...node, allOf: undefined };
  return node;
}

function typeOf(node) {
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (node.const !== undefined) return `\`${node.const}\``;
  if (node.type === 'array') return `list of ${node.items ? typeOf(resolve(node.items)) : 'values'}`;
  return [].concat(node.type ?? 'object').join(' \\| ');
}

// A property that refers to a shared definition (an error scenario) gets one row with its default;
// the definition's own keys are listed once, under `<parent>.<name>`.
const refName = (node) => (node?.allOf?.length === 1 && node.allOf[0].$ref ? node.allOf[0].$ref.split('/').pop() : null);

function rows(node, path, out, mapKey = '<name>') {
  node = resolve(node);
  const props = node.properties ?? {};
  const shared = new Set();
  for (const [key, child0] of Object.entries(props)) {
    const p = path ? `${path}.${key}` : key;
    // A section that reuses another one (baseline.endpoint is model.endpoint): one row pointing there.
    if (child0?.$ref && !child0.$ref.startsWith('#/definitions/')) {
      const same = child0.$ref.slice(2).split('/').filter((k) => k !== 'properties').join('.');
      out.push(`| \`${p}\` | object |  | The same keys as \`${same}\`. |`);
      continue;
    }
    const child = resolve(child0);
    const ref = refName(child0);
    if (ref && child.properties) {
      shared.add(ref);
      out.push(`| \`${p}\` | ${ref} | \`${JSON.stringify(child0.default ?? {})}\` | ${cell(child0.description)} |`);
      continue;
    }
    const nested = child.properties && Object.keys(child.properties).length > 0 && child.type !== 'array';
    const def = child0.default ?? child.default;
    const shownDefault = def === undefined || (nested && typeof def === 'object') ? '' : `\`${JSON.stringify(def)}\``;
    const shownType = nested ? [].concat(child.type ?? 'object').join(' \\| ') : typeOf(child);
    if (!nested || child.description) out.push(`| \`${p}\` | ${shownType} | ${shownDefault} | ${cell(child.description)} |`);
    if (nested) rows(child, p, out);
    if (child.additionalProperties && typeof child.additionalProperties === 'object') {
      const placeholder = child.propertyNames ? '<batch size>' : mapKey;
      rows(child.additionalProperties, `${p}.${placeholder}`, out);
    }
  }
  for (const ref of shared) rows(schema.definitions[ref], `${path}.<${ref}>`, out);
  return out;
}

function configTable() {
  return ['| Key | Type | Default | Description |', '|---|---|---|---|', ...rows(schema, '', [])].join('\n');
}

const sections = { inputs: inputsTable(), outputs: outputsTable(), config: configTable() };

const FILE = 'docs/reference.md';

export function render(reference) {
  let text = reference;
  for (const [name, body] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(text)) throw new Error(`${FILE} has no <!-- ${name}:start --> ... <!-- ${name}:end --> block`);
    text = text.replace(re, `$1\n${body}\n$2`);
  }
  return text;
}

const current = readFileSync(FILE, 'utf8');
const next = render(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error(`${FILE} is out of date with action.yml or the config schema: run \`npm run docs\`.`);
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(FILE, next);
}
