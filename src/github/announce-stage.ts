/**
 * Tells the pull request that brought the model how its promotion goes: the section is added to
 * model-gate's sticky comment there (or to a comment of its own). Never fails the stage.
 */
import { getErrorMessage } from '../errors.ts';
import { withPromotionRow, type PromotionRow } from '../report/promotion-comment.ts';
import { ACTIONS_BOT, githubCommentStore } from './comments.ts';
import type { Octokit } from './octokit.ts';

const MARKER_PREFIX = '<!-- model-gate comment: ';

export async function announceStage(octokit: Octokit, repo: { owner: string; repo: string }, sha: string, row: PromotionRow, author: string | undefined, log: (m: string) => void): Promise<string | null> {
  try {
    const pulls = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
    const pr = pulls.data[0];
    if (!pr) return null;
    const store = githubCommentStore(octokit, repo);
    const me = author ?? (await store.identity()) ?? ACTIONS_BOT;
    const ours = (await store.list(pr.number)).filter((c) => c.author === me && c.body.startsWith(MARKER_PREFIX)).sort((a, b) => a.id - b.id);
    const target = ours[0];
    if (target) {
      const body = withPromotionRow(target.body, row);
      if (body !== target.body) await store.update(target.id, body);
      return target.url;
    }
    const created = await store.create(pr.number, withPromotionRow(`${MARKER_PREFIX}promotion -->`, row));
    return created.url;
  } catch (error) {
    log(`The pull request was not told about the stage: ${getErrorMessage(error)}`);
    return null;
  }
}
