/** The CLI shell around the engine; testable without spawning a process. */
import { systemClock } from './clock.ts';
import { ConfigValidationError, formatIssue } from './config/load.ts';
import type { Decision } from './decision.ts';
import { ConfigError, formatLocated, getErrorMessage, isUserError } from './errors.ts';
import { runDrift } from './drift/command.ts';
import { contentTimestamp, detectProvenance } from './provenance.ts';
import { writeReports } from './report/files.ts';
import { TOOL_VERSION } from './report/json.ts';
import { renderDriftTerminal, renderTerminal } from './report/terminal.ts';
import { loadOnnxRuntime } from './runners/onnxruntime-loader.ts';
import { settingsFromArgv } from './settings.ts';
import { validate } from './validate.ts';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const EXIT_CODES: Record<Decision | 'error', number> = { GO: 0, 'NO-GO': 1, error: 2, DELAY: 3 };

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let debug = argv.includes('--debug') || io.env.RUNNER_DEBUG === '1';
  const progress = (message: string) => io.stderr.write(`› ${message}\n`);
  try {
    const command = settingsFromArgv(argv, io.env);
    if (command.kind === 'help') {
      io.stdout.write(command.text);
      return 0;
    }
    if (command.kind === 'version') {
      io.stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    }
    debug = command.settings.debug;
    if (command.kind === 'drift') {
      const report = await runDrift(command.settings, { clock: systemClock, progress });
      const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
      io.stdout.write(command.settings.json ? `${JSON.stringify(report, null, 2)}\n` : renderDriftTerminal(report, color));
      return EXIT_CODES[report.decision];
    }
    const { settings } = command;
    const run = await validate(settings, {
      clock: systemClock,
      loadRuntime: () => loadOnnxRuntime({ info: progress }, io.env),
      progress,
      provenance: detectProvenance(io.env),
      contentTimestamp,
      env: io.env,
    });
    const files = await writeReports(settings.outDir, run.report);
    if (settings.json) {
      io.stdout.write(`${JSON.stringify(run.report, null, 2)}\n`);
    } else {
      const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
      // Fit a terminal's width; logs and pipes get whole lines.
      const width = io.stdout.isTTY ? (io.stdout.columns ?? 120) : Number.POSITIVE_INFINITY;
      io.stdout.write(renderTerminal(run.report, color, width));
      io.stdout.write(`reports: ${files.json}, ${files.manifest}\n`);
    }
    return EXIT_CODES[run.report.decision];
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      io.stderr.write(`model-gate: invalid config\n${error.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}\n`);
    } else if (error instanceof ConfigError) {
      io.stderr.write(`model-gate: ${formatLocated(error)}\n`);
    } else if (isUserError(error)) {
      io.stderr.write(`model-gate: ${getErrorMessage(error)}\n`);
    } else {
      io.stderr.write(`model-gate: unexpected error: ${getErrorMessage(error)}\n`);
      if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
      else io.stderr.write('(run with --debug for details)\n');
    }
    return EXIT_CODES.error;
  }
}
