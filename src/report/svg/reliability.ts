/**
 * The reliability (calibration) curve: mean top-label confidence against accuracy per bin, the
 * diagonal being perfect calibration. Dot area follows the bin's share of rows, so a wild point
 * made of three rows does not look like a verdict. Candidate and baseline on one plot.
 */
import type { ReliabilityBin } from '../../stats/classification.ts';
import { COLOR, esc, figure, legend, num, pct, px, svg } from './common.ts';

/** `gate`: the metrics.ece check's limit and status when a limit is configured, else null. */
export function reliabilityChart(
  candidate: ReliabilityBin[],
  baseline: ReliabilityBin[] | null,
  ece: { candidate: number | null; baseline: number | null },
  gate: { limit: string; status: string } | null,
): string {
  if (candidate.length === 0) return '';
  const size = 260;
  const left = 56;
  const top = 36;
  const width = left + size + 190;
  const height = top + size + 46;
  const x = (v: number) => left + Math.max(0, Math.min(1, v)) * size;
  const y = (v: number) => top + size - Math.max(0, Math.min(1, v)) * size;
  const parts = [`<text x="8" y="16" class="t">Reliability: does a confidence of p mean right p of the time?</text>`];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${top}" y2="${top + size}" stroke="${COLOR.grid}"/><line x1="${left}" x2="${left + size}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="${COLOR.grid}"/>`,
      `<text x="${px(x(t))}" y="${top + size + 14}" class="a" text-anchor="middle">${t}</text><text x="${left - 6}" y="${px(y(t) + 4)}" class="a" text-anchor="end">${t}</text>`,
    );
  }
  parts.push(`<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="${COLOR.text}" stroke-dasharray="3 3"/>`);
  parts.push(`<text x="${px(left + size / 2)}" y="${top + size + 30}" class="a" text-anchor="middle">mean confidence of the predicted class</text>`);
  parts.push(`<text x="14" y="${px(top + size / 2)}" class="a" text-anchor="middle" transform="rotate(-90 14 ${px(top + size / 2)})">accuracy</text>`);
  const series = (bins: ReliabilityBin[], color: string, name: string, dashed: boolean) => {
    const total = bins.reduce((s, b) => s + b.weight, 0) || 1;
    const d = bins.map((b, i) => `${i === 0 ? 'M' : 'L'}${px(x(b.confidence))},${px(y(b.accuracy))}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    for (const b of bins) {
      const r = 2.5 + 9 * Math.sqrt(b.weight / total);
      parts.push(`<circle class="rel-dot" cx="${px(x(b.confidence))}" cy="${px(y(b.accuracy))}" r="${px(r)}" fill="${color}" fill-opacity="0.55" stroke="${color}"><title>${esc(`${name}: confidence ${num(b.confidence, 3)}, accuracy ${num(b.accuracy, 3)}, ${pct(b.weight / total)} of rows`)}</title></circle>`);
    }
  };
  if (baseline && baseline.length > 0) series(baseline, COLOR.baseline, 'baseline', true);
  series(candidate, COLOR.candidate, 'candidate', false);
  const lx = left + size + 20;
  parts.push(legend(lx, top + 12, [{ label: 'candidate', color: COLOR.candidate }]));
  if (baseline) parts.push(legend(lx, top + 30, [{ label: 'baseline', color: COLOR.baseline, dash: true }]));
  parts.push(legend(lx, top + 48, [{ label: 'perfect calibration', color: COLOR.text, dash: true }]));
  parts.push(`<text x="${lx}" y="${top + 76}" class="a">ECE candidate ${esc(num(ece.candidate, 3))}</text>`);
  if (baseline) parts.push(`<text x="${lx}" y="${top + 92}" class="a">ECE baseline ${esc(num(ece.baseline, 3))}</text>`);
  parts.push(`<text x="${lx}" y="${top + 116}" class="a">Dot area: share of rows</text>`);
  parts.push(`<text x="${lx}" y="${top + 132}" class="a">Below the diagonal:</text><text x="${lx}" y="${top + 146}" class="a">over-confident</text>`);
  return figure(
    svg('reliability', 'Reliability curve of the predicted class', width, height, parts.join('')),
    `Rows binned by the probability of the class the model picked (metrics.ece_bins bins); ECE is the row-weighted gap to the diagonal. ${
      gate ? `ECE gates here: limit ${gate.limit}, ${gate.status === 'pass' ? 'passed' : gate.status}.` : 'ECE does not gate here: no limit on metrics.ece is configured (metrics.thresholds.ece).'
    }`,
  );
}
