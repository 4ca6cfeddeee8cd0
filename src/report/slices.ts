/** The per-slice tables of summary.md and report.html: one row per slice and metric. */
import type { SliceReport, SliceRow } from '../checks/slices.ts';
import { numberText } from '../core/format.ts';
import { htmlText, mdCell, mdCode, mdText } from './escape.ts';

const signed = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : '−'}${numberText(Math.abs(v))}`);

const HEAD = ['Slice', 'Rows', 'Metric', 'Baseline', 'Candidate', 'Δ', 'CI of Δ', 'Margin', 'p (adjusted)', 'Verdict'];

const NOT_TESTED: Record<Exclude<SliceRow['status'], 'tested'>, string> = {
  too_small: 'too small to test',
  untestable: 'cannot be tested (metrics undefined)',
  not_compared: 'no baseline',
};

/** Plain-text cells, escaped by the renderer. */
function rows(entry: SliceReport['columns'][number]): string[][] {
  const out: string[][] = [];
  for (const s of entry.slices) {
    const head = [s.slice, s.rows.toLocaleString('en')];
    if (s.status === 'too_small' || s.status === 'untestable') {
      out.push([...head, '', '', '', '', '', '', '', `⚪ ${NOT_TESTED[s.status]}`]);
      continue;
    }
    s.metrics.forEach((m, i) => {
      const verdict = s.status === 'not_compared' ? NOT_TESTED.not_compared : m.p_value === null ? '⚪ undefined' : m.regressed ? '⛔ regressed beyond margin' : '🟢 within margin';
      out.push([
        ...(i === 0 ? head : ['', '']),
        m.metric,
        numberText(m.baseline),
        numberText(m.candidate),
        signed(m.delta),
        m.interval ? `[${signed(m.interval.low)}, ${signed(m.interval.high)}]` : '—',
        m.p_value === null && s.status === 'not_compared' ? '—' : numberText(m.margin),
        m.p_value === null ? '—' : `${numberText(m.p_value)} (${numberText(m.p_adjusted)})`,
        verdict,
      ]);
    });
  }
  return out;
}

const how = (r: SliceReport) =>
  `${r.multiplicity === 'holm' ? 'Holm' : r.multiplicity === 'bh' ? 'Benjamini–Hochberg' : 'no'} adjustment over all slice tests, one-sided α ${numberText(r.alpha)}, ${numberText(r.confidence * 100)}% intervals`;

export function slicesMarkdown(r: SliceReport | null | undefined): string[] {
  if (!r) return [];
  const lines: string[] = [];
  for (const c of r.columns) {
    lines.push(`### Slices by ${mdCode(c.column)}${c.bins ? ` (bins ${mdText(c.bins.join(', '))})` : ''}`, '');
    if (c.problem) {
      lines.push(`${mdText(c.problem)}`, '');
      continue;
    }
    lines.push(`${r.compared ? mdText(how(r)) : 'No baseline: candidate metrics only'}; slices under ${mdText(c.min_rows)} rows are not tested.`, '');
    lines.push(`| ${HEAD.join(' | ')} |`, `|---|---:|---|---:|---:|---:|---|---:|---:|---|`);
    for (const row of rows(c)) lines.push(`| ${row.map((x) => mdCell(x)).join(' | ')} |`);
    lines.push('');
  }
  return lines;
}

export function slicesHtml(r: SliceReport | null | undefined): string {
  if (!r) return '';
  return r.columns
    .map((c) => {
      const title = `<h2>Slices by <code>${htmlText(c.column)}</code>${c.bins ? ` (bins ${htmlText(c.bins.join(', '))})` : ''}</h2>`;
      if (c.problem) return `${title}<p>${htmlText(c.problem)}</p>`;
      const note = `<p>${htmlText(r.compared ? how(r) : 'No baseline: candidate metrics only')}; slices under ${htmlText(String(c.min_rows))} rows are not tested.</p>`;
      const numeric = new Set([1, 3, 4, 5, 7, 8]);
      const body = rows(c)
        .map((row) => `<tr>${row.map((x, i) => `<td${numeric.has(i) ? ' class="n"' : ''}>${htmlText(x)}</td>`).join('')}</tr>`)
        .join('');
      return `${title}${note}<table><thead><tr>${HEAD.map((h) => `<th>${htmlText(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
    })
    .join('\n');
}
