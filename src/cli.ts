#!/usr/bin/env node
/** CLI entry: parses argv, runs the shared engine, prints, and exits 0 GO / 1 NO-GO / 2 error / 3 DELAY. */
import { runCli } from './cli-run.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
