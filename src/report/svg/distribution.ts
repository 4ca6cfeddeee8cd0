/**
 * A drifted feature, reference against current: numeric features as two histograms on the same
 * bins (shares, so different sizes compare), categorical ones as paired bars per category. One
 * small chart per feature; the caller picks the most drifted few.
 */
import type { FeatureDrift } from '../../drift/judge.ts';
import { compact } from '../../core/format.ts';
import { METHOD_LABEL } from '../../drift/judge.ts';
import { COLOR, clip, esc, legend, linearTicks, num, pct, px, svg } from './common.ts';

const MAX_CATEGORIES = 12;

const shares = (xs: readonly number[]) => {
  const n = xs.reduce((s, v) => s + v, 0);
  return xs.map((v) => (n > 0 ? v / n : 0));
};

function frame(f: FeatureDrift, width: number, height: number, body: string, note: string): string {
  const verdict = f.method && f.value !== null ? `${f.status}: ${METHOD_LABEL[f.method]} ${compact(f.value)}${f.threshold !== null ? ` (limit ${compact(f.threshold)})` : ''}` : f.status;
  const head = `<text x="8" y="16" class="t">${esc(clip(f.name, 40))}</text><text x="8" y="31" class="a">${esc(`${verdict}${typeof f.psi === 'number' ? `; PSI ${compact(f.psi)}` : ''}`)}</text>`;
  const foot = `${legend(8, height - 8, [{ label: `reference (${num(f.n_reference ?? 0, 6)})`, color: COLOR.reference }, { label: `current (${num(f.n_current ?? 0, 6)})`, color: COLOR.current, line: !!f.histogram }])}${note ? `<text x="${width - 8}" y="${height - 26}" class="a" text-anchor="end">${esc(note)}</text>` : ''}`;
  return svg('distribution', `${f.name}: reference against current`, width, height, head + body + foot);
}

/** Round share ticks (0 %, 10 %, 20 % …) up to `max`. */
function yAxis(left: number, top: number, plotH: number, plotW: number, max: number): string {
  return linearTicks(0, max, 4)
    .filter((t) => t <= max)
    .map((t) => {
      const yy = top + plotH - (t / max) * plotH;
      return `<line x1="${left}" x2="${left + plotW}" y1="${px(yy)}" y2="${px(yy)}" stroke="${COLOR.grid}"/><text x="${left - 4}" y="${px(yy + 4)}" class="a" text-anchor="end">${esc(pct(t))}</text>`;
    })
    .join('');
}

/** The chart of one feature, or '' when it has neither a histogram nor categories. */
export function distributionChart(f: FeatureDrift): string {
  const width = 400;
  const height = 220;
  const left = 46;
  const top = 42;
  const bottom = 58;
  const plotW = width - left - 12;
  const plotH = height - top - bottom;
  if (f.histogram) {
    const h = f.histogram;
    const a = shares(h.reference);
    const b = shares(h.current);
    const max = Math.max(...a, ...b, 1e-9) * 1.1;
    const n = a.length;
    const w = plotW / n;
    const y = (v: number) => top + plotH - (v / max) * plotH;
    const parts = [yAxis(left, top, plotH, plotW, max)];
    a.forEach((v, i) => parts.push(`<rect x="${px(left + i * w)}" y="${px(y(v))}" width="${px(w - 1)}" height="${px(top + plotH - y(v))}" fill="${COLOR.reference}" fill-opacity="0.6"><title>${esc(`reference ${num(h.edges[i]!)} to ${num(h.edges[i + 1]!)}: ${pct(v)}`)}</title></rect>`));
    const step = b.map((v, i) => `${i === 0 ? `M${px(left)},${px(y(v))}` : `L${px(left + i * w)},${px(y(v))}`}L${px(left + (i + 1) * w)},${px(y(v))}`).join('');
    parts.push(`<path d="${step}" fill="none" stroke="${COLOR.current}" stroke-width="2.2"/>`);
    b.forEach((v, i) => parts.push(`<rect x="${px(left + i * w)}" y="${top}" width="${px(w)}" height="${plotH}" fill="transparent"><title>${esc(`${num(h.edges[i]!)} to ${num(h.edges[i + 1]!)}: reference ${pct(a[i]!)}, current ${pct(v)}`)}</title></rect>`));
    for (const i of [0, Math.floor(n / 2), n]) {
      parts.push(`<text x="${px(left + i * w)}" y="${top + plotH + 14}" class="a" text-anchor="${i === 0 ? 'start' : i === n ? 'end' : 'middle'}">${esc(num(h.edges[i]!))}</text>`);
    }
    const clipped = h.clipped[0] + h.clipped[1];
    return frame(f, width, height, parts.join(''), clipped > 0 ? `${num(clipped, 6)} values beyond the range counted at the ends` : '');
  }
  if (f.categories && f.categories.length > 0) {
    const total = (k: 'reference' | 'current') => f.categories!.reduce((s, c) => s + c[k], 0) || 1;
    const ra = total('reference');
    const rb = total('current');
    const cats = [...f.categories].sort((x, z) => Math.max(z.reference / ra, z.current / rb) - Math.max(x.reference / ra, x.current / rb)).slice(0, MAX_CATEGORIES);
    const max = Math.max(...cats.flatMap((c) => [c.reference / ra, c.current / rb]), 1e-9) * 1.1;
    const group = plotW / cats.length;
    const bw = Math.min(22, (group - 6) / 2);
    const y = (v: number) => top + plotH - (v / max) * plotH;
    const parts = [yAxis(left, top, plotH, plotW, max)];
    cats.forEach((c, i) => {
      const x0 = left + i * group + (group - 2 * bw) / 2;
      const sa = c.reference / ra;
      const sb = c.current / rb;
      parts.push(
        `<rect x="${px(x0)}" y="${px(y(sa))}" width="${px(bw - 1)}" height="${px(top + plotH - y(sa))}" fill="${COLOR.reference}"><title>${esc(`${c.value}: reference ${pct(sa)} (${c.reference})`)}</title></rect>`,
        `<rect x="${px(x0 + bw)}" y="${px(y(sb))}" width="${px(bw - 1)}" height="${px(top + plotH - y(sb))}" fill="${COLOR.current}"><title>${esc(`${c.value}: current ${pct(sb)} (${c.current})`)}</title></rect>`,
        `<text x="${px(left + i * group + group / 2)}" y="${top + plotH + 14}" class="a" text-anchor="middle">${esc(clip(c.value, Math.max(3, Math.floor(group / 6.5))))}</text>`,
      );
    });
    const left2 = f.categories.length - cats.length;
    return frame(f, width, height, parts.join(''), left2 > 0 ? `${left2} smaller categories not drawn` : '');
  }
  return '';
}
