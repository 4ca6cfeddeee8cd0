/**
 * The oldest Node.js model-gate runs on, checked before anything else loads. It imports nothing:
 * an entry calls it first, then loads the engine, whose modules fail as they load on an old Node
 * (undici 8 reads `zlib.createZstdDecompress`, new in 22.15 / 23.8, and declares `node >= 22.19`).
 */

/** The floor, from the bundled dependencies' `engines` (undici 8: >= 22.19.0). */
export const NODE_FLOOR = { major: 22, minor: 19 } as const;

/** Node 23 only gained zlib's zstd in 23.8. */
const NODE_23_FLOOR = 8;

export const NODE_HOWTO = 'install a current Node.js (https://nodejs.org, nvm install 24, or actions/setup-node with node-version: 24)';

/** The one line for an unsupported Node, or null when `version` (e.g. "20.20.2") is supported. */
export function nodeVersionProblem(version: string): string | null {
  const [major = NaN, minor = NaN] = version.replace(/^v/, '').split('.').map(Number);
  const supported =
    major > 23 || (major === 23 && minor >= NODE_23_FLOOR) || (major === NODE_FLOOR.major && minor >= NODE_FLOOR.minor);
  if (supported) return null;
  return `model-gate needs Node.js ≥ ${NODE_FLOOR.major}.${NODE_FLOOR.minor} (found ${version.replace(/^v/, '')}): ${NODE_HOWTO}`;
}

/** Ends the process with exit code 2 and one line on stderr when this Node is too old. */
export function exitOnUnsupportedNode(prefix = ''): void {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem === null) return;
  process.stderr.write(`${prefix}${problem}\n`);
  process.exit(2);
}
