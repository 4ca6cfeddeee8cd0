/**
 * report.html: the whole report in one self-contained page. Styles and charts (SVG) are inline and
 * nothing is fetched, so it opens offline and no model detail reaches a third-party host.
 */
import type { CheckResult } from '../checks/types.ts';
import { fmt, METHOD_LABEL, type FeatureDrift } from '../drift/judge.ts';
import type { Report } from './json.ts';
import { DECISION_ICON } from './markdown.ts';
import { checkIcon, countsText, metricLimit, reportView, type ViewItem } from './view.ts';
import { ioRows } from './model-io.ts';
import { htmlText } from './escape.ts';
import { slicesHtml } from './slices.ts';

/** Every interpolation below goes through this (or is a number formatted here, or a constant). */
export const escapeHtml = htmlText;

const num = (v: unknown, digits = 4) => (typeof v === 'number' && Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : '—');

function table(head: string[], rows: unknown[][], numeric: number[] = []): string {
  const td = (v: unknown, i: number) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${v}</td>`;
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(td).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

interface Series {
  name: string;
  values: number[];
  color: string;
}

/** Grouped vertical bars with a legend and an optional reference line, as plain SVG. */
export function barChart(title: string, categories: string[], series: Series[], unit: string, line?: { value: number; label: string }): string {
  const width = Math.max(360, 60 + categories.length * (series.length * 18 + 14));
  const height = 240;
  const left = 50;
  const top = 36;
  const bottom = 60;
  const plotH = height - top - bottom;
  const max = series.flatMap((s) => s.values).reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), line?.value ?? 0) * 1.1 || 1;
  const y = (v: number) => top + plotH - (Math.max(0, v) / max) * plotH;
  const group = (width - left - 10) / Math.max(categories.length, 1);
  const barW = Math.min(24, (group - 8) / series.length);
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="16" class="t">${escapeHtml(title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" class="g"/><text x="${left - 4}" y="${y(v) + 4}" class="a" text-anchor="end">${num(v, 3)}</text>`);
  }
  categories.forEach((c, i) => {
    const x0 = left + i * group + (group - barW * series.length) / 2;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      parts.push(`<rect x="${x0 + k * barW}" y="${y(v)}" width="${barW - 2}" height="${top + plotH - y(v)}" fill="${s.color}"><title>${escapeHtml(`${s.name} ${c}: ${num(v)} ${unit}`)}</title></rect>`);
    });
    const cx = left + i * group + group / 2;
    parts.push(`<text x="${cx}" y="${top + plotH + 14}" class="a" text-anchor="end" transform="rotate(-30 ${cx} ${top + plotH + 14})">${escapeHtml(c.length > 18 ? `${c.slice(0, 17)}…` : c)}</text>`);
  });
  if (line) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(line.value)}" y2="${y(line.value)}" class="r"/><text x="${width - 12}" y="${y(line.value) - 4}" class="a" text-anchor="end">${escapeHtml(line.label)}</text>`);
  }
  series.forEach((s, k) => {
    parts.push(`<rect x="${left + k * 110}" y="${height - 14}" width="10" height="10" fill="${s.color}"/><text x="${left + k * 110 + 14}" y="${height - 5}" class="a">${escapeHtml(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${Math.round(width)}" height="${height}" viewBox="0 0 ${Math.round(width)} ${height}">${parts.join('')}<text x="6" y="${top + plotH / 2}" class="a" transform="rotate(-90 6 ${top + plotH / 2})">${escapeHtml(unit)}</text></svg>`;
}

const STYLE = `li p.next{margin:.2rem 0 .4rem}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px}
.GO{color:#1a7f37}.NO-GO{color:#cf222e}.DELAY{color:#9a6700}
svg .t{font-weight:600;font-size:13px}svg .a{font-size:11px;fill:#57606a}svg .g{stroke:#eaeef2}svg .r{stroke:#cf222e;stroke-dasharray:4 3}
ul.p li{margin:.2rem 0}`;

function checkRows(checks: CheckResult[]): unknown[][] {
  return checks.map((c) => [checkIcon(c), `<code>${escapeHtml(c.id)}</code>`, escapeHtml(c.severity), escapeHtml(c.message), escapeHtml(c.threshold ?? '')]);
}

function metricsHtml(report: Report): string {
  const m = report.metrics;
  if (!m) return '';
  const names = Object.keys(m.candidate).filter((k) => typeof m.candidate[k] === 'number' || m.candidate[k] === null);
  const compared = report.comparison?.metrics ?? {};
  const rows = names.map((name) => {
    const c = compared[name];
    const interval = c?.interval ? `[${num(c.interval.low)}, ${num(c.interval.high)}]` : '';
    const l = metricLimit(report, name);
    const delta = c?.delta ?? (typeof m.candidate[name] === 'number' && typeof m.baseline?.[name] === 'number' ? (m.candidate[name] as number) - (m.baseline[name] as number) : null);
    return [escapeHtml(name), num(m.baseline?.[name]), num(m.candidate[name]), l ? `${l.icon} ${escapeHtml(l.limit)}` : '—', num(delta), interval, escapeHtml(c ? `${c.verdict ?? '—'}${c.p_value !== null ? ` (McNemar p=${num(c.p_value)})` : ''}` : '')];
  });
  return `<h2>Metrics (${escapeHtml(m.task)}, ${escapeHtml(Number(m.rows).toLocaleString('en'))} rows)</h2>${table(['Metric', 'Baseline', 'Candidate', 'Limit', 'Δ', 'CI of Δ', 'Significance'], rows, [1, 2, 4])}`;
}

function latencyHtml(report: Report): string {
  const parts: string[] = [];
  if (report.latency.length > 0) {
    parts.push(
      '<h2>Latency</h2>',
      table(
        ['Batch', 'Calls', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms', 'rows/s'],
        report.latency.map((l) => [escapeHtml(l.batch_size), escapeHtml(l.samples), num(l.p50_ms), num(l.p95_ms), num(l.p99_ms), num(l.max_ms), num(l.mean_ms), num(l.rows_per_s)]),
        [0, 1, 2, 3, 4, 5, 6, 7],
      ),
    );
  }
  const lc = report.latency_comparison;
  if (lc) {
    const d = lc.distribution;
    parts.push(
      `<p>Against the baseline (batch ${escapeHtml(lc.batch_size)}, ${escapeHtml(lc.samples)} interleaved calls each): p95 ×${num(lc.p95_ratio)}${lc.p95_ratio_interval ? ` (CI ×${num(lc.p95_ratio_interval.low)}–×${num(lc.p95_ratio_interval.high)})` : ''}.</p>`,
      barChart(`Latency by percentile, batch ${String(lc.batch_size)}`, d.percentiles.map((p) => `p${p}`), [
        { name: 'baseline', values: d.baseline_ms, color: '#8c959f' },
        { name: 'candidate', values: d.candidate_ms, color: '#0969da' },
      ], 'ms'),
    );
  }
  return parts.join('');
}

function driftRows(features: FeatureDrift[]): unknown[][] {
  return features.map((f) => [
    `<code>${escapeHtml(f.name)}</code>`,
    escapeHtml(f.kind ?? '—'),
    escapeHtml(f.method ? METHOD_LABEL[f.method] : '—'),
    f.value === null || f.value === undefined ? '—' : escapeHtml(fmt(f.value)),
    f.threshold === null || f.threshold === undefined ? '—' : escapeHtml(fmt(f.threshold)),
    f.psi === undefined ? '—' : escapeHtml(fmt(f.psi)),
    escapeHtml(f.status === 'error' ? `error: ${f.message}` : f.status),
  ]);
}

function driftHtml(report: Report): string {
  const d = report.drift;
  if (!d) return '';
  const head = ['Feature', 'Kind', 'Decided by', 'Value', 'Limit', 'PSI', 'Verdict'];
  const parts = [
    `<h2>Drift: <code>${escapeHtml(d.current.path)}</code> against <code>${escapeHtml(d.reference.path)}</code></h2>`,
    `<p>${d.drifted_share === null ? 'Not judged: no feature could be compared.' : `${escapeHtml(d.drifted_features)} of ${escapeHtml(d.judged_features)} features drifted${d.dataset_drift ? ' — <b>dataset drift</b>' : ''}.`}</p>`,
  ];
  const ranked = d.features.filter((f) => typeof f.psi === 'number' && Number.isFinite(f.psi)).sort((a, b) => b.psi! - a.psi!).slice(0, 20);
  if (ranked.length > 0) {
    parts.push(barChart('PSI by feature (largest 20)', ranked.map((f) => f.name), [{ name: 'PSI', values: ranked.map((f) => f.psi!), color: '#bf8700' }], 'PSI', { value: d.rules.psi.blocker, label: `blocks at ${d.rules.psi.blocker}` }));
  }
  parts.push(table(head, driftRows(d.features), [3, 4, 5]));
  if (d.label) parts.push('<h3>Label</h3>', table(head, driftRows([d.label]), [3, 4, 5]));
  if (d.predictions) {
    parts.push('<h3>Predictions, reference → current</h3>', table(head, driftRows(d.predictions.reference_vs_current), [3, 4, 5]));
    parts.push('<h3>Predictions, baseline → candidate</h3>', table(head, driftRows(d.predictions.baseline_vs_candidate), [3, 4, 5]));
  }
  return parts.join('');
}

function ioHtml(report: Report): string {
  const io = ioRows(report);
  if (io.rows.length === 0) return '';
  const rows = io.rows.map((r) => [escapeHtml(r.kind), `<code>${escapeHtml(r.name)}</code>`, `<code>${escapeHtml(r.type)}</code>`, escapeHtml(r.fed)]);
  if (io.more > 0) rows.push(['…', `${escapeHtml(io.more)} more`, '', '']);
  return `<h2>Model inputs and outputs</h2>${table(['', 'Name', 'Type', 'Fed as'], rows)}`;
}

/** One blocking or warning item: what failed, against what, and what to do next. */
function itemHtml(i: ViewItem): string {
  const measured = [i.value !== null ? `value <code>${escapeHtml(i.value)}</code>` : '', i.limit ? `limit <code>${escapeHtml(i.limit)}</code>` : ''].filter(Boolean).join(', ');
  return `<li class="${escapeHtml(i.severity)}">${i.icon} <code>${escapeHtml(i.id)}</code> (${escapeHtml(i.severity)}${i.status === 'error' ? ', could not run' : ''}): ${escapeHtml(i.message)}${measured ? ` (${measured})` : ''}<p class="next">→ ${escapeHtml(i.next)}</p>${i.hint ? `<pre>${escapeHtml(i.hint)}</pre>` : ''}</li>`;
}

export function renderHtml(report: Report): string {
  const view = reportView(report);
  const body = [
    `<h1 class="${escapeHtml(report.decision)}">${DECISION_ICON[report.decision] ?? ''} ${escapeHtml(report.decision)} — model-gate</h1>`,
    `<p><b>${escapeHtml(view.headline)}</b> ${escapeHtml(view.reason)}.</p>`,
    `<p class="counts">${escapeHtml(countsText(view.counts))}</p>`,
    table(['Version', 'Model', 'sha256', 'Config', 'Started'], [[
      `<code>${escapeHtml(report.version.id || '—')}</code>`,
      `<code>${escapeHtml(report.model.path)}</code>`,
      `<code>${escapeHtml(report.version.sha256 || '—')}</code>`,
      `<code>${escapeHtml(report.config.path ?? 'built-in defaults')}</code>`,
      escapeHtml(report.started_at),
    ]]),
    view.blockers.length > 0 ? `<h2>⛔ Blocking</h2><ul class="p">${view.blockers.map(itemHtml).join('')}</ul>` : '',
    view.warnings.length > 0 ? `<h2>⚠️ Warnings</h2><ul class="p">${view.warnings.map(itemHtml).join('')}</ul>` : '',
    metricsHtml(report),
    slicesHtml(report.slices),
    latencyHtml(report),
    driftHtml(report),
    '<h2>Checklist</h2>',
    table(['', 'Check', 'Severity', 'Result', 'Threshold'], checkRows(report.checks)),
    ioHtml(report),
    report.error_scenarios.length > 0
      ? `<h2>Error scenarios</h2>${table(['Scenario', 'Request', 'What the model did'], report.error_scenarios.map((e) => [`<code>${escapeHtml(e.scenario)}</code>`, escapeHtml(e.request), `${escapeHtml(e.outcome)}: ${escapeHtml(e.detail)}`]))}`
      : '',
    `<p><small>model-gate ${escapeHtml(report.tool.version)} · ${escapeHtml(report.data.source ?? 'no rows evaluated')} · ${Math.round(report.duration_ms)} ms</small></p>`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>model-gate ${escapeHtml(report.decision)} — ${escapeHtml(report.version.id)}</title><style>${STYLE}</style></head>
<body>${body.join('\n')}</body></html>
`;
}
