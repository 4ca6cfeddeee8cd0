/**
 * The module graph of src/ has no import cycle and no import against the layer order of
 * docs/architecture.md: a file may import from its own layer or the layers below it, never above.
 * Every import counts, type-only and dynamic ones too, because a type import is still a
 * dependency a reader must follow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * Top to bottom; docs/architecture.md says why each layer sits where it does (and a test below
 * keeps its table in this order). A member is a file ('validate.ts') or a folder ('checks/'); the
 * longest match wins, so a command can sit in its feature's folder ('drift/drift-command.ts').
 */
const LAYERS: { name: string; members: string[] }[] = [
  { name: 'entries', members: ['cli.ts', 'index.ts', 'main.ts', 'cli-run.ts', 'onnx-worker.ts', 'node-version-gate.ts'] },
  {
    name: 'commands',
    members: [
      'validate.ts', 'init.ts', 'progress-writer.ts',
      'drift/drift-command.ts', 'drift/files.ts',
      'promotion/stage-command.ts', 'promotion/mode.ts', 'promotion/drill-command.ts',
      'monitor/monitor-command.ts', 'monitor/action.ts', 'monitor/alerts-command.ts', 'monitor/files.ts',
      'github/feedback.ts', 'github/comment-from-artifact.ts',
    ],
  },
  { name: 'settings', members: ['settings.ts', 'cli-help.ts', 'overrides.ts'] },
  { name: 'adapters', members: ['github/', 'provenance.ts', 'monitor/version.ts', 'monitor/alert.ts'] },
  { name: 'report', members: ['report/', 'monitor/markdown.ts'] },
  { name: 'families', members: ['checks/', 'drift/', 'load/', 'promotion/', 'monitor/', 'data/prepare.ts'] },
  { name: 'decision', members: ['decision.ts'] },
  { name: 'data', members: ['data/'] },
  { name: 'config', members: ['config/'] },
  { name: 'runners', members: ['runners/'] },
  { name: 'stats', members: ['stats/'] },
  { name: 'core', members: ['core/', 'errors.ts', 'constants.ts', 'clock.ts', 'version.ts', 'redact.ts', 'input-file.ts', 'node-version.ts'] },
];

/** Every .ts file under src/, as a path relative to src/ with forward slashes. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

/** The src/ files a file imports: static, `export … from`, type-only and dynamic `import('…')`. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  // TypeScript's own pre-parser: it skips comments and strings that merely look like imports.
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('./') || spec.startsWith('../'))
    .map((spec) => posix.normalize(posix.join(posix.dirname(file), spec)))
    .filter((target) => target.endsWith('.ts') && !target.startsWith('../'));
}

function layerOf(file: string): number {
  let best = -1;
  let bestLength = 0;
  LAYERS.forEach((layer, index) => {
    for (const member of layer.members) {
      const hit = member.endsWith('/') ? file.startsWith(member) : file === member;
      if (hit && member.length > bestLength) {
        best = index;
        bestLength = member.length;
      }
    }
  });
  return best;
}

/** Cycles as strongly connected components (Tarjan), each reported as one closed path. */
function cycles(graph: Map<string, string[]>): string[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => pathThrough(graph, new Set(component)));
}

/** A closed path through one component, from its first file in sort order back to it. */
function pathThrough(graph: Map<string, string[]>, component: Set<string>): string {
  const start = [...component].sort()[0]!;
  // Breadth-first from start to any file that imports start, within the component.
  const previous = new Map<string, string>([[start, '']]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start].join(' → ');
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [...component].join(', ');
}

const files = sourceFiles().sort();
const graph = new Map(files.map((file) => [file, [...new Set(importsOf(file))]]));

describe('module layers', () => {
  it('reads the imports it checks (static, type-only, export-from and dynamic)', () => {
    expect(graph.get('index.ts')).toContain('main.ts'); // dynamic import('./main.ts')
    expect(graph.get('decision.ts')).toEqual(['core/check-result.ts']); // import type { … }
    expect(graph.get('promotion/judge.ts')).toContain('promotion/histogram.ts'); // export { … } from
    expect(files.length).toBeGreaterThan(100);
  });

  it('places every file of src/ in a layer', () => {
    expect(files.filter((file) => layerOf(file) < 0)).toEqual([]);
  });

  it('keeps the layer table of docs/architecture.md in the same order', () => {
    const doc = readFileSync(resolve(SRC, '../docs/architecture.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (\d+) \| \*\*([a-z]+)\*\* \|/gm)].map((m) => m[2]);
    expect(rows).toEqual(LAYERS.map((layer) => layer.name));
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('imports only from the same layer or a layer below', () => {
    const upward = files.flatMap((file) =>
      graph.get(file)!.filter((target) => layerOf(target) < layerOf(file))
        .map((target) => `${file} (${LAYERS[layerOf(file)]!.name}) → ${target} (${LAYERS[layerOf(target)]!.name})`),
    );
    expect(upward).toEqual([]);
  });
});
