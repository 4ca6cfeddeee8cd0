/**
 * The files a model file consists of and their sha256: the ONNX graph file, then every external
 * data file it references (weights saved beside it, the norm above 2 GB), each checked to sit
 * inside the model's directory before anything (onnxruntime included) opens it.
 *
 * The model's sha256 is sha256 over the bytes of those files concatenated in that order (the
 * graph file, then each external file once, in order of first reference in the graph file):
 * `cat model.onnx weights.bin | sha256sum`. For a model without external data that is the plain
 * sha256 of the file, as it always was, so existing version IDs and pins stay valid.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep, win32 } from 'node:path';
import { getErrorMessage } from '../errors.ts';
import { inputFileProblem } from '../input-file.ts';
import { readExternalDataRefs, type ExternalDataRef } from './onnx-external-data.ts';
import { readOnnxFormat, type OnnxFormat } from './onnx-format.ts';

export interface ModelFile {
  /** The graph file's path as given; an external file's as the model's directory joined with its location. */
  path: string;
  size_bytes: number;
  sha256: string;
}

export interface ExternalDataProblem {
  /** The tensors affected (all of them, in file order). */
  tensors: string[];
  location: string | null;
  problem: string;
}

export interface ExternalData {
  /** Tensors stored outside the graph file. */
  tensors: number;
  problems: ExternalDataProblem[];
}

export interface ModelFiles {
  path: string;
  /** Why the graph file could not be read; null when it was. */
  readError: string | null;
  /** Of every file in `files`. */
  size_bytes: number;
  /** Over `files` concatenated in order; '' when the file could not be read or its external data is unusable. */
  sha256: string;
  /** The files hashed, in hash order: the graph file first. */
  files: ModelFile[];
  format: OnnxFormat | null;
  /** Why the bytes are not an ONNX model; null when they are. */
  formatError: string | null;
  /** null when the model stores nothing outside its file (or is not an ONNX model). */
  external: ExternalData | null;
}

/** onnxruntime reads this location as a memory address, not a file: never from a model on disk. */
const ORT_MEMORY_TAG = '*/_ORT_MEM_ADDR_/*';

