/** A promotion stage for people: what was measured, against what, and why it went the way it did. */
import { percent, percentPoints, significant } from '../core/format.ts';
import type { MetricResult, TestEvidence } from '../promotion/types.ts';
import type { StageReport } from '../promotion/stage.ts';
import { mdCell as cell, mdCode, mdCodeCell, mdText } from './escape.ts';

const ICON: Record<string, string> = { pass: '✅', fail: '❌', inconclusive: '⚪', error: '💥' };
const values = (m: MetricResult) =>
  Object.entries(m.values)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** A bound in the test's own unit: a share difference in percentage points, a log ratio as ×. */
function bound(e: TestEvidence, x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+∞' : '−∞';
  if (e.unit === 'log_ratio') return `×${significant(Math.exp(x), 3)}`;
  return percentPoints(x, 3);
}

/**
 * The tests as the stage ended: for each pooled metric, the test that decided, the quantity it
 * bounds, its always-valid interval and the evidence pooled. The verdict follows from the lower
 * end alone (above 0 rolls back), so the row cannot say otherwise than the numbers.
 */
function testsTable(last: MetricResult[]): string[] {
  const rows = last.filter((m) => m.evidence);
  if (rows.length === 0) return [];
  const lines = ['', '| Metric | Verdict | Test | Quantity | Estimate | Always-valid interval | Pooled |', '|---|---|---|---|---:|---|---|'];
  for (const m of rows) {
    const e = m.evidence!;
    const pooled = `${e.pooled.windows} windows, ${e.pooled.canary.toLocaleString('en-US')}${e.pooled.stable !== null ? ` / ${e.pooled.stable.toLocaleString('en-US')}` : ''} ${e.pooled.of}`;
    lines.push(`| ${mdCodeCell(m.name)} | ${ICON[m.verdict]} ${m.verdict} | ${cell(e.test)} | ${cell(e.quantity)} | ${bound(e, e.estimate)} | [${bound(e, e.lower)}, ${bound(e, e.upper)}] at ${percent(e.confidence, 4)} (rolls back when the lower end > ${e.unit === 'log_ratio' ? '×1' : '0'}) | ${cell(pooled)} |`);
  }
  return lines;
}

export function renderStageMarkdown(r: StageReport, environment: string): string {
  const head =
    r.outcome === 'promoted'
      ? `## ✅ Promoted: ${mdText(r.stage)} of ${mdCode(r.version)}`
      : r.outcome === 'rollback_failed'
        ? `## ❗ Rollback failed at ${mdText(r.stage)}: ${mdCode(r.version)} — traffic is not known to be on stable`
        : `## ⏪ Rolled back at ${mdText(r.stage)}: ${mdCode(r.version)}`;
  const lines = [head, '', `**${cell(r.reason)}** · environment ${mdCode(environment)} · weight ${mdText(r.weight)}% · bake ${mdText(r.bake_minutes)} min, a measurement every ${mdText(r.interval_seconds)} s`, ''];
  lines.push(`Measurements: ${r.measurements.length} (${r.counters.failures} failed, ${r.counters.inconclusive} inconclusive); error rates and latency pool every window of the stage into one sequential test per rule (docs/canary-judge.md).`);
  lines.push(...testsTable(r.measurements.at(-1)?.metrics ?? []), '');
  lines.push('| # | At | Verdict | Metric | Result | Values | Thresholds |', '|---:|---|---|---|---|---|---|');
  for (const m of r.measurements) {
    for (const [i, x] of m.metrics.entries()) {
      lines.push(`| ${i === 0 ? m.index : ''} | ${i === 0 ? m.at.slice(11, 19) : ''} | ${i === 0 ? `${ICON[m.verdict]} ${m.verdict}` : ''} | ${mdCodeCell(x.name)} | ${ICON[x.verdict]} ${cell(x.reason)}${x.critical && x.verdict === 'fail' ? ' **(critical)**' : ''} | ${cell(values(x))} | ${cell(x.thresholds)} |`);
    }
  }
  lines.push('', '| Command | Result |', '|---|---|');
  for (const c of r.commands) lines.push(`| ${mdCodeCell(c.command)} | ${c.ok ? 'ok' : `failed: ${cell(c.error ?? '')}`} |`);
  return `${lines.join('\n')}\n`;
}

export function renderStageTerminal(r: StageReport): string {
  const lines = [`${r.outcome === 'promoted' ? 'PROMOTED' : r.outcome === 'rollback_failed' ? 'ROLLBACK FAILED (traffic not known to be on stable) at' : 'ROLLED BACK'} ${r.stage} of ${r.version}: ${r.reason}`];
  for (const m of r.measurements) lines.push(`  ${String(m.index).padStart(3)} ${m.verdict.toUpperCase().padEnd(12)} ${m.metrics.map((x) => `${x.name}: ${x.reason}`).join('; ')}`);
  return `${lines.join('\n')}\n`;
}
