/** A promotion stage for people: what was measured, against what, and why it went the way it did. */
import type { MetricResult } from '../promotion/judge.ts';
import type { StageReport } from '../promotion/stage.ts';
import { mdCell as cell, mdCode, mdCodeCell, mdText } from './escape.ts';

const ICON: Record<string, string> = { pass: '✅', fail: '❌', inconclusive: '⚪', error: '💥' };
const values = (m: MetricResult) =>
  Object.entries(m.values)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function renderStageMarkdown(r: StageReport, environment: string): string {
  const head =
    r.outcome === 'promoted'
      ? `## ✅ Promoted: ${mdText(r.stage)} of ${mdCode(r.version)}`
      : r.outcome === 'rollback_failed'
        ? `## ❗ Rollback failed at ${mdText(r.stage)}: ${mdCode(r.version)} — traffic is not known to be on stable`
        : `## ⏪ Rolled back at ${mdText(r.stage)}: ${mdCode(r.version)}`;
  const lines = [head, '', `**${cell(r.reason)}** · environment ${mdCode(environment)} · weight ${mdText(r.weight)}% · bake ${mdText(r.bake_minutes)} min, a measurement every ${mdText(r.interval_seconds)} s`, ''];
  lines.push(`Measurements: ${r.measurements.length} (${r.counters.failures} failed, ${r.counters.inconclusive} inconclusive)`, '');
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
