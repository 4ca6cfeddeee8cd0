/**
 * The promotion section of the sticky PR comment: one row per stage, replaced as the stage moves
 * (baking → promoted / rolled back), so approvers see what they approve.
 */
import { mdCell, mdCode, mdCodeCell, mdUrl } from './escape.ts';

export interface PromotionRow {
  stage: string;
  environment: string;
  version: string;
  state: 'baking' | 'promoted' | 'rolled back' | 'interrupted';
  judgement: string;
  runUrl: string | null;
}

const START = '<!-- model-gate promotion -->';
const END = '<!-- /model-gate promotion -->';
const ICON: Record<PromotionRow['state'], string> = { baking: '⏳', promoted: '✅', 'rolled back': '⏪', interrupted: '⚠️' };
/** The stage in the row's hidden key: `25%` and `shadow` as they are, nothing that could end the comment. */
const rowKey = (stage: string) => `<!-- stage ${String(stage).replace(/[^\w%.]/g, '_')} -->`;

function renderRow(r: PromotionRow): string {
  return `| ${rowKey(r.stage)}${mdCell(r.stage)} | ${mdCodeCell(r.environment)} | ${ICON[r.state] ?? ''} ${mdCell(r.state)} | ${mdCell(r.judgement)} | ${r.runUrl ? `[run](${mdUrl(r.runUrl)})` : ''} |`;
}

/**
 * The body with this stage's row added or replaced; the rest of the comment is left as it was.
 * The section's bounds are whole lines equal to the markers: rendered content is escaped onto
 * one line and never holds a raw `<!--`, so it cannot fake them.
 */
export function withPromotionRow(body: string, row: PromotionRow): string {
  const head = ['', START, `### Promotion of ${mdCode(row.version)}`, '', '| Stage | Environment | State | Last judgement | |', '|---|---|---|---|---|'];
  const lines = body.split('\n');
  const start = lines.indexOf(START);
  const end = start < 0 ? -1 : lines.indexOf(END, start);
  if (start < 0 || end < 0) return `${body.trimEnd()}\n${[...head, renderRow(row), END].join('\n')}\n`;
  const rows = lines.slice(start, end).filter((l) => l.startsWith('| <!-- stage '));
  const key = rowKey(row.stage);
  const i = rows.findIndex((l) => l.startsWith(`| ${key}`));
  if (i >= 0) rows[i] = renderRow(row);
  else rows.push(renderRow(row));
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = lines.slice(end + 1).join('\n');
  return `${before}\n${[...head, ...rows, END].join('\n')}${end + 1 < lines.length ? `\n${after}` : ''}`;
}
