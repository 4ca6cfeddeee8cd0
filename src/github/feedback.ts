/**
 * Results where reviewers look: the report artifact and the sticky PR comment. Neither may fail
 * the gate or change its decision: whatever goes wrong here becomes a notice or a warning.
 */
import type { Feedback } from '../settings.ts';
import { getErrorMessage } from '../errors.ts';
import { commentMarker, renderComment, type CommentLinks } from '../report/comment.ts';
import type { Report } from '../report/json.ts';
import { artifactUnavailable, uploadReportArtifact, type UploadedArtifact } from './artifact.ts';
import { githubCommentStore, upsertStickyComment, type StickyOutcome } from './comments.ts';
import type { GitHubContext } from './context.ts';
import { createOctokit, statusOf, type Octokit } from './octokit.ts';

export interface FeedbackLog {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

export async function publishArtifact(
  name: string,
  files: string[],
  rootDirectory: string,
  env: NodeJS.ProcessEnv,
  log: FeedbackLog,
): Promise<UploadedArtifact | null> {
  const why = artifactUnavailable(env);
  if (why) {
    log.notice(`The report artifact was not uploaded: ${why}. The files are in ${rootDirectory}.`);
    return null;
  }
  try {
    const uploaded = await uploadReportArtifact(name, files, rootDirectory);
    log.info(`Uploaded the report artifact "${name}" (${uploaded.size.toLocaleString('en')} bytes, id ${uploaded.id})`);
    return uploaded;
  } catch (error) {
    log.warning(`The report artifact "${name}" could not be uploaded: ${getErrorMessage(error)}. The decision stands; the files are in ${rootDirectory}.`);
    return null;
  }
}

export interface CommentJob {
  report: Report;
  /** The pull request to comment on; null outside pull-request events. */
  issue: number | null;
  commentId: string;
  links: CommentLinks;
  feedback: Feedback;
  token: string | undefined;
  ctx: GitHubContext;
  log: FeedbackLog;
  /** An existing client (the comment workflow has one already). */
  octokit?: Octokit;
  /** The run's redactor, applied to the body last (the report was redacted already; this is the backstop). */
  redact?: (text: string) => string;
}

const FORK_HINT =
  "A fork's pull request gets a read-only token: the model-comment workflow (on: workflow_run) posts this comment from the report artifact.";

export function apiClient(token: string, ctx: GitHubContext, log: FeedbackLog): Octokit {
  return createOctokit(token, ctx.apiUrl, { debug: log.debug, warning: log.warning });
}

/** Creates or updates the sticky comment; returns null when there was none to post or it failed. */
export async function publishComment(job: CommentJob): Promise<StickyOutcome | null> {
  const { feedback, log, ctx } = job;
  if (feedback.comment === 'never') return null;
  if (job.issue === null) {
    log.info(`No pull-request comment: ${ctx.eventName ? `the ${ctx.eventName} event is not a pull request` : 'no GitHub event (GITHUB_EVENT_NAME unset)'}.`);
    return null;
  }
  if (!job.token || !ctx.repository) {
    log.notice(`No pull-request comment: ${job.token ? 'GITHUB_REPOSITORY is not set' : 'no github-token'}. The report is in the job summary and the artifact.`);
    return null;
  }
  const body = (job.redact ?? ((text: string) => text))(renderComment(job.report, { id: job.commentId, links: job.links }));
  try {
    const octokit = job.octokit ?? apiClient(job.token, ctx, log);
    const outcome = await upsertStickyComment(githubCommentStore(octokit, ctx.repository), {
      issue: job.issue,
      marker: commentMarker(job.commentId),
      body,
      policy: feedback.comment,
      author: feedback.commentAuthor,
    });
    const said = { created: 'created', updated: 'updated', unchanged: 'unchanged, not sent again', 'same-verdict': 'kept: same verdict (comment: on-change)' }[outcome.action];
    log.info(`Pull-request comment ${said}: ${outcome.url}${outcome.removed > 0 ? ` (${outcome.removed} duplicate${outcome.removed === 1 ? '' : 's'} from concurrent runs removed)` : ''}`);
    return outcome;
  } catch (error) {
    const status = statusOf(error);
    const why = getErrorMessage(error);
    if (status === 403 || status === 401 || status === 404) {
      log.notice(`No pull-request comment on #${job.issue}: the token may not write it (HTTP ${status}: ${why}). ${FORK_HINT} The decision stands.`);
    } else {
      log.warning(`Gave up the pull-request comment on #${job.issue} after retries: ${why}. The decision stands; the report is in the job summary and the artifact.`);
    }
    return null;
  }
}
