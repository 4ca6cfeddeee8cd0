/**
 * The monitor's one alert issue per model and config, kept like the sticky comment
 * (src/github/comments.ts): found by a hidden marker at the start of its body among the issues
 * the token's identity opened with the first alert label; opened (with the labels) on the first
 * DEGRADED or FAILING run, updated in place at every run while it lasts (reopened if it was
 * closed: never a second issue), and closed with a final note when a run is healthy again. Two
 * runs racing end with one open issue: the older stays, the newer is closed as its duplicate.
 */
import { isOurs, ACTIONS_BOT } from './comments.ts';
import { statusOf, type Octokit } from './octokit.ts';

export interface AlertIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  author: string | null;
  url: string;
}

/** Where issues live; the GitHub implementation is below, a test may pass another. */
export interface IssueStore {
  identity(): Promise<string | null>;
  /** Issues (not pull requests), open and closed, carrying `label` (all issues when null). */
  list(label: string | null): Promise<AlertIssue[]>;
  create(title: string, body: string, labels: string[]): Promise<AlertIssue>;
  update(number: number, fields: { title?: string; body?: string; state?: 'open' | 'closed'; state_reason?: 'completed' | 'not_planned' | 'reopened' }): Promise<AlertIssue>;
  comment(number: number, body: string): Promise<void>;
}

interface RestIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  user: { login: string } | null;
  html_url: string;
  pull_request?: unknown;
}

const toIssue = (i: RestIssue): AlertIssue => ({ number: i.number, title: i.title, body: i.body ?? '', state: i.state === 'closed' ? 'closed' : 'open', author: i.user?.login ?? null, url: i.html_url });

export function githubIssueStore(octokit: Octokit, repo: { owner: string; repo: string }): IssueStore {
  return {
    async identity() {
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
      } catch (error) {
        if (statusOf(error) === 403 || statusOf(error) === 401) return null; // installation tokens
        throw error;
      }
    },
    async list(label) {
      const all = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, state: 'all', ...(label ? { labels: label } : {}), sort: 'created', direction: 'asc', per_page: 100 });
      return (all as RestIssue[]).filter((i) => !i.pull_request).map(toIssue);
    },
    async create(title, body, labels) {
      return toIssue((await octokit.rest.issues.create({ ...repo, title, body, labels })).data as RestIssue);
    },
    async update(number, fields) {
      return toIssue((await octokit.rest.issues.update({ ...repo, issue_number: number, ...fields })).data as RestIssue);
    },
    async comment(number, body) {
      await octokit.rest.issues.createComment({ ...repo, issue_number: number, body });
    },
  };
}

export interface AlertRequest {
  marker: string;
  /** Healthy (OK) closes; anything else opens or updates. */
  healthy: boolean;
  title: string;
  labels: string[];
  /** The body for the issue, given the body it has now (null: a new issue) and whether it stays open. */
  body: (previous: string | null, open: boolean) => string;
  /** The note left when the issue is closed. */
  closingNote: string;
  /** The login to look for; default: the token's identity, else the Actions bot. */
  author?: string;
}

export interface AlertOutcome {
  action: 'opened' | 'updated' | 'reopened' | 'closed' | 'none';
  number: number | null;
  url: string | null;
}

/** GitHub's limit on an issue body. */
export const MAX_BODY = 65_536;

export async function upsertAlertIssue(store: IssueStore, req: AlertRequest): Promise<AlertOutcome> {
  const author = req.author ?? (await store.identity()) ?? ACTIONS_BOT;
  const ours = async () => (await store.list(req.labels[0] ?? null)).filter((i) => i.author === author && isOurs(i.body, req.marker)).sort((a, b) => a.number - b.number);
  const found = await ours();
  const target = found[0];
  if (req.healthy) {
    if (!target || target.state === 'closed') return { action: 'none', number: target?.number ?? null, url: target?.url ?? null };
    await store.update(target.number, { title: req.title, body: req.body(target.body, false) });
    await store.comment(target.number, req.closingNote);
    const closed = await store.update(target.number, { state: 'closed', state_reason: 'completed' });
    return { action: 'closed', number: closed.number, url: closed.url };
  }
  if (target) {
    const reopen = target.state === 'closed';
    const updated = await store.update(target.number, { title: req.title, body: req.body(target.body, true), ...(reopen ? { state: 'open' as const, state_reason: 'reopened' as const } : {}) });
    return { action: reopen ? 'reopened' : 'updated', number: updated.number, url: updated.url };
  }
  const created = await store.create(req.title, req.body(null, true), req.labels);
  // Another run may have opened one at the same time: the older stays, ours is closed as its duplicate.
  const [first] = await ours();
  if (!first || first.number === created.number) return { action: 'opened', number: created.number, url: created.url };
  await store.update(created.number, { state: 'closed', state_reason: 'not_planned', body: `${req.marker}-duplicate\nDuplicate of #${first.number} (two monitor runs raced).` });
  const updated = await store.update(first.number, { title: req.title, body: req.body(first.body, true), ...(first.state === 'closed' ? { state: 'open' as const, state_reason: 'reopened' as const } : {}) });
  return { action: 'updated', number: updated.number, url: updated.url };
}

export interface AlertLog {
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

/**
 * Keeps the alert issue; never throws. A token that may not write issues (a fork's, a read-only
 * one) or an API that keeps failing leaves the result in the job summary alone, said as a notice
 * or a warning: the monitor's status stands either way.
 */
export async function publishAlert(store: IssueStore, req: AlertRequest, log: AlertLog): Promise<AlertOutcome | null> {
  try {
    const outcome = await upsertAlertIssue(store, req);
    const said = { opened: 'opened', updated: 'updated', reopened: 'reopened', closed: 'closed: healthy again', none: 'not needed: healthy, no open alert' }[outcome.action];
    log.info(`Alert issue ${said}${outcome.url && outcome.action !== 'none' ? `: ${outcome.url}` : ''}`);
    return outcome;
  } catch (error) {
    const status = statusOf(error);
    const why = error instanceof Error ? error.message : String(error);
    if (status === 401 || status === 403 || status === 404) {
      log.notice(`No alert issue: the token may not write issues (HTTP ${status}: ${why}); the result is in the job summary. Give the workflow "permissions: issues: write".`);
    } else {
      log.warning(`Gave up the alert issue after retries: ${why}. The result is in the job summary.`);
    }
    return null;
  }
}
