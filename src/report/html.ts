/**
 * report.html: the whole report in one self-contained page. Styles and charts (SVG) are inline and
 * nothing is fetched, so it opens offline and no model detail reaches a third-party host.
 */
import type { CheckResult } from '../core/check-result.ts';
import { METHOD_LABEL, type FeatureDrift } from '../drift/judge.ts';
import { compact, numberText } from '../core/format.ts';
import type { Report } from './json.ts';
import { DECISION_ICON } from './markdown.ts';
import { checkIcon, countsText, metricLimit, reportView, type ViewItem } from './view.ts';
import { ioRows } from './model-io.ts';
import { htmlText } from './escape.ts';
import { slicesHtml } from './slices.ts';
import { confusionChart } from './svg/confusion.ts';
import { distributionChart } from './svg/distribution.ts';
import { latencyChart } from './svg/latency.ts';
import { perClassChart } from './svg/per-class.ts';
import { psiChart } from './svg/psi.ts';
import { reliabilityChart } from './svg/reliability.ts';
import { driftRank, HISTOGRAMS_KEPT, type DriftReport } from '../drift/run.ts';
import type { ReliabilityBin } from '../stats/classification.ts';

/** Every interpolation below goes through this (or is a number formatted here, or a constant). */
export const escapeHtml = htmlText;


function table(head: string[], rows: unknown[][], numeric: number[] = []): string {
  const td = (v: unknown, i: number) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${v}</td>`;
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(td).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const STYLE = `li p.next{margin:.2rem 0 .4rem}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td code{overflow-wrap:anywhere}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:12px}
.GO{color:#1a7f37}.NO-GO{color:#cf222e}.DELAY{color:#9a6700}
svg .t{font-weight:600;font-size:13px;fill:#1f2328}svg .a{font-size:11px;fill:#57606a}svg .cv{font-size:12px;font-weight:600;fill:#1f2328}svg .cs{font-size:10px;fill:#1f2328}
figure{margin:.8rem 0 1.2rem}figcaption{font-size:12px;color:#57606a;max-width:44rem}div.charts{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}div.charts figure{margin:.4rem 0}svg.chart{max-width:100%;height:auto}
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
    const interval = c?.interval ? `[${numberText(c.interval.low)}, ${numberText(c.interval.high)}]` : '';
    const l = metricLimit(report, name);
    const delta = c?.delta ?? (typeof m.candidate[name] === 'number' && typeof m.baseline?.[name] === 'number' ? (m.candidate[name] as number) - (m.baseline[name] as number) : null);
    return [escapeHtml(name), numberText(m.baseline?.[name]), numberText(m.candidate[name]), l ? `${l.icon} ${escapeHtml(l.limit)}` : '—', numberText(delta), interval, escapeHtml(c ? `${c.verdict ?? '—'}${c.p_value !== null ? ` (McNemar p=${numberText(c.p_value)})` : ''}` : '')];
  });
  return `<h2>Metrics (${escapeHtml(m.task)}, ${escapeHtml(Number(m.rows).toLocaleString('en'))} rows)</h2>${table(['Metric', 'Baseline', 'Candidate', 'Limit', 'Δ', 'CI of Δ', 'Significance'], rows, [1, 2, 4])}${classifierCharts(report)}`;
}

type PerClass = Parameters<typeof perClassChart>[0];
const isMatrix = (v: unknown): v is number[][] => Array.isArray(v) && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'));
const isBins = (v: unknown): v is ReliabilityBin[] => Array.isArray(v) && v.every((b) => b && typeof b === 'object' && typeof (b as ReliabilityBin).confidence === 'number');
const isPerClass = (v: unknown): v is PerClass => !!v && typeof v === 'object' && !Array.isArray(v);
const numOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Confusion matrices, per-class metrics and the reliability curve, from the saved values (older reports lack some). */
function classifierCharts(report: Report): string {
  const m = report.metrics;
  if (!m || m.task === 'regression') return '';
  const c = m.candidate;
  const b = m.baseline;
  const sameClasses = b && JSON.stringify(b.classes) === JSON.stringify(c.classes);
  const parts: string[] = [];
  if (Array.isArray(c.classes) && isMatrix(c.confusion_matrix)) {
    parts.push(confusionChart(c.classes, c.confusion_matrix, sameClasses && isMatrix(b.confusion_matrix) ? b.confusion_matrix : null));
  }
  if (isPerClass(c.per_class)) parts.push(perClassChart(c.per_class, sameClasses && isPerClass(b.per_class) ? b.per_class : null));
  if (isBins(c.reliability)) {
    parts.push(reliabilityChart(c.reliability, b && isBins(b.reliability) ? b.reliability : null, { candidate: numOrNull(c.ece), baseline: numOrNull(b?.ece) }, metricLimit(report, 'ece')));
  }
  return `<div class="charts">${parts.join('')}</div>`;
}

