/**
 * What the alert issue of a monitor run says: its marker (keyed by the monitor id), its title and
 * labels, its body (the issue's rows plus this run's, at most monitor.issue.history of them, within
 * GitHub's body limit) and the note that closes it. Pure; src/github/alert-issue.ts keeps the issue.
 */
import type { AlertRequest } from '../github/alert-issue.ts';
import { MAX_BODY } from '../github/alert-issue.ts';
import { historyRow, readHistory, renderIssueBody } from './markdown.ts';
import type { MonitorReport } from './types.ts';

/** The hidden marker; the id cannot close the HTML comment. */
export const alertMarker = (id: string) => `<!-- model-gate-monitor: ${id.replace(/--+>?/g, '-').replace(/[\r\n]/g, ' ')} -->`;

export function alertRequest(report: MonitorReport, opts: { labels: string[]; history: number; runUrl: string | null; author?: string }): AlertRequest {
  const marker = alertMarker(report.id);
  const row = historyRow(report, opts.runUrl);
  return {
    marker,
    healthy: report.status === 'OK',
    title: `model-gate monitor: ${report.id} is ${report.status}`,
    labels: opts.labels,
    author: opts.author,
    closingNote: `✅ Healthy again: the monitor run of ${report.at.slice(0, 16).replace('T', ' ')} UTC found version ${report.version.id} passing every check${opts.runUrl ? ` ([run](${opts.runUrl}))` : ''}. Closing; a new degradation reopens this issue.`,
    body: (previous, open) => {
      let rows = [...(previous ? readHistory(previous) : []), row].slice(-opts.history);
      let body = renderIssueBody(marker, report, rows, open);
      // GitHub refuses bodies over 65,536 characters: the oldest rows go first.
      while (body.length > MAX_BODY - 1024 && rows.length > 1) {
        rows = rows.slice(Math.ceil(rows.length / 4));
        body = renderIssueBody(marker, report, rows, open);
      }
      return body.length > MAX_BODY ? body.slice(0, MAX_BODY - 200) : body;
    },
  };
}