export async function readModelFiles(path: string): Promise<ModelFiles> {
  let bytes: Buffer;
  try {
    const refused = await inputFileProblem(path); // a regular file, never a device, FIFO or a link out of the workspace
    if (refused) return { ...none(path), readError: refused };
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    bytes = await readFile(path);
  } catch (error) {
    return { ...none(path), readError: describeIoError(error) };
  }
  const graph: ModelFile = { path, size_bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  const single: ModelFiles = { ...none(path), size_bytes: graph.size_bytes, sha256: graph.sha256, files: [graph] };
  let format: OnnxFormat;
  try {
    format = readOnnxFormat(bytes);
  } catch (error) {
    return { ...single, formatError: getErrorMessage(error) };
  }
  let refs: ExternalDataRef[];
  try {
    refs = readExternalDataRefs(bytes);
  } catch (error) {
    // Fail closed: tensors we cannot list could point anywhere.
    const problem = { tensors: [], location: null, problem: `cannot list the tensors stored outside the graph: ${getErrorMessage(error)}` };
    return { ...single, format, sha256: '', external: { tensors: 0, problems: [problem] } };
  }
  if (refs.length === 0) return { ...single, format };
  return { ...(await withExternalData(path, bytes, graph, refs)), format };
}

/** The facts for a model served without a file: nothing to hash or parse. */
export function noModelFile(target: string): ModelFiles {
  return none(target);
}

/** onnxruntime may open the model: it was read, and its external data (if any) stays in its directory. */
export function safeToOpen(facts: ModelFiles): boolean {
  return facts.readError === null && (facts.external?.problems.length ?? 0) === 0;
}

const none = (path: string): ModelFiles => ({
  path,
  readError: null,
  size_bytes: 0,
  sha256: '',
  files: [],
  format: null,
  formatError: null,
  external: null,
});

interface Located {
  display: string;
  real: string;
  refs: ExternalDataRef[];
}

async function withExternalData(path: string, bytes: Buffer, graph: ModelFile, refs: ExternalDataRef[]): Promise<ModelFiles> {
  const dir = dirname(path);
  const problems: ExternalDataProblem[] = [];
  const byLocation = groupBy(refs, (r) => r.location ?? '');
  const files = new Map<string, Located>(); // by real path, in order of first reference
  let realDir: string;
  try {
    realDir = await realpath(dir);
  } catch (error) {
    return unusable(path, graph, refs.length, [{ tensors: refs.map((r) => r.tensor), location: null, problem: `cannot resolve the model's directory: ${describeIoError(error)}` }]);
  }
  for (const [location, group] of byLocation) {
    const tensors = group.map((r) => r.tensor);
    const display = join(dir, location);
    const where = await locate(location, dir, realDir, display);
    if (typeof where === 'string') problems.push({ tensors, location: group[0]!.location, problem: where });
    else {
      const known = files.get(where.real);
      if (known) known.refs.push(...group);
      else files.set(where.real, { display, real: where.real, refs: group });
    }
  }
  if (problems.length > 0) return unusable(path, graph, refs.length, problems);

  // One pass over each file: its own sha256 and the model's, over the graph and the files in order.
  const model = createHash('sha256').update(bytes);
  const hashed: ModelFile[] = [graph];
  for (const file of files.values()) {
    try {
      const { size, sha256 } = await hashFile(file.real, model);
      hashed.push({ path: file.display, size_bytes: size, sha256 });
      problems.push(...outOfBounds(file.refs, size, file.display));
    } catch (error) {
      problems.push({ tensors: file.refs.map((r) => r.tensor), location: file.refs[0]!.location, problem: `cannot read ${file.display}: ${describeIoError(error)}` });
    }
  }
  if (problems.length > 0) return unusable(path, graph, refs.length, problems);
  return {
    ...none(path),
    size_bytes: hashed.reduce((n, f) => n + f.size_bytes, 0),
    sha256: model.digest('hex'),
    files: hashed,
    external: { tensors: refs.length, problems: [] },
  };
}

function unusable(path: string, graph: ModelFile, tensors: number, problems: ExternalDataProblem[]): ModelFiles {
  return { ...none(path), size_bytes: graph.size_bytes, files: [graph], external: { tensors, problems } };
}

/** Where a location points, or why it may not be opened. */
async function locate(location: string, dir: string, realDir: string, display: string): Promise<{ real: string } | string> {
  const problem = locationProblem(location);
  if (problem) return problem;
  let real: string;
  try {
    real = await realpath(resolve(dir, location));
  } catch (error) {
    return `${display}: ${describeIoError(error)}`;
  }
  const inside = relative(realDir, real);
  if (inside.split(sep)[0] === '..' || isAbsolute(inside)) {
    return `resolves (through a symbolic link) to ${real}, outside the model's directory ${realDir}`;
  }
  try {
    if (!(await stat(real)).isFile()) return `${display} is not a regular file`;
  } catch (error) {
    return `${display}: ${describeIoError(error)}`;
  }
  return { real };
}

/** The ONNX spec: a location is a path relative to the model's directory. Anything else is refused. */
export function locationProblem(location: string): string | null {
  if (location === '') return 'no location: the tensor is marked as external data but names no file';
  if (location.includes('\0')) return 'the location contains a NUL byte';
  if (location === ORT_MEMORY_TAG) return `"${ORT_MEMORY_TAG}" makes onnxruntime read process memory, never valid in a model file`;
  if (isAbsolute(location) || win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) {
    return "an absolute path: external data must be stored in the model's directory, its location relative to it";
  }
  // Both separators: a model written on Windows may use backslashes, and onnxruntime there follows them.
  let depth = 0;
  for (const part of location.split(/[\\/]+/)) {
    if (part === '..') depth -= 1;
    else if (part !== '.' && part !== '') depth += 1;
    if (depth < 0) return "leaves the model's directory: external data must be stored in it or below it";
  }
  return null;
}

function outOfBounds(refs: ExternalDataRef[], size: number, display: string): ExternalDataProblem[] {
  const problems: ExternalDataProblem[] = [];
  for (const ref of refs) {
    const offset = ref.offset === null ? 0 : decimal(ref.offset);
    const length = ref.length === null ? null : decimal(ref.length);
    const problem =
      offset === null
        ? `offset "${ref.offset}" is not a whole number of bytes`
        : length === null && ref.length !== null
          ? `length "${ref.length}" is not a whole number of bytes`
          : offset + (length ?? 0) > size
            ? `offset ${offset}${length === null ? '' : ` + length ${length}`} runs past the end of ${display} (${size} bytes): is the file truncated or the wrong one?`
            : null;
    if (problem) problems.push({ tensors: [ref.tensor], location: ref.location, problem });
  }
  return problems;
}

function decimal(s: string): number | null {
  if (!/^\d{1,16}$/.test(s.trim())) return null;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) ? n : null;
}

async function hashFile(path: string, model: Hash): Promise<{ size: number; sha256: string }> {
  const own = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    own.update(buf);
    model.update(buf);
    size += buf.length;
  }
  return { size, sha256: own.digest('hex') };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ELOOP') return 'too many symbolic links';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return getErrorMessage(error);
}
