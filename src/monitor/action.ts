/**
 * The action's `mode: monitor`: the run, its files and outputs, the job summary, and the alert
 * issue (never failing the step itself: a token that may not write issues leaves the summary).
 * The step fails when the model is FAILING and warns when it is DEGRADED.
 */
import * as core from '@actions/core';
import { systemClock } from '../clock.ts';
import { resolveConfig } from '../config/load.ts';
import { Outputs } from '../constants.ts';
import { getErrorMessage } from '../errors.ts';
import { githubIssueStore, publishAlert } from '../github/alert-issue.ts';
import { runUrl, type GitHubContext } from '../github/context.ts';
import { githubDeployments } from '../github/deployments.ts';
import { apiClient, type FeedbackLog } from '../github/feedback.ts';
import type { Redactor } from '../redact.ts';
import type { MonitorSettings } from '../settings.ts';
import { alertRequest } from './alert.ts';
import { writeMonitorReports } from './files.ts';
import { renderMonitorSummary } from './markdown.ts';
import { runMonitor } from './monitor-command.ts';

export interface ActionShell {
  say: FeedbackLog & { setFailed(message: string): void };
  shield: Redactor;
  secret: (value: string) => void;
  writeSummary: (markdown: string) => Promise<void>;
}

export async function monitorMode(settings: MonitorSettings, ctx: GitHubContext, env: NodeJS.ProcessEnv, shell: ActionShell): Promise<void> {
  const { say, shield } = shell;
  const octokit = settings.githubToken && ctx.repository ? apiClient(settings.githubToken, ctx, say) : null;
  const records = octokit && ctx.repository ? githubDeployments(octokit, ctx.repository) : null;
  const report = shield.deep(
    await runMonitor(settings.configPath, settings.overrides, { clock: systemClock, env, progress: (m) => say.info(`› ${m}`), secret: shell.secret, records }),
  );
  const files = await writeMonitorReports(settings.outDir, report);
  core.setOutput(Outputs.Status, report.status);
  core.setOutput(Outputs.Version, report.version.id);
  // The environment judged (input, else monitor.environment): the workflow's rollback job acts on it.
  core.setOutput(Outputs.Environment, report.environment);
  core.setOutput(Outputs.Report, files.json);
  await shell.writeSummary(renderMonitorSummary(report));
  say.info(`${report.status}: ${report.id}, version ${report.version.id} — ${report.reason}`);

  let issueUrl = '';
  const cfg = resolveConfig(settings.configPath).config.monitor;
  if (!cfg.issue.enabled) say.info('No alert issue: monitor.issue.enabled is false.');
  else if (!octokit || !ctx.repository) say.notice(`No alert issue: ${settings.githubToken ? 'GITHUB_REPOSITORY is not set' : 'no github-token'}. The result is in the job summary.`);
  else {
    try {
      const req = alertRequest(report, { labels: cfg.issue.labels, history: cfg.issue.history, runUrl: runUrl(ctx), author: settings.feedback.commentAuthor });
      const outcome = await publishAlert(githubIssueStore(octokit, ctx.repository), { ...req, body: (prev, open) => shield.text(req.body(prev, open)), closingNote: shield.text(req.closingNote) }, say);
      issueUrl = outcome?.url ?? '';
    } catch (error) {
      say.warning(`The alert issue could not be kept: ${getErrorMessage(error)}. The result is in the job summary.`);
    }
  }
  core.setOutput(Outputs.IssueUrl, issueUrl);
  if (report.status === 'FAILING') say.setFailed(`FAILING: ${report.reason}`);
  else if (report.status === 'DEGRADED') say.warning(`DEGRADED: ${report.reason}`);
}
