/**
 * The action shell: inputs -> settings -> engine -> outputs, job summary, annotations, artifact,
 * PR comment. One catch turns anything thrown into a failed step, so a crash can never pass the
 * gate; the artifact and the comment can only ever add a notice or a warning.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import * as core from '@actions/core';
import { systemClock } from './clock.ts';
import { Outputs } from './constants.ts';
import { classifyError, getErrorMessage, type Failure } from './errors.ts';
import { contentTimestamp, detectProvenance } from './provenance.ts';
import { removeReports, writeReports } from './report/files.ts';
import type { Report } from './report/json.ts';
import { renderMarkdown } from './report/markdown.ts';
import { loadOnnxRuntime } from './runners/onnxruntime-loader.ts';
import { route, settingsFromInputs, type ActionMode, type ActionSettings, type CommentSettings, type PromotionSettings, type Runners, type SuiteSettings } from './settings.ts';
import { validate } from './validate.ts';
import { commentFromArtifact } from './github/comment-from-artifact.ts';
import { artifactUrl, defaultCommentId, githubContext, runUrl, type GitHubContext } from './github/context.ts';
import { apiClient, publishArtifact, publishComment, type FeedbackLog } from './github/feedback.ts';
import { githubDeployments } from './github/deployments.ts';
import { announceStage } from './github/announce-stage.ts';
import { finishRollback, type PendingRollback, type PromotionIO, type StatusView } from './promotion/stage-command.ts';
import { runPromote, runRollback, runStatus, type PromoteOutcome } from './promotion/mode.ts';
import { handleInterrupts } from './promotion/signals.ts';
import { renderStageMarkdown } from './report/promotion.ts';
import { renderDrillMarkdown } from './report/drill.ts';
import { resolveConfig } from './config/load.ts';
import { Redactor, redactorFor } from './redact.ts';
import { logLine, mdText } from './report/escape.ts';
import { monitorMode } from './monitor/action.ts';

/**
 * The run's redactor: every line the action logs, annotates, fails with or writes to the summary,
 * and the comment body, pass through it (set up from the environment, the inputs and the config
 * as soon as they are known).
 */
let shield = new Redactor();
const clean = (m: string) => logLine(shield.text(m));
const say = {
  debug: (m: string) => core.debug(clean(m)),
  info: (m: string) => core.info(clean(m)),
  notice: (m: string, p?: core.AnnotationProperties) => core.notice(clean(m), p),
  warning: (m: string, p?: core.AnnotationProperties) => core.warning(clean(m), p),
  error: (m: string, p?: core.AnnotationProperties) => core.error(clean(m), p),
  setFailed: (m: string) => core.setFailed(clean(m)),
};
const log: FeedbackLog = say;

/** Registers a secret: masked in the log by the runner, redacted from everything else by the shield. */
function secret(value: string): void {
  shield.add(value);
  core.setSecret(value);
}

/** The shield for a run: the environment's secret-looking values, the inputs, the config's secrets. */
function shieldRun(settings: ActionSettings | null, env: NodeJS.ProcessEnv): void {
  shield = redactorFor(env, settings);
  if (settings) {
    try {
      shield.addSettings(resolveConfig(settings.configPath).config, env);
    } catch {
      // An unreadable config fails the run below, with its own located message.
    }
  }
  for (const value of shield.values()) core.setSecret(value);
}

