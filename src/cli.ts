#!/usr/bin/env node
/**
 * CLI entry: checks the Node.js version first, then parses argv, runs the shared engine, prints,
 * and exits 0 GO / 1 NO-GO / 2 error / 3 DELAY.
 */
import { exitOnUnsupportedNode } from './node-version.ts';

exitOnUnsupportedNode();
// Loaded only after the check (static imports would be evaluated first); "eager" keeps it in the
// one bundle file, still unevaluated until this line.
const { runCli } = await import(/* webpackMode: "eager" */ './cli-run.ts');

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
