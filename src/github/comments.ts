/**
 * The sticky comment: found by its hidden marker among the comments the token's identity wrote,
 * created once, updated in place after that. Two runs racing end with one comment: the oldest
 * wins and a run whose new comment lost deletes it and updates the winner.
 */
import type { CommentPolicy } from '../constants.ts';
import { fingerprintOf } from '../report/comment.ts';
import { statusOf, type Octokit } from './octokit.ts';

export interface IssueComment {
  id: number;
  body: string;
  author: string | null;
  url: string;
}

/** Where comments live; the GitHub implementation is below, a test may pass another. */
export interface CommentStore {
  /** The login comments by this token carry; null when the token cannot say (installation tokens). */
  identity(): Promise<string | null>;
  list(issue: number): Promise<IssueComment[]>;
  create(issue: number, body: string): Promise<IssueComment>;
  update(id: number, body: string): Promise<IssueComment>;
  remove(id: number): Promise<void>;
}

interface RestComment {
  id: number;
  body?: string | null;
  user: { login: string } | null;
  html_url: string;
}

const toComment = (c: RestComment): IssueComment => ({ id: c.id, body: c.body ?? '', author: c.user?.login ?? null, url: c.html_url });

export function githubCommentStore(octokit: Octokit, repo: { owner: string; repo: string }): CommentStore {
  return {
    async identity() {
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
      } catch (error) {
        // GITHUB_TOKEN and other installation tokens may not call GET /user.
        if (statusOf(error) === 403 || statusOf(error) === 401) return null;
        throw error;
      }
    },
    async list(issue) {
      const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 });
      return all.map(toComment);
    },
    async create(issue, body) {
      return toComment((await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body })).data);
    },
    async update(id, body) {
      return toComment((await octokit.rest.issues.updateComment({ ...repo, comment_id: id, body })).data);
    },
    async remove(id) {
      try {
        await octokit.rest.issues.deleteComment({ ...repo, comment_id: id });
      } catch (error) {
        if (statusOf(error) !== 404) throw error; // another run removed it first
      }
    },
  };
}

/** The workflow token's bot: what GITHUB_TOKEN's comments are signed with. */
export const ACTIONS_BOT = 'github-actions[bot]';

export interface StickyRequest {
  issue: number;
  marker: string;
  body: string;
  policy: Exclude<CommentPolicy, 'never'>;
  /** The login to look for; default: the token's identity, else the Actions bot. */
  author?: string;
}

export interface StickyOutcome {
  action: 'created' | 'updated' | 'unchanged' | 'same-verdict';
  id: number;
  url: string;
  /** Duplicates (from runs that raced) removed on the way. */
  removed: number;
}

/**
 * Our comment starts with its marker: the marker is matched there only, never inside the body,
 * where a copy of it (a column name, a quoted comment) must not pass for ours.
 */
export const isOurs = (body: string, marker: string): boolean => body.startsWith(marker) && /^\r?(\n|$)/.test(body.slice(marker.length));

export async function upsertStickyComment(store: CommentStore, req: StickyRequest): Promise<StickyOutcome> {
  const author = req.author ?? (await store.identity()) ?? ACTIONS_BOT;
  const ours = async () =>
    (await store.list(req.issue)).filter((c) => c.author === author && isOurs(c.body, req.marker)).sort((a, b) => a.id - b.id);

  const found = await ours();
  if (found.length === 0) {
    const created = await store.create(req.issue, req.body);
    // Another run may have created one at the same time: the oldest stays, ours goes.
    const [first] = await ours();
    if (!first || first.id === created.id) return { action: 'created', id: created.id, url: created.url, removed: 0 };
    await store.remove(created.id);
    const updated = first.body === req.body ? first : await store.update(first.id, req.body);
    return { action: first.body === req.body ? 'unchanged' : 'updated', id: updated.id, url: updated.url, removed: 1 };
  }
  const [target, ...duplicates] = found as [IssueComment, ...IssueComment[]];
  for (const d of duplicates) await store.remove(d.id);
  const removed = duplicates.length;
  if (target.body === req.body) return { action: 'unchanged', id: target.id, url: target.url, removed };
  if (req.policy === 'on-change' && fingerprintOf(target.body) !== null && fingerprintOf(target.body) === fingerprintOf(req.body)) {
    return { action: 'same-verdict', id: target.id, url: target.url, removed };
  }
  const updated = await store.update(target.id, req.body);
  return { action: 'updated', id: updated.id, url: updated.url, removed };
}
