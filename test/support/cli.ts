/** Runs the CLI in-process with captured stdout / stderr. */
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli-run.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

export async function cli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, env: { ...env, NO_COLOR: '1' } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A check from a report by id; a missing one fails the test naming the ids that are there. */
export function byId<C extends { id: string }>(report: { checks: C[] }, id: string): C {
  const c = report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${report.checks.map((x) => x.id).join(', ')}`);
  return c;
}
