#!/usr/bin/env node
// What the test suite needs beyond Node and npm, checked before `npm test` runs it. On a Debian or
// Ubuntu machine as root, missing packages are installed with apt-get; elsewhere the exact install
// line is printed and the run fails. MODEL_GATE_TEST_SKIP_MISSING=1 runs the suite anyway: the
// tests that need a missing tool are skipped, and the tally counts them as skipped.
// Also imported by the tests (test/support/tools.ts) so that both agree on what "present" means.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Each tool: what needs it, how to find it, and the Debian packages that bring it. */
export const TOOLS = {
  python: { why: 'the command runner tests (a pickled scikit-learn model, adapters) and the A/A simulation (ONNX export with onnx.helper)', packages: ['python3', 'python3-sklearn', 'python3-numpy', 'python3-onnx'] },
  xgboost: { why: 'the Python adapter tests (an XGBoost model)', packages: ['python3', 'python3-xgboost'] },
  torch: { why: 'the Python adapter tests (a TorchScript model)', packages: ['python3', 'python3-torch'] },
  openssl: { why: 'the TLS test (a self-signed certificate)', packages: ['openssl'] },
  nginx: { why: 'the staged promotion end-to-end test', packages: ['nginx-light'] },
  prometheus: { why: 'the staged promotion end-to-end test', packages: ['prometheus'] },
  xmllint: { why: 'the JUnit report tests (validation against the JUnit XSD)', packages: ['libxml2-utils'] },
  chromium: { why: 'the browser tests of report.html and the Mermaid charts (headless Chromium)', packages: ['chromium', 'fonts-noto-color-emoji'] },
};

/** A command on PATH, or in the sbin directories Debian puts servers in. */
export function which(command, env = process.env) {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  return dirs.map((d) => join(d, command)).find((p) => existsSync(p)) ?? null;
}

/** The Python the tests run: Debian's, where it is, else python3 on PATH. */
export function python(env = process.env) {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : which('python3', env);
}

/** Debian's Chromium (the browser tests drive it through playwright-core). */
export function chromiumPath(env = process.env) {
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : which('chromium', env);
}

/** Whether each tool is usable here. */
export function present(env = process.env) {
  const py = python(env);
  return {
    python: py !== null && spawnSync(py, ['-c', 'import sklearn, numpy, onnx'], { stdio: 'ignore' }).status === 0,
    // Found, not imported: importing torch takes seconds, and every test file asks.
    xgboost: py !== null && spawnSync(py, ['-c', 'import importlib.util as u, sys; sys.exit(u.find_spec("xgboost") is None)'], { stdio: 'ignore' }).status === 0,
    torch: py !== null && spawnSync(py, ['-c', 'import importlib.util as u, sys; sys.exit(u.find_spec("torch") is None)'], { stdio: 'ignore' }).status === 0,
    openssl: which('openssl', env) !== null,
    nginx: which('nginx', env) !== null,
    prometheus: which('prometheus', env) !== null,
    xmllint: which('xmllint', env) !== null,
    chromium: chromiumPath(env) !== null,
  };
}

export const missingTools = (env = process.env) => Object.entries(present(env)).filter(([, ok]) => !ok).map(([name]) => name);
export const installLine = (names) => `apt-get update && apt-get install -y ${[...new Set(names.flatMap((n) => TOOLS[n].packages))].join(' ')}`;

function main() {
  const env = process.env;
  let missing = missingTools(env);
  if (missing.length === 0) return 0;
  const canInstall = env.MODEL_GATE_TEST_INSTALL !== 'never' && process.getuid?.() === 0 && which('apt-get', env) !== null;
  if (canInstall && env.MODEL_GATE_TEST_SKIP_MISSING !== '1') {
    console.error(`model-gate tests: installing ${missing.join(', ')} (${installLine(missing)})`);
    const packages = [...new Set(missing.flatMap((n) => TOOLS[n].packages))];
    const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } };
    if (spawnSync('apt-get', ['update', '-qq'], quiet).status !== 0 || spawnSync('apt-get', ['install', '-y', '-qq', ...packages], quiet).status !== 0) {
      console.error(`model-gate tests: apt-get failed; install them yourself: ${installLine(missing)}`);
      return 1;
    }
    missing = missingTools(env);
    if (missing.length === 0) return 0;
  }
  const lines = missing.map((n) => `  ${n}: for ${TOOLS[n].why}`);
  if (env.MODEL_GATE_TEST_SKIP_MISSING === '1') {
    console.error(['model-gate tests: skipping the tests that need tools this machine lacks (MODEL_GATE_TEST_SKIP_MISSING=1):', ...lines].join('\n'));
    return 0;
  }
  console.error(
    [
      'model-gate tests need tools this machine lacks:',
      ...lines,
      'Install them (Debian/Ubuntu, as root):',
      `  ${installLine(missing)}`,
      'or run with MODEL_GATE_TEST_SKIP_MISSING=1 to skip the tests that need them (the tally counts them as skipped).',
    ].join('\n'),
  );
  return 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main();