/** The event payload, when the runner wrote one. */
function readEvent(env: NodeJS.ProcessEnv): unknown {
  if (!env.GITHUB_EVENT_PATH) return null;
  try {
    return JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch (error) {
    say.warning(`could not read the event payload ${env.GITHUB_EVENT_PATH}: ${getErrorMessage(error)}`);
    return null;
  }
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  shieldRun(null, env);
  try {
    const settings = settingsFromInputs((name) => core.getInput(name), env);
    shieldRun(settings, env);
    const ctx = githubContext(env, readEvent(env));
    await route(actionRunners(ctx, env), settings);
  } catch (error) {
    fail(classifyError(error));
  }
}

/** The action's runner of each mode. */
function actionRunners(ctx: GitHubContext, env: NodeJS.ProcessEnv): Runners<ActionMode, void> {
  return {
    validate: (settings) => suiteMode(settings, ctx, env),
    load: (settings) => suiteMode(settings, ctx, env),
    comment: (settings) => commentMode(settings, ctx),
    promote: (settings) => withPromotionIO(settings, ctx, env, async (io) => showPromotion(await runPromote(settings, io), settings.promotion.environment)),
    rollback: (settings) => withPromotionIO(settings, ctx, env, async (io) => showRollback(await runRollback(settings, io))),
    status: (settings) => withPromotionIO(settings, ctx, env, async (io) => showStatus(await runStatus(settings, io))),
    monitor: (settings) => monitorMode(settings, ctx, env, { say, shield, secret, writeSummary }),
  };
}

/** A failed run, as the action says it: config problems as annotations on the file, a stack only in the debug log. */
function fail(failure: Failure): void {
  switch (failure.kind) {
    case 'invalid-config':
      for (const issue of failure.issues) {
        say.error(issue.message, {
          title: 'model-gate config',
          file: issue.location.file,
          startLine: issue.location.line,
          startColumn: issue.location.column,
        });
      }
      say.setFailed(`invalid config: ${failure.issues.length} problem${failure.issues.length === 1 ? '' : 's'} (see annotations)`);
      return;
    case 'located':
      say.error(failure.message, { title: 'model-gate config', file: failure.location.file, startLine: failure.location.line });
      say.setFailed(failure.message);
      return;
    case 'user':
      say.setFailed(failure.message);
      return;
    case 'internal':
      if (failure.stack) say.debug(failure.stack);
      say.setFailed(failure.message);
  }
}

/** validate and load: the suite, its outputs, annotations, summary, artifact and PR comment. */
async function suiteMode(settings: SuiteSettings, ctx: GitHubContext, env: NodeJS.ProcessEnv): Promise<void> {
  await removeReports(settings.outDir); // a run that fails must not leave an earlier verdict behind
  const run = await validate(settings, {
    clock: systemClock,
    loadRuntime: () => loadOnnxRuntime({ info: (m) => say.info(m) }, env),
    progress: (m) => say.info(`› ${m}`),
    provenance: detectProvenance(env),
    contentTimestamp,
    env,
    secret,
  });
  const { config } = run;
  const commentId = settings.feedback.commentId ?? defaultCommentId(ctx, run.configPath === null ? null : relative(process.cwd(), run.configPath));
  shield.addSettings(run.config, env);
  // The one report every output is made from: files, annotations, summary, comment.
  const report: Report = shield.deep({ ...run.report, github: reportGitHub(ctx, commentId) });
  const files = await writeReports(settings.outDir, report);
  core.setOutput(Outputs.Decision, report.decision);
  core.setOutput(Outputs.Version, report.version.id);
  core.setOutput(Outputs.Report, files.json);
  core.setOutput(Outputs.Manifest, files.manifest);
  annotate(report);
  await writeSummary(renderMarkdown(report));
  say.info(`${report.headline} (${report.version.id})`);

  const uploaded = await publishArtifact(settings.feedback.artifactName, [files.json, files.html, files.manifest, files.markdown], settings.outDir, env, log);
  core.setOutput(Outputs.ReportArtifact, uploaded?.name ?? '');
  const posted = await publishComment({
    report,
    issue: ctx.pullRequest?.number ?? null,
    commentId,
    links: { summary: runUrl(ctx), artifact: uploaded && ctx.runId ? artifactUrl(ctx, ctx.runId, uploaded.id) : null },
    feedback: settings.feedback,
    token: settings.githubToken,
    ctx,
    log,
    redact: (text) => shield.text(text),
  });
  core.setOutput(Outputs.CommentUrl, posted?.url ?? '');

  if (report.decision === 'NO-GO') say.setFailed(`NO-GO: ${report.reason}`);
  else if (report.decision === 'DELAY' && config.fail_on === 'delay') {
    say.setFailed(`DELAY (fail-on: delay): ${report.reason}`);
  }
}

function reportGitHub(ctx: GitHubContext, commentId: string): Report['github'] {
  const pr = ctx.pullRequest;
  return {
    repository: ctx.repository ? `${ctx.repository.owner}/${ctx.repository.repo}` : null,
    event: ctx.eventName,
    pull_request: pr ? { number: pr.number, head_sha: pr.headSha } : null,
    run_id: ctx.runId,
    run_attempt: ctx.runAttempt,
    workflow: ctx.workflow,
    comment_id: commentId,
  };
}

/** The fork workflow's job: comment from a report artifact; the decision was made (and gated) before. */
async function commentMode(settings: CommentSettings, ctx: GitHubContext): Promise<void> {
  const { report, outcome } = await commentFromArtifact(settings, ctx, log, (text) => shield.text(text));
  core.setOutput(Outputs.Decision, report.decision);
  core.setOutput(Outputs.Version, report.version.id);
  core.setOutput(Outputs.CommentUrl, outcome?.url ?? '');
}

const STATE_ROLLBACK = 'pending-rollback';

/**
 * promote / rollback / status: the stage's IO, recorded as GitHub deployments of the environment,
 * with interrupts handled and what a crash leaves saved for the post step.
 */
async function withPromotionIO(settings: PromotionSettings, ctx: GitHubContext, env: NodeJS.ProcessEnv, act: (io: PromotionIO) => Promise<void>): Promise<void> {
  const octokit = settings.githubToken && ctx.repository ? apiClient(settings.githubToken, ctx, log) : null;
  if (!octokit) say.notice('No GitHub token or repository: the stage is not recorded as a deployment.');
  const records = octokit && ctx.repository ? githubDeployments(octokit, ctx.repository) : null;
  let pending: PendingRollback | null = null;
  const interrupts = handleInterrupts(() => pending !== null, (line) => say.info(line));
  try {
    await act({
      clock: systemClock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      log: (line) => say.info(line),
      env,
      secret,
      records,
      logUrl: runUrl(ctx),
      ref: env.GITHUB_SHA ?? 'HEAD',
      outDir: settings.outDir,
      interruption: interrupts.interruption,
      announce: async (state, judgement, stage, version) => {
        if (!octokit || !ctx.repository || !env.GITHUB_SHA) return;
        const row = { stage, environment: settings.promotion.environment, version, state, judgement, runUrl: runUrl(ctx) };
        const url = await announceStage(octokit, ctx.repository, env.GITHUB_SHA, row, settings.feedback.commentAuthor, (m) => say.warning(m));
        if (url) say.info(`Pull request told: ${url}`);
      },
      pending: (undo) => {
        pending = undo;
        // The post step (post-if: cancelled() || failure()) undoes what a crash, a signal or a
        // failed rollback left behind.
        core.saveState(STATE_ROLLBACK, undo ? JSON.stringify(undo) : '');
      },
    });
  } finally {
    interrupts.stop();
  }
}

/** status: the last stage (the deployment records', else this machine's) in the log, outputs and summary. */
async function showStatus(view: StatusView): Promise<void> {
  const { latest, local, drill } = view;
  const line = latest
    ? `${view.environment}: ${latest.payload.version} at ${latest.payload.stage} (weight ${latest.payload.weight}%): ${latest.state ?? 'no status'}${latest.description ? ` — ${latest.description}` : ''}`
    : local
      ? `last stage here: ${local.version} at ${local.stage}: ${local.outcome} — ${local.reason}`
      : `${view.environment}: no promotion recorded`;
  say.info(line);
  const drilled = drill ? `last rollback drill: ${drill.version} at ${drill.weight}%: ${drill.state}${drill.description ? ` — ${drill.description}` : ''}` : null;
  if (drilled) say.info(drilled);
  core.setOutput(Outputs.Stage, latest?.payload.stage ?? local?.stage ?? '');
  core.setOutput(Outputs.Outcome, latest?.state ?? local?.outcome ?? '');
  await writeSummary(`## model-gate status\n\n${mdText(line)}\n${drilled ? `\n${mdText(drilled)}\n` : ''}`);
}

/** rollback: the step fails when traffic is not known to be on stable. */
async function showRollback(outcome: { ok: boolean; error?: string }): Promise<void> {
  core.setOutput(Outputs.Outcome, outcome.ok ? 'rolled_back' : 'rollback_failed');
  await writeSummary(outcome.ok ? '## ⏪ Rolled back to stable\n\nAll traffic is on stable.\n' : `## ❗ Rollback failed\n\nTraffic is not known to be on stable: the rollback command failed: ${mdText(outcome.error)}\n`);
  if (!outcome.ok) say.setFailed(`rollback failed: ${outcome.error}`);
}

/** promote: a stage or the drill; the step fails on a rollback. */
async function showPromotion(outcome: PromoteOutcome, environment: string): Promise<void> {
  if (outcome.drill) {
    const { report, skipped } = outcome.result;
    core.setOutput(Outputs.Stage, 'drill');
    if (skipped || !report) {
      core.setOutput(Outputs.Outcome, 'skipped');
      say.info(`Nothing to do: ${skipped}`);
      return;
    }
    core.setOutput(Outputs.Outcome, report.outcome === 'passed' ? 'drill_passed' : report.outcome === 'failed' ? 'drill_failed' : 'rollback_failed');
    await writeSummary(renderDrillMarkdown(report, environment));
    if (report.outcome === 'passed') say.info(`rollback drill passed at ${report.weight}% of ${report.version}: ${report.reason}`);
    else if (report.outcome === 'failed') say.setFailed(`rollback drill failed at ${report.weight}%: ${report.reason}`);
    else say.setFailed(`rollback drill: the rollback failed; traffic is not known to be on stable (the post step retries): ${report.reason}`);
    return;
  }
  const { report, skipped } = outcome.result;
  if (skipped || !report) {
    core.setOutput(Outputs.Outcome, 'skipped');
    say.info(`Nothing to do: ${skipped}`);
    return;
  }
  core.setOutput(Outputs.Outcome, report.outcome);
  core.setOutput(Outputs.Stage, report.stage);
  await writeSummary(renderStageMarkdown(report, environment));
  if (report.outcome === 'rolled_back') say.setFailed(`rolled back at ${report.stage}: ${report.reason}`);
  else if (report.outcome === 'rollback_failed') say.setFailed(`the rollback at ${report.stage} failed; traffic is not known to be on stable (the post step retries): ${report.reason}`);
  else say.info(`promoted ${report.stage} of ${report.version}: ${report.reason}`);
}

/**
 * The post step: a stage that crashed, was cancelled or whose rollback failed is rolled back here
 * from the saved state, retried until it succeeds or its deadline passes.
 */
export async function post(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const state = core.getState(STATE_ROLLBACK);
  if (!state) return;
  shieldRun(null, process.env);
  try {
    const undo = JSON.parse(state) as PendingRollback;
    undo.retry_seconds ??= 300;
    say.info(`The stage did not settle with traffic on stable: rolling back (${undo.command})`);
    const ctx = githubContext(env, null);
    const token = core.getInput('github-token');
    const records = token && ctx.repository ? githubDeployments(apiClient(token, ctx, log), ctx.repository) : null;
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const result = await finishRollback(undo, { log: (line) => say.info(line), sleep, clock: systemClock, records, logUrl: runUrl(ctx) });
    if (result.ok) say.notice(`The interrupted stage was rolled back: traffic is on stable${result.attempts > 1 ? ` (attempt ${result.attempts})` : ''}.`);
    else say.setFailed(`the rollback after an interrupted stage failed ${result.attempts} times; traffic is not known to be on stable: ${result.error}`);
  } catch (error) {
    say.setFailed(`the rollback after an interrupted stage failed: ${getErrorMessage(error)}`);
  }
}

function annotate(report: Report): void {
  for (const c of report.checks) {
    if (c.status !== 'fail' && c.status !== 'error') continue;
    const text = `${c.id}: ${c.message}`;
    if (c.severity === 'blocker') say.error(text, { title: `model-gate ${c.id}` });
    else if (c.severity === 'warning') say.warning(text, { title: `model-gate ${c.id}` });
    else say.notice(text, { title: `model-gate ${c.id}` });
  }
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(shield.text(markdown)).write();
  } catch (error) {
    say.warning(`could not write the job summary: ${getErrorMessage(error)}`);
  }
}