function latencyHtml(report: Report): string {
  const parts: string[] = [];
  if (report.latency.length > 0) {
    parts.push(
      '<h2>Latency</h2>',
      table(
        ['Batch', 'Calls', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms', 'rows/s'],
        report.latency.map((l) => [escapeHtml(l.batch_size), escapeHtml(l.samples), numberText(l.p50_ms), numberText(l.p95_ms), numberText(l.p99_ms), numberText(l.max_ms), numberText(l.mean_ms), numberText(l.rows_per_s)]),
        [0, 1, 2, 3, 4, 5, 6, 7],
      ),
    );
  }
  const lc = report.latency_comparison;
  if (lc) {
    parts.push(
      `<p>Against the baseline (batch ${escapeHtml(lc.batch_size)}, ${escapeHtml(lc.samples)} interleaved calls each): p95 ×${numberText(lc.p95_ratio)}${lc.p95_ratio_interval ? ` (CI ×${numberText(lc.p95_ratio_interval.low)}–×${numberText(lc.p95_ratio_interval.high)})` : ''}.</p>`,
      latencyChart(lc, report.checks.find((c) => c.id === 'comparison.latency.p95_ratio')),
    );
  }
  return parts.join('');
}

function driftRows(features: FeatureDrift[]): unknown[][] {
  return features.map((f) => [
    `<code>${escapeHtml(f.name)}</code>`,
    escapeHtml(f.kind ?? '—'),
    escapeHtml(f.method ? METHOD_LABEL[f.method] : '—'),
    f.value === null || f.value === undefined ? '—' : escapeHtml(compact(f.value)),
    f.threshold === null || f.threshold === undefined ? '—' : escapeHtml(compact(f.threshold)),
    f.psi === undefined ? '—' : escapeHtml(compact(f.psi)),
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
  parts.push(psiChart(d), distributionsHtml(d.features));
  parts.push(table(head, driftRows(d.features), [3, 4, 5]));
  if (d.label) parts.push('<h3>Label</h3>', table(head, driftRows([d.label]), [3, 4, 5]));
  if (d.predictions) {
    parts.push('<h3>Predictions, reference → current</h3>', table(head, driftRows(d.predictions.reference_vs_current), [3, 4, 5]), predictionCharts(d.predictions.reference_vs_current));
    parts.push('<h3>Predictions, baseline → candidate</h3>', table(head, driftRows(d.predictions.baseline_vs_candidate), [3, 4, 5]), predictionCharts(d.predictions.baseline_vs_candidate));
  }
  return parts.join('');
}

/** Reference against current for the most drifted features (drifted first, then by PSI); stable ones only when nothing drifted. */
function distributionsHtml(features: FeatureDrift[]): string {
  const drifted = features.filter((f) => f.status === 'drifted');
  const pool = drifted.length > 0 ? drifted : features.filter((f) => f.status !== 'error');
  const charts = [...pool].sort(driftRank).map(distributionChart).filter(Boolean).slice(0, HISTOGRAMS_KEPT);
  if (charts.length === 0) return '';
  const what = drifted.length > 0 ? `The ${charts.length === 1 ? 'drifted feature' : `${charts.length} most drifted features`}` : `No feature drifted; the ${charts.length === 1 ? 'feature' : `${charts.length} features`} with the largest PSI`;
  const more = drifted.length > charts.length ? ` (${drifted.length - charts.length} more drifted features are in the table)` : '';
  return `<h3>Distributions, reference against current</h3><p>${escapeHtml(`${what}, as shares of each side's rows${more}.`)}</p><div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>`;
}

/** The model's predictions (one or two entries: the prediction, the score) drawn like features, when they drifted. */
function predictionCharts(entries: FeatureDrift[]): string {
  const charts = entries.filter((f) => f.status === 'drifted').map(distributionChart).filter(Boolean);
  return charts.length > 0 ? `<div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>` : '';
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

/** The page around a body: styles inline, nothing fetched (the CSP forbids it). */
function page(title: string, body: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body.join('\n')}</body></html>
`;
}

/** The verdict, the headline, the counts and what blocks or warns: the top of every page. */
function verdictHtml(report: Pick<Report, 'decision' | 'reason' | 'checks'>, what: string): string[] {
  const view = reportView(report as Report);
  return [
    `<h1 class="${escapeHtml(report.decision)}">${DECISION_ICON[report.decision] ?? ''} ${escapeHtml(report.decision)} — ${escapeHtml(what)}</h1>`,
    `<p><b>${escapeHtml(view.headline)}</b> ${escapeHtml(view.reason)}.</p>`,
    `<p class="counts">${escapeHtml(countsText(view.counts))}</p>`,
  ];
}

/** report.html of `model-gate drift --out`: the drift section of a validate report, on its own. */
export function renderDriftHtml(report: DriftReport): string {
  const asReport = { ...report, drift: { ...report, predictions: null } } as unknown as Report;
  const view = reportView(asReport);
  return page(`model-gate drift ${report.decision}`, [
    ...verdictHtml(asReport, 'model-gate drift'),
    view.blockers.length > 0 ? `<h2>⛔ Blocking</h2><ul class="p">${view.blockers.map(itemHtml).join('')}</ul>` : '',
    view.warnings.length > 0 ? `<h2>⚠️ Warnings</h2><ul class="p">${view.warnings.map(itemHtml).join('')}</ul>` : '',
    driftHtml(asReport),
    '<h2>Checklist</h2>',
    table(['', 'Check', 'Severity', 'Result', 'Threshold'], checkRows(report.checks)),
    `<p><small>model-gate ${escapeHtml(report.tool.version)} · ${Math.round(report.duration_ms)} ms</small></p>`,
  ]);
}

export function renderHtml(report: Report): string {
  const view = reportView(report);
  const body = [
    ...verdictHtml(report, 'model-gate'),
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
  return page(`model-gate ${report.decision} — ${report.version.id}`, body);
}
