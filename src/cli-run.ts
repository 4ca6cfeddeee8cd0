/**
 * The CLI shell around the engine: argv -> settings -> the command's runner (one a mode, picked by
 * settings.ts's route) -> stdout and an exit code; one catch. Testable without spawning a process.
 */
import { systemClock } from './clock.ts';
import type { Decision } from './decision.ts';
import { ERROR_EXIT_CODE, classifyError, failureText } from './errors.ts';
import { runDrift } from './drift/drift-command.ts';
import { contentTimestamp, detectProvenance } from './provenance.ts';
import { removeReportFile, removeReports, writeReportFile, writeReports } from './report/files.ts';
import { renderJunit } from './report/junit.ts';
import { hostname } from 'node:os';
import { TOOL_VERSION } from './report/json.ts';
import { renderDriftTerminal, renderTerminal } from './report/terminal.ts';
import { loadOnnxRuntime } from './runners/onnxruntime-loader.ts';
import { route, settingsFromArgv, type AlertsSettings, type CliMode, type DriftSettings, type InitSettings, type MonitorSettings, type PromoteSettings, type PromotionSettings, type ReportSettings, type RollbackSettings, type StatusSettings, type Runners, type SuiteSettings } from './settings.ts';
import { validate } from './validate.ts';
import type { PendingRollback, PromotionIO } from './promotion/stage-command.ts';
import { runPromote, runRollback, runStatus } from './promotion/mode.ts';
import { handleInterrupts } from './promotion/signals.ts';
import { renderStageTerminal } from './report/promotion.ts';
import { renderDrillTerminal } from './report/drill.ts';
import { redactorFor, type Redactor } from './redact.ts';
import { resolveConfig } from './config/load.ts';
import { relative } from 'node:path';
import { defaultCommentId, githubContext, runUrl } from './github/context.ts';
import { renderComment } from './report/comment.ts';
import { readReport } from './report/read.ts';
import { writeDriftReports } from './drift/files.ts';
import { runInit } from './init.ts';
import { progressWriter } from './progress-writer.ts';
import { runMonitor } from './monitor/monitor-command.ts';
import { runAlerts } from './monitor/alerts-command.ts';
import { writeMonitorReports } from './monitor/files.ts';
import { renderMonitorTerminal } from './monitor/markdown.ts';
import { MONITOR_EXIT_CODES } from './monitor/status.ts';
import { deploymentRecordsFor } from './monitor/version.ts';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const EXIT_CODES: Record<Decision | 'error', number> = { GO: 0, 'NO-GO': 1, error: ERROR_EXIT_CODE, DELAY: 3 };

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let debug = argv.includes('--debug') || io.env.RUNNER_DEBUG === '1';
  // Everything the CLI prints passes the run's redactor (grown once the settings and config are known).
  let shield: Redactor = redactorFor(io.env);
  const stdout = { write: (text: string) => io.stdout.write(terminalSafe(shield.text(text))) };
  const stderr = { write: (text: string) => io.stderr.write(terminalSafe(shield.text(text))) };
  const progress = progressWriter((text) => stderr.write(text), (codes) => io.stderr.write(codes), Boolean(io.stderr.isTTY));
  try {
    const command = settingsFromArgv(argv, io.env);
    if (command.kind === 'help') {
      stdout.write(command.text);
      return 0;
    }
    if (command.kind === 'version') {
      stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    }
    const { settings } = command;
    if ('configPath' in settings) shield = shieldFor(io.env, settings);
    debug = settings.debug;
    return await route(cliRunners({ io, stdout, stderr, progress, shield }), settings);
  } catch (error) {
    stderr.write(failureText(classifyError(error), debug));
    return ERROR_EXIT_CODE;
  }
}

/** What a command's runner prints through: everything redacted, control characters shown. */
interface CliShell {
  io: CliIO;
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
  progress: (message: string) => void;
  shield: Redactor;
}

/** The CLI's runner of each command; each returns the exit code. */
function cliRunners(shell: CliShell): Runners<CliMode, number> {
  return {
    validate: (settings) => suite(settings, shell, { junitPath: settings.junitPath, commentPreview: settings.commentPreview }),
    load: (settings) => suite(settings, shell, {}),
    promote: (settings) => promote(settings, shell),
    rollback: (settings) => rollback(settings, shell),
    status: (settings) => status(settings, shell),
    monitor: (settings) => monitor(settings, shell),
    alerts: (settings) => alerts(settings, shell),
    drift: (settings) => drift(settings, shell),
    init: (settings) => init(settings, shell),
    report: (settings) => report(settings, shell),
  };
}

