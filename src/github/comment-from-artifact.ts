/**
 * `mode: comment`, for fork pull requests: in a `workflow_run` job (base repository, write token,
 * no PR code checked out) post the comment from the report the validate run uploaded. The report
 * is untrusted input: it is schema-checked, and the PR it names must still have the head commit
 * the triggering run tested.
 */
import { UsageError, getErrorMessage } from '../errors.ts';
import type { Report } from '../report/json.ts';
import { readReport } from '../report/read.ts';

export { readReport };
import type { CommentSettings } from '../settings.ts';
import type { StickyOutcome } from './comments.ts';
import { artifactUrl, type GitHubContext } from './context.ts';
import { apiClient, publishComment, type FeedbackLog } from './feedback.ts';


export interface CommentModeResult {
  report: Report;
  outcome: StickyOutcome | null;
}

export async function commentFromArtifact(settings: CommentSettings, ctx: GitHubContext, log: FeedbackLog, redact?: (text: string) => string): Promise<CommentModeResult> {
  const run = ctx.workflowRun;
  if (!run) {
    throw new UsageError(`mode "comment" runs in a job triggered by workflow_run (this is "${ctx.eventName ?? 'no event'}"); see .github/workflows/model-comment.yml`);
  }
  const report = await readReport(settings.reportPath);
  const gh = report.github;
  const skip = (why: string): CommentModeResult => {
    log.notice(`No pull-request comment: ${why}`);
    return { report, outcome: null };
  };
  if (!gh?.pull_request) return skip(`the run that wrote the report was not for a pull request (${gh?.event ?? 'no GitHub context in the report'}).`);
  const repo = ctx.repository;
  if (!repo || gh.repository !== `${repo.owner}/${repo.repo}`) return skip(`the report is from ${gh.repository ?? 'an unknown repository'}, not this one.`);
  if (!settings.githubToken) return skip('no github-token.');
  if (gh.pull_request.head_sha !== run.headSha) {
    return skip(`the report is for commit ${gh.pull_request.head_sha.slice(0, 12)} but the triggering run tested ${run.headSha.slice(0, 12)}.`);
  }

  const octokit = apiClient(settings.githubToken, ctx, log);
  const number = gh.pull_request.number;
  let artifact: string | null = null;
  try {
    const pr = await octokit.rest.pulls.get({ ...repo, pull_number: number });
    if (pr.data.head.sha !== run.headSha) {
      return skip(`pull request #${number} is now at ${pr.data.head.sha.slice(0, 12)}, not the tested ${run.headSha.slice(0, 12)}: a newer run will comment.`);
    }
    const list = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: run.id, name: settings.feedback.artifactName, per_page: 1 });
    const found = list.data.artifacts[0];
    if (found) artifact = artifactUrl(ctx, run.id, found.id);
  } catch (error) {
    log.warning(`No pull-request comment: could not check pull request #${number}: ${getErrorMessage(error)}. The decision stands.`);
    return { report, outcome: null };
  }
  const outcome = await publishComment({
    report,
    issue: number,
    commentId: gh.comment_id,
    links: { summary: run.htmlUrl, artifact },
    feedback: settings.feedback,
    token: settings.githubToken,
    ctx,
    log,
    octokit,
    redact,
  });
  return { report, outcome };
}
