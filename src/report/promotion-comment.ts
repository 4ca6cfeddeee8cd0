/**
 * The promotion section of the sticky PR comment: one row per stage, replaced as the stage moves
 * (baking → promoted / rolled back), so approvers see what they approve.
 */
import { cell } from './markdown.ts';

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
const rowKey = (stage: string) => `<!-- stage ${stage} -->`;

function renderRow(r: PromotionRow): string {
  return `| ${rowKey(r.stage)}${cell(r.stage)} | \`${cell(r.environment)}\` | ${ICON[r.state]} ${r.state} | ${cell(r.judgement)} | ${r.runUrl ? `[run](${r.runUrl})` : ''} |`;
}

/** The body with this stage's row added or replaced; the rest of the comment is left as it was. */
export function withPromotionRow(body: string, row: PromotionRow): string {
  const head = ['', START, `### Promotion of \`${cell(row.version)}\``, '', '| Stage | Environment | State | Last judgement | |', '|---|---|---|---|---|'];
  const start = body.indexOf(START);
  const end = body.indexOf(END);
  if (start < 0 || end < start) return `${body.trimEnd()}\n${[...head, renderRow(row), END].join('\n')}\n`;
  const section = body.slice(start, end).split('\n');
  const rows = section.filter((l) => l.startsWith('| <!-- stage '));
  const key = rowKey(row.stage);
  const i = rows.findIndex((l) => l.startsWith(`| ${key}`));
  if (i >= 0) rows[i] = renderRow(row);
  else rows.push(renderRow(row));
  return `${body.slice(0, start).trimEnd()}\n${[...head, ...rows, END].join('\n')}${body.slice(end + END.length)}`;
}