async function init(settings: InitSettings, { io, stdout, progress }: CliShell): Promise<number> {
  const written = await runInit(settings, { loadRuntime: () => loadOnnxRuntime({ info: progress }, io.env), env: io.env });
  stdout.write(`wrote ${written.path}${written.todo ? ' (fill in the TODO lines, then run model-gate validate)' : '; next: model-gate validate'}\n`);
  return 0;
}

async function report(settings: ReportSettings, { stdout }: CliShell): Promise<number> {
  const report = await readReport(settings.report);
  const files = await writeReports(settings.outDir, report);
  stdout.write(`reports: ${files.json}, ${files.html}, ${files.markdown}, ${files.manifest}\n`);
  return 0;
}

async function drift(settings: DriftSettings, { io, stdout, progress }: CliShell): Promise<number> {
  const report = await runDrift(settings, { clock: systemClock, progress });
  const written = settings.outDir ? await writeDriftReports(settings.outDir, report) : null;
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  stdout.write(settings.json ? `${JSON.stringify(report, null, 2)}\n` : renderDriftTerminal(report, color));
  if (written && !settings.json) stdout.write(`reports: ${written.json}, ${written.html}, ${written.markdown}\n`);
  return EXIT_CODES[report.decision];
}

async function monitor(settings: MonitorSettings, { io, stdout, progress, shield }: CliShell): Promise<number> {
  const records = deploymentRecordsFor(settings.githubToken, githubContext(io.env, null), { debug: () => undefined, warning: (m) => progress(m) });
  const report = shield.deep(await runMonitor(settings.configPath, settings.overrides, { clock: systemClock, env: io.env, progress, secret: (value) => shield.add(value), records }));
  const written = await writeMonitorReports(settings.outDir, report);
  stdout.write(settings.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderMonitorTerminal(report)}reports: ${written.json}, ${written.markdown}\n`);
  return MONITOR_EXIT_CODES[report.status];
}

async function alerts(settings: AlertsSettings, { io, stdout, stderr }: CliShell): Promise<number> {
  const out = await runAlerts(settings, deploymentRecordsFor(settings.githubToken, githubContext(io.env, null), { debug: () => undefined, warning: (m) => stderr.write(`model-gate alerts: ${m}\n`) }));
  if (settings.output) stdout.write(`wrote ${out.rules} rule${out.rules === 1 ? '' : 's'} to ${settings.output}\n`);
  else stdout.write(out.yaml);
  for (const note of out.notes) stderr.write(`model-gate alerts: ${note}\n`);
  return 0;
}

/** promote, rollback, status: the stage's IO on this machine (no deployment records), interrupts handled. */
async function withPromotionIO(settings: PromotionSettings, { io, progress, shield }: CliShell, act: (pio: PromotionIO) => Promise<number>): Promise<number> {
  let pending: PendingRollback | null = null;
  const interrupts = handleInterrupts(() => pending !== null, progress);
  try {
    return await act({
      clock: systemClock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      log: progress,
      env: io.env,
      secret: (value) => shield.add(value),
      records: null,
      logUrl: null,
      ref: 'HEAD',
      outDir: settings.outDir,
      pending: (undo) => (pending = undo),
      interruption: interrupts.interruption,
    });
  } finally {
    interrupts.stop();
  }
}

async function status(settings: StatusSettings, shell: CliShell): Promise<number> {
  return withPromotionIO(settings, shell, async (pio) => {
    const view = await runStatus(settings, pio);
    const { local, drill } = view;
    const line = local ? `${local.version} at ${local.stage}: ${local.outcome} — ${local.reason}\n` : 'no promotion recorded here\n';
    const drilled = drill ? `rollback drill of ${drill.version}: ${drill.state}${drill.description ? ` — ${drill.description}` : ''}\n` : '';
    shell.stdout.write(settings.json ? `${JSON.stringify(view, null, 2)}\n` : line + drilled);
    return 0;
  });
}

async function rollback(settings: RollbackSettings, shell: CliShell): Promise<number> {
  return withPromotionIO(settings, shell, async (pio) => {
    const outcome = await runRollback(settings, pio);
    shell.stdout.write(outcome.ok ? 'rolled back: all traffic on stable\n' : `rollback failed: ${outcome.error}\n`);
    return outcome.ok ? 0 : 1;
  });
}

/** promote: exit 0 promoted (--drill: passed) or nothing to do, 1 rolled back (--drill: failed). */
async function promote(settings: PromoteSettings, shell: CliShell): Promise<number> {
  const { stdout } = shell;
  return withPromotionIO(settings, shell, async (pio) => {
    const outcome = await runPromote(settings, pio);
    const nothing = (skipped: string | null) => {
      stdout.write(`nothing to do: ${skipped}\n`);
      return 0;
    };
    if (outcome.drill) {
      const { report, skipped } = outcome.result;
      if (!report) return nothing(skipped);
      stdout.write(settings.json ? `${JSON.stringify(report, null, 2)}\n` : renderDrillTerminal(report));
      return report.outcome === 'passed' ? 0 : 1;
    }
    const { report, skipped } = outcome.result;
    if (!report) return nothing(skipped);
    stdout.write(settings.json ? `${JSON.stringify(report, null, 2)}\n` : renderStageTerminal(report));
    return report.outcome === 'promoted' ? 0 : 1;
  });
}

/** validate and load: the suite, its report files, and the checklist on the terminal. */
async function suite(settings: SuiteSettings, { io, stdout, progress, shield }: CliShell, extra: { junitPath?: string; commentPreview?: string }): Promise<number> {
  await removeReports(settings.outDir); // a run that fails must not leave an earlier verdict behind
  if (extra.junitPath) await removeReportFile(extra.junitPath);
  if (extra.commentPreview) await removeReportFile(extra.commentPreview);
  const run = await validate(settings, {
    clock: systemClock,
    loadRuntime: () => loadOnnxRuntime({ info: progress }, io.env),
    progress,
    provenance: detectProvenance(io.env),
    contentTimestamp,
    env: io.env,
    secret: (value) => shield.add(value),
  });
  shield.addSettings(run.config, io.env);
  const report = shield.deep(run.report);
  const files = await writeReports(settings.outDir, report);
  const junit = extra.junitPath ? await writeReportFile(extra.junitPath, renderJunit(report, { hostname: hostname() })) : undefined;
  const preview = extra.commentPreview ? await writeReportFile(extra.commentPreview, commentPreview(report, run.configPath, io.env, shield)) : undefined;
  if (settings.json) {
    stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
    // Fit a terminal's width; logs and pipes get whole lines.
    const width = io.stdout.isTTY ? (io.stdout.columns ?? 120) : Number.POSITIVE_INFINITY;
    stdout.write(renderTerminal(report, color, width));
    const written = [files.json, files.html, files.markdown, files.manifest, junit, preview].filter((f) => f !== undefined);
    stdout.write(`reports: ${written.join(', ')}\n`);
  }
  return EXIT_CODES[report.decision];
}

/**
 * The body the pull-request comment would get: the action's own call (src/main.ts, feedback.ts):
 * the same comment id and links from the same environment, no artifact link (nothing is uploaded).
 */
function commentPreview(report: Parameters<typeof renderComment>[0], configPath: string | null, env: NodeJS.ProcessEnv, shield: Redactor): string {
  const ctx = githubContext(env, null);
  const id = defaultCommentId(ctx, configPath === null ? null : relative(process.cwd(), configPath));
  return shield.text(renderComment(report, { id, links: { summary: runUrl(ctx), artifact: null } }));
}

/** The redactor of a CLI run: the environment, the flags, and the config they point at. */
function shieldFor(env: NodeJS.ProcessEnv, settings: { configPath?: string }): Redactor {
  const shield = redactorFor(env, settings);
  try {
    shield.addSettings(resolveConfig(settings.configPath).config, env);
  } catch {
    // An unreadable config fails the run with its own message.
  }
  return shield;
}

/** Escape sequences other than our own colours (SGR) are shown, not obeyed: a column name cannot drive the terminal. */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const terminalSafe = (text: string) => text.replace(/\u001b(?!\[[0-9;]*m)/g, '␛').replace(/[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g, '�');
