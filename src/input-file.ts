/**
 * The one gate every data and model file passes before it is opened: it must be a regular file,
 * not a device, FIFO, socket or a file under /proc, /sys or /dev, and a symbolic link (the file
 * itself, or a linked directory inside the workspace) must not lead out of the workspace. A pull
 * request can commit such links: `data.csv -> /proc/self/environ` once put the whole environment
 * in a check message, and a FIFO made the gate wait forever. Checked with stat (which never
 * opens, so never blocks); MODEL_GATE_ALLOW_ANY_FILE=true lifts the refusals for a trusted setup.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputFileError, getErrorMessage } from './errors.ts';

export const ALLOW_ANY_FILE_ENV = 'MODEL_GATE_ALLOW_ANY_FILE';

/** Pseudo-file systems: their "regular" files are process state (environment, memory), not data. */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (rel.split(sep)[0] !== '..' && !isAbsolute(rel));
};

function kindOf(info: Awaited<ReturnType<typeof stat>>): string | null {
  if (info.isFile()) return null;
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function ioProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ELOOP') return 'too many symbolic links';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return getErrorMessage(error);
}

/**
 * Why `path` may not be opened as a data or model file, or null when it may. A missing file is
 * left to the reader (which names it in its own words); only what must never be opened is refused.
 */
export async function inputFileProblem(path: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const allowed = env[ALLOW_ANY_FILE_ENV] === 'true' || env[ALLOW_ANY_FILE_ENV] === '1';
  const how = allowed ? '' : ` (set ${ALLOW_ANY_FILE_ENV}=true to allow it)`;
  const lexical = resolve(path);
  let real: string;
  let link: boolean;
  try {
    link = (await lstat(lexical)).isSymbolicLink();
    real = await realpath(lexical);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : ioProblem(error);
  }
  let info;
  try {
    info = await stat(real);
  } catch (error) {
    return ioProblem(error);
  }
  const kind = kindOf(info);
  // A directory can never be read as a file, allowed or not.
  if (kind === 'a directory') return `is a directory${real !== lexical ? ` (${real})` : ''}`;
  if (allowed) return null;
  const shown = real !== lexical ? `resolves to ${real}, which is` : 'is';
  if (kind) return `${shown} ${kind}, not a regular file: refused${how}`;
  if (SPECIAL_ROOTS.some((root) => inside(root, real))) return `${shown} under ${SPECIAL_ROOTS.find((r) => inside(r, real))}, process state rather than a data file: refused${how}`;
  const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());
  let realWorkspace = workspace;
  try {
    realWorkspace = await realpath(workspace);
  } catch {
    // a workspace that does not exist holds nothing: compare with its name as given
  }
  // A plain path the user named outside the workspace (/tmp/eval.csv) is theirs to name; a link
  // (the file, or a directory inside the workspace) that leads out of it is not.
  const through = link || inside(workspace, lexical) || inside(realWorkspace, lexical);
  if (through && real !== lexical && !inside(realWorkspace, real)) {
    return `is a symbolic link to ${real}, outside the workspace ${realWorkspace}: refused${how}`;
  }
  return null;
}

/** Throws an InputFileError naming `path` when it may not be opened (see inputFileProblem). */
export async function checkInputFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const problem = await inputFileProblem(path, env);
  if (problem) throw new InputFileError(path, problem);
}
