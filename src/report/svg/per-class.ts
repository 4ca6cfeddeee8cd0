/**
 * Per-class precision, recall and F1: one row per class, one panel per metric on a 0–1 axis, the
 * candidate as a filled dot and the baseline as a ring joined to it, so a class that got worse
 * shows as a dot left of its ring. Many classes: the largest by support, and the caption says so.
 */
import { COLOR, clip, esc, figure, legend, num, px, svg } from './common.ts';
import { MAX_CLASSES } from './confusion.ts';

type PerClass = Record<string, { precision: number; recall: number; f1: number; support: number }>;
const METRICS = ['precision', 'recall', 'f1'] as const;

export function perClassChart(candidate: PerClass, baseline: PerClass | null): string {
  const all = Object.keys(candidate);
  if (all.length === 0) return '';
  const shown = [...all].sort((a, b) => (candidate[b]!.support ?? 0) - (candidate[a]!.support ?? 0)).slice(0, MAX_CLASSES);
  const shownSet = new Set(shown);
  const names = all.filter((n) => shownSet.has(n));
  const labelW = 110;
  const panelW = 170;
  const gap = 44;
  const rowH = 22;
  const top = 60;
  const width = labelW + METRICS.length * (panelW + gap) + 60;
  const height = top + names.length * rowH + 46;
  const parts = [`<text x="8" y="16" class="t">Per-class metrics${baseline ? ', candidate against baseline' : ''}</text>`];
  METRICS.forEach((metric, m) => {
    const x0 = labelW + m * (panelW + gap);
    const x = (v: number) => x0 + Math.max(0, Math.min(1, v)) * panelW;
    parts.push(`<text x="${px(x0 + panelW / 2)}" y="${top - 18}" class="t" text-anchor="middle">${metric === 'f1' ? 'F1' : metric}</text>`);
    for (const t of [0, 0.5, 1]) {
      parts.push(`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${top - 10}" y2="${top + names.length * rowH}" stroke="${COLOR.grid}"/>`);
      parts.push(`<text x="${px(x(t))}" y="${top + names.length * rowH + 14}" class="a" text-anchor="middle">${t}</text>`);
    }
    names.forEach((name, r) => {
      const cy = top + r * rowH + rowH / 2;
      const c = candidate[name]![metric];
      const b = baseline?.[name]?.[metric];
      // An undefined value (no rows of the class, an old report) is left out, not drawn at 0.
      if (typeof c !== 'number' || !Number.isFinite(c)) return;
      if (typeof b === 'number' && Number.isFinite(b)) {
        parts.push(`<line x1="${px(x(b))}" x2="${px(x(c))}" y1="${px(cy)}" y2="${px(cy)}" stroke="${c < b ? COLOR.limit : COLOR.text}" stroke-width="2"/>`);
        parts.push(`<circle cx="${px(x(b))}" cy="${px(cy)}" r="4.5" fill="#fff" stroke="${COLOR.baseline}" stroke-width="2"><title>${esc(`baseline ${name} ${metric}: ${num(b, 3)}`)}</title></circle>`);
      }
      parts.push(`<circle class="pc-dot" cx="${px(x(c))}" cy="${px(cy)}" r="4.5" fill="${COLOR.candidate}"><title>${esc(`candidate ${name} ${metric}: ${num(c, 3)}`)}</title></circle>`);
      if (m === METRICS.length - 1) parts.push(`<text x="${px(x0 + panelW + 10)}" y="${px(cy + 4)}" class="a">${esc(num(c, 3))}</text>`);
    });
  });
  names.forEach((name, r) => {
    const cy = top + r * rowH + rowH / 2;
    parts.push(`<text x="${labelW - 8}" y="${px(cy + 4)}" class="a" text-anchor="end">${esc(`${clip(name, 12)} (${num(candidate[name]!.support, 6)})`)}</text>`);
  });
  parts.push(legend(labelW, height - 8, [{ label: 'candidate', color: COLOR.candidate }, ...(baseline ? [{ label: 'baseline (ring); red joint: worse', color: COLOR.baseline }] : [])]));
  const left = all.length - names.length;
  const caption = `Support (rows of the class) in brackets.${left > 0 ? ` The ${names.length} largest classes are drawn; ${left} more are in report.json (metrics.candidate.per_class).` : ''}`;
  return figure(svg('per-class', 'Per-class precision, recall and F1', width, height, parts.join('')), caption);
}
