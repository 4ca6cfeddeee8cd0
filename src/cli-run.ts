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
import type { PendingRollback } from './promotion/command.ts';
import { runPromotionMode } from './promotion/run.ts';
import { handleInterrupts } from './promotion/signals.ts';
import { renderStageTerminal } from './report/promotion.ts';

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
    if (settings.mode === 'promote' || settings.mode === 'rollback' || settings.mode === 'status') {
      let pending: PendingRollback | null = null;
      const interrupts = handleInterrupts(() => pending !== null, progress);
      try {
        const outcome = await runPromotionMode(settings, {
          clock: systemClock,
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          log: progress,
          env: io.env,
          secret: () => undefined,
          records: null,
          logUrl: null,
          ref: 'HEAD',
          outDir: settings.outDir,
          pending: (undo) => (pending = undo),
          interruption: interrupts.interruption,
        });
        if (outcome.mode === 'status') {
          io.stdout.write(settings.json ? `${JSON.stringify(outcome.view, null, 2)}\n` : outcome.view.local ? `${outcome.view.local.version} at ${outcome.view.local.stage}: ${outcome.view.local.outcome} — ${outcome.view.local.reason}\n` : 'no promotion recorded here\n');
          return 0;
        }
        if (outcome.mode === 'rollback') {
          io.stdout.write(outcome.ok ? 'rolled back: all traffic on stable\n' : `rollback failed: ${outcome.error}\n`);
          return outcome.ok ? 0 : 1;
        }
        const { report, skipped } = outcome.result;
        if (!report) {
          io.stdout.write(`nothing to do: ${skipped}\n`);
          return 0;
        }
        io.stdout.write(settings.json ? `${JSON.stringify(report, null, 2)}\n` : renderStageTerminal(report));
        return report.outcome === 'promoted' ? 0 : 1;
      } finally {
        interrupts.stop();
      }
    }
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
      io.stdout.write(`reports: ${files.json}, ${files.html}, ${files.manifest}\n`);
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
