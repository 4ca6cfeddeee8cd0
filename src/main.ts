/**
 * The action shell: inputs -> settings -> engine -> outputs, job summary, annotations, artifact,
 * PR comment. One catch turns anything thrown into a failed step, so a crash can never pass the
 * gate; the artifact and the comment can only ever add a notice or a warning.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import * as core from '@actions/core';
import { systemClock } from './clock.ts';
import { ConfigValidationError } from './config/load.ts';
import { Outputs } from './constants.ts';
import { ConfigError, getErrorMessage, isUserError } from './errors.ts';
import { contentTimestamp, detectProvenance } from './provenance.ts';
import { writeReports } from './report/files.ts';
import type { Report } from './report/json.ts';
import { renderMarkdown } from './report/markdown.ts';
import { loadOnnxRuntime } from './runners/onnxruntime-loader.ts';
import { settingsFromInputs, type Settings } from './settings.ts';
import { validate } from './validate.ts';
import { commentFromArtifact } from './github/comment-from-artifact.ts';
import { artifactUrl, defaultCommentId, githubContext, runUrl, type GitHubContext } from './github/context.ts';
import { publishArtifact, publishComment, type FeedbackLog } from './github/feedback.ts';

const log: FeedbackLog = {
  debug: (m) => core.debug(m),
  info: (m) => core.info(m),
  notice: (m) => core.notice(m),
  warning: (m) => core.warning(m),
};

/** The event payload, when the runner wrote one. */
function readEvent(env: NodeJS.ProcessEnv): unknown {
  if (!env.GITHUB_EVENT_PATH) return null;
  try {
    return JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch (error) {
    core.warning(`could not read the event payload ${env.GITHUB_EVENT_PATH}: ${getErrorMessage(error)}`);
    return null;
  }
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const settings = settingsFromInputs((name) => core.getInput(name), env);
    const ctx = githubContext(env, readEvent(env));
    if (settings.mode === 'comment') return await commentMode(settings, ctx);
    const run = await validate(settings, {
      clock: systemClock,
      loadRuntime: () => loadOnnxRuntime({ info: (m) => core.info(m) }, env),
      progress: (m) => core.info(`› ${m}`),
      provenance: detectProvenance(env),
      contentTimestamp,
      env,
      secret: (value) => core.setSecret(value),
    });
    const { config } = run;
    const commentId = settings.feedback.commentId ?? defaultCommentId(ctx, run.configPath === null ? null : relative(process.cwd(), run.configPath));
    const report: Report = { ...run.report, github: reportGitHub(ctx, commentId) };
    const files = await writeReports(settings.outDir, report);
    core.setOutput(Outputs.Decision, report.decision);
    core.setOutput(Outputs.Version, report.version.id);
    core.setOutput(Outputs.Report, files.json);
    core.setOutput(Outputs.Manifest, files.manifest);
    annotate(report);
    await writeSummary(renderMarkdown(report));
    core.info(`${report.headline} (${report.version.id})`);

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
    });
    core.setOutput(Outputs.CommentUrl, posted?.url ?? '');

    if (report.decision === 'NO-GO') core.setFailed(`NO-GO: ${report.reason}`);
    else if (report.decision === 'DELAY' && config.fail_on === 'delay') {
      core.setFailed(`DELAY (fail-on: delay): ${report.reason}`);
    }
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      for (const issue of error.issues) {
        core.error(issue.message, {
          title: 'model-gate config',
          file: issue.location.file,
          startLine: issue.location.line,
          startColumn: issue.location.column,
        });
      }
      core.setFailed(`invalid config: ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'} (see annotations)`);
    } else if (error instanceof ConfigError && error.location) {
      core.error(error.message, { title: 'model-gate config', file: error.location.file, startLine: error.location.line });
      core.setFailed(error.message);
    } else {
      if (!isUserError(error) && error instanceof Error && error.stack) core.debug(error.stack);
      core.setFailed(getErrorMessage(error));
    }
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
async function commentMode(settings: Settings, ctx: GitHubContext): Promise<void> {
  const { report, outcome } = await commentFromArtifact(settings, ctx, log);
  core.setOutput(Outputs.Decision, report.decision);
  core.setOutput(Outputs.Version, report.version.id);
  core.setOutput(Outputs.CommentUrl, outcome?.url ?? '');
}

function annotate(report: Report): void {
  for (const c of report.checks) {
    if (c.status !== 'fail' && c.status !== 'error') continue;
    const text = `${c.id}: ${c.message}`;
    if (c.severity === 'blocker') core.error(text, { title: `model-gate ${c.id}` });
    else if (c.severity === 'warning') core.warning(text, { title: `model-gate ${c.id}` });
    else core.notice(text, { title: `model-gate ${c.id}` });
  }
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${getErrorMessage(error)}`);
  }
}
