/**
 * The confusion matrix as a heat map: rows are the true class, columns the predicted one; colour
 * is the row-normalised share (recall along the diagonal), each cell prints count and share.
 * Candidate and baseline side by side on the same colour scale. Many classes: the largest
 * `MAX_CLASSES` by support are drawn and the caption says how many were left out.
 */
import { COLOR, clip, esc, figure, num, pct, px, svg } from './common.ts';

export const MAX_CLASSES = 12;

interface Matrix {
  name: string;
  m: number[][];
}

/** White to blue by share; the diagonal in blue, errors in red, so a wrong cell never looks right. */
function fill(share: number, diagonal: boolean): string {
  const s = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  const [r, g, b] = diagonal ? [9, 105, 218] : [207, 34, 46];
  const mix = (c: number) => Math.round(255 - (255 - c) * s * 0.85);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

function panel(mx: Matrix, classes: string[], keep: number[], x0: number, y0: number, cell: number): string {
  const parts = [`<text x="${px(x0 + (cell * keep.length) / 2)}" y="${px(y0 - 36)}" class="t" text-anchor="middle">${esc(mx.name)}</text>`];
  keep.forEach((t, r) => {
    const row = mx.m[t] ?? [];
    const total = row.reduce((s, v) => s + (Number.isFinite(v) ? v : 0), 0);
    keep.forEach((p, c) => {
      const count = row[p] ?? 0;
      const share = total > 0 ? count / total : 0;
      const x = x0 + c * cell;
      const y = y0 + r * cell;
      const dark = share > 0.55;
      parts.push(
        `<g class="cm-cell" data-t="${t}" data-p="${p}" data-count="${esc(num(count, 6))}">`,
        `<rect x="${px(x)}" y="${px(y)}" width="${cell - 2}" height="${cell - 2}" fill="${fill(share, t === p)}" stroke="${t === p ? COLOR.candidate : '#d0d7de'}"/>`,
        `<text x="${px(x + cell / 2 - 1)}" y="${px(y + cell / 2 - 3)}" text-anchor="middle" class="cv"${dark ? ' fill="#fff"' : ''}>${esc(num(count, 6))}</text>`,
        `<text x="${px(x + cell / 2 - 1)}" y="${px(y + cell / 2 + 10)}" text-anchor="middle" class="cs"${dark ? ' fill="#fff"' : ''}>${esc(total > 0 ? pct(share) : '—')}</text>`,
        `<title>${esc(`true ${classes[t]}, predicted ${classes[p]}: ${num(count, 6)} (${pct(share)} of true ${classes[t]})`)}</title></g>`,
      );
    });
    parts.push(`<text x="${px(x0 - 6)}" y="${px(y0 + r * cell + cell / 2 + 3)}" class="a" text-anchor="end">${esc(clip(classes[t]!, 12))}</text>`);
  });
  keep.forEach((p, c) => {
    const cx = x0 + c * cell + cell / 2;
    parts.push(`<text x="${px(cx)}" y="${px(y0 - 6)}" class="a" text-anchor="start" transform="rotate(-35 ${px(cx)} ${px(y0 - 6)})">${esc(clip(classes[p]!, 10))}</text>`);
  });
  return parts.join('');
}

/** Candidate (and baseline when given) matrices over the same classes; '' when there is nothing to draw. */
export function confusionChart(classes: readonly unknown[], candidate: number[][], baseline: number[][] | null): string {
  const names = classes.map(String);
  const k = names.length;
  if (k === 0 || candidate.length !== k) return '';
  const support = candidate.map((row) => row.reduce((s, v) => s + (Number.isFinite(v) ? v : 0), 0));
  const keep = names.map((_, i) => i).sort((a, b) => support[b]! - support[a]!).slice(0, MAX_CLASSES).sort((a, b) => a - b);
  const cell = keep.length <= 4 ? 62 : keep.length <= 8 ? 50 : 42;
  const mats: Matrix[] = [{ name: 'Candidate', m: candidate }];
  if (baseline && baseline.length === k) mats.push({ name: 'Baseline', m: baseline });
  const labelW = 90;
  const gap = 50;
  const side = cell * keep.length;
  const top = 84;
  const width = labelW + mats.length * side + (mats.length - 1) * (gap + labelW) + 20;
  const height = top + side + 16;
  const body = [
    `<text x="8" y="16" class="t">Confusion matrix (rows: true class; columns: predicted; colour: share of the row)</text>`,
    ...mats.map((mx, i) => panel(mx, names, keep, labelW + i * (side + gap + labelW), top, cell)),
  ].join('');
  const left = k - keep.length;
  const caption = `In each cell: rows (weighted count), then the share of the true class. Diagonal = correct (blue), off the diagonal = errors (red). ${mats.length === 2 ? 'Candidate and baseline on the same evaluation rows. ' : ''}${left > 0 ? `The ${keep.length} classes with the most rows are drawn; ${left} more are in report.json (metrics.candidate.confusion_matrix).` : 'Every class is drawn.'}`;
  return figure(svg('confusion', 'Confusion matrix, candidate' + (mats.length === 2 ? ' and baseline' : ''), width, height, body), caption);
}
