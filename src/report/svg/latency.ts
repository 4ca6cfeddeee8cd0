/**
 * Latency, candidate against baseline, at each percentile on a log axis: a slow tail (p99) no
 * longer flattens p10–p95, and equal ratios look equal. Each percentile carries its ratio; the
 * gate itself is on p95, which the chart marks and the caption names.
 */
import type { CheckResult } from '../../core/check-result.ts';
import type { LatencyComparison } from '../../checks/latency-ab.ts';
import { COLOR, esc, figure, legend, logTicks, num, px, svg } from './common.ts';

export function latencyChart(lc: LatencyComparison, gate: CheckResult | undefined): string {
  const d = lc.distribution;
  const points = d.percentiles.map((p, i) => ({ p, c: d.candidate_ms[i]!, b: d.baseline_ms[i]! })).filter((x) => x.c > 0 && x.b > 0 && Number.isFinite(x.c) && Number.isFinite(x.b));
  if (points.length === 0) return '';
  const values = points.flatMap((x) => [x.c, x.b]);
  const lo = Math.min(...values) / 1.3;
  const hi = Math.max(...values) * 1.3;
  const width = 640;
  const height = 290;
  const left = 84;
  const right = 20;
  const top = 48;
  const bottom = 56;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const y = (v: number) => top + plotH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const step = plotW / points.length;
  const x = (i: number) => left + step * (i + 0.5);
  const parts: string[] = [`<text x="${left}" y="18" class="t">${esc(`Latency by percentile, batch ${lc.batch_size} (${lc.samples} interleaved calls each), log scale`)}</text>`];
  for (const t of logTicks(lo, hi)) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="${COLOR.grid}"/><text x="${left - 6}" y="${px(y(t) + 4)}" class="a" text-anchor="end">${esc(num(t, 3))}</text>`);
  }
  parts.push(`<text x="14" y="${px(top + plotH / 2)}" class="a" text-anchor="middle" transform="rotate(-90 14 ${px(top + plotH / 2)})">ms (log)</text>`);
  const p95 = points.findIndex((pt) => pt.p === 95);
  if (p95 >= 0) parts.push(`<rect x="${px(x(p95) - step / 2)}" y="${top}" width="${px(step)}" height="${plotH}" fill="#fff8c5" data-gated="p95"/>`);
  const path = (key: 'b' | 'c') => points.map((pt, i) => `${i === 0 ? 'M' : 'L'}${px(x(i))},${px(y(pt[key]))}`).join('');
  parts.push(`<path d="${path('b')}" fill="none" stroke="${COLOR.baseline}" stroke-width="2" stroke-dasharray="5 3"/>`);
  parts.push(`<path d="${path('c')}" fill="none" stroke="${COLOR.candidate}" stroke-width="2"/>`);
  points.forEach((pt, i) => {
    const ratio = pt.c / pt.b;
    parts.push(
      `<circle cx="${px(x(i))}" cy="${px(y(pt.b))}" r="3.5" fill="${COLOR.baseline}"><title>${esc(`baseline p${pt.p}: ${num(pt.b)} ms`)}</title></circle>`,
      `<circle cx="${px(x(i))}" cy="${px(y(pt.c))}" r="3.5" fill="${COLOR.candidate}"><title>${esc(`candidate p${pt.p}: ${num(pt.c)} ms`)}</title></circle>`,
      `<text x="${px(x(i))}" y="${top - 6}" class="a" text-anchor="middle"${ratio > 1 ? ' font-weight="600"' : ''}>${esc(`×${num(ratio, 3)}`)}</text>`,
      `<text x="${px(x(i))}" y="${top + plotH + 16}" class="a" text-anchor="middle">${esc(`p${pt.p}`)}</text>`,
    );
  });
  parts.push(`<text x="${left - 6}" y="${top - 6}" class="a" text-anchor="end">cand. ÷ base.</text>`);
  parts.push(legend(left, height - 10, [{ label: 'candidate', color: COLOR.candidate }, { label: 'baseline', color: COLOR.baseline, dash: true }, { label: 'p95: the percentile that gates', color: '#fff8c5' }]));
  const decides = gate
    ? `The gate is on p95: ${gate.threshold ? `limit ${gate.threshold}, ` : ''}${gate.status === 'pass' ? 'passed' : gate.status}: ${gate.message}`
    : `p95 ×${num(lc.p95_ratio, 3)}; no latency limit against the baseline is configured, so this chart informs only.`;
  return figure(svg('latency', `Latency by percentile, candidate against baseline, batch ${lc.batch_size}`, width, height, parts.join('')), decides);
}
