/**
 * What GitHub tells a run about itself: Actions' variables and the event payload, read once into
 * plain data (the shell reads GITHUB_EVENT_PATH and passes the parsed payload in).
 */

export interface PullRequestRef {
  number: number;
  headSha: string;
  /** owner/name of the head repository; differs from the base repository on a fork PR. */
  headRepo: string | null;
}

export interface WorkflowRunRef {
  id: number;
  headSha: string;
  /** The event that triggered the validate run, e.g. `pull_request`. */
  event: string;
  htmlUrl: string | null;
}

export interface GitHubContext {
  apiUrl: string;
  serverUrl: string;
  repository: { owner: string; repo: string } | null;
  eventName: string | null;
  runId: string | null;
  runAttempt: string | null;
  /** The workflow file (`.github/workflows/ci.yml`) when known, else the workflow's name. */
  workflow: string | null;
  pullRequest: PullRequestRef | null;
  /** In a `workflow_run` job: the run that triggered it. */
  workflowRun: WorkflowRunRef | null;
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function pullRequestOf(eventName: string | null, payload: Json | null): PullRequestRef | null {
  if (!eventName || !PR_EVENTS.has(eventName)) return null;
  const pr = obj(payload?.pull_request);
  const head = obj(pr?.head);
  if (!pr || typeof pr.number !== 'number' || !head || !str(head.sha)) return null;
  return { number: pr.number, headSha: head.sha as string, headRepo: str(obj(head.repo)?.full_name) };
}

function workflowRunOf(eventName: string | null, payload: Json | null): WorkflowRunRef | null {
  if (eventName !== 'workflow_run') return null;
  const run = obj(payload?.workflow_run);
  if (!run || typeof run.id !== 'number' || !str(run.head_sha)) return null;
  return { id: run.id, headSha: run.head_sha as string, event: str(run.event) ?? '', htmlUrl: str(run.html_url) };
}

/** `owner/repo/.github/workflows/ci.yml@refs/heads/main` → `.github/workflows/ci.yml`. */
function workflowFile(ref: string | undefined): string | null {
  const m = ref ? /^[^/]+\/[^/]+\/(.+?)@/.exec(ref) : null;
  return m ? m[1]! : null;
}

export function githubContext(env: NodeJS.ProcessEnv, payload: unknown): GitHubContext {
  const eventName = str(env.GITHUB_EVENT_NAME);
  const event = obj(payload);
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  return {
    apiUrl: (str(env.GITHUB_API_URL) ?? 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (str(env.GITHUB_SERVER_URL) ?? 'https://github.com').replace(/\/+$/, ''),
    repository: owner && repo ? { owner, repo } : null,
    eventName,
    runId: str(env.GITHUB_RUN_ID),
    runAttempt: str(env.GITHUB_RUN_ATTEMPT),
    workflow: workflowFile(env.GITHUB_WORKFLOW_REF) ?? str(env.GITHUB_WORKFLOW),
    pullRequest: pullRequestOf(eventName, event),
    workflowRun: workflowRunOf(eventName, event),
  };
}

/** The run's page, where the job summary is. */
export function runUrl(ctx: GitHubContext): string | null {
  if (!ctx.repository || !ctx.runId) return null;
  const { owner, repo } = ctx.repository;
  return `${ctx.serverUrl}/${owner}/${repo}/actions/runs/${ctx.runId}${ctx.runAttempt ? `/attempts/${ctx.runAttempt}` : ''}`;
}

export function artifactUrl(ctx: GitHubContext, runId: string | number, artifactId: number): string | null {
  if (!ctx.repository) return null;
  return `${ctx.serverUrl}/${ctx.repository.owner}/${ctx.repository.repo}/actions/runs/${runId}/artifacts/${artifactId}`;
}

/**
 * The sticky comment's key, unless the user names one: the workflow and the config, so that two
 * configs (or two workflows) gating the same PR keep a comment each.
 */
export function defaultCommentId(ctx: GitHubContext, configPath: string | null): string {
  return `${ctx.workflow ?? 'model-gate'}:${configPath ?? 'default'}`;
}
