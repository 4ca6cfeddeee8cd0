/** The rollback drill for people: each step, how long it took, and why the drill passed or failed. */
import { seconds } from '../core/format.ts';
import type { DrillReport } from '../promotion/drill.ts';
import { mdCell as cell, mdCode, mdCodeCell, mdText } from './escape.ts';

const STEP: Record<DrillReport['steps'][number]['step'], string> = {
  traffic: 'traffic command',
  reach: 'canary receives requests',
  rollback: 'rollback command',
  clear: 'canary receives none',
};

const headline = (r: DrillReport) =>
  r.outcome === 'passed' ? 'DRILL PASSED' : r.outcome === 'rollback_failed' ? 'DRILL FAILED, ROLLBACK FAILED (traffic not known to be on stable)' : 'DRILL FAILED';

export function renderDrillTerminal(r: DrillReport): string {
  const lines = [`${headline(r)} at ${r.weight}% of ${r.version}: ${r.reason}`];
  for (const s of r.steps) lines.push(`  ${s.ok ? 'ok  ' : 'FAIL'} ${STEP[s.step].padEnd(25)} ${seconds(s.seconds).padStart(7)}  ${s.detail}`);
  return `${lines.join('\n')}\n`;
}

export function renderDrillMarkdown(r: DrillReport, environment: string): string {
  const head =
    r.outcome === 'passed'
      ? `## ✅ Rollback drill passed: ${mdCode(r.version)}`
      : r.outcome === 'rollback_failed'
        ? `## ❗ Rollback drill: the rollback failed for ${mdCode(r.version)} — traffic is not known to be on stable`
        : `## ❌ Rollback drill failed: ${mdCode(r.version)}`;
  const lines = [
    head,
    '',
    `**${cell(r.reason)}** · environment ${mdCode(environment)} · weight ${mdText(r.weight)}% · requests of ${mdCode(r.metric)} over ${mdText(seconds(r.window_seconds))} windows · each wait at most ${mdText(seconds(r.timeout_seconds))}`,
    '',
    '| Step | Result | Took | Detail |',
    '|---|---|---:|---|',
  ];
  for (const s of r.steps) lines.push(`| ${STEP[s.step]} | ${s.ok ? '✅' : '❌'} | ${seconds(s.seconds)} | ${cell(s.detail)} |`);
  lines.push('', '| Command | Result |', '|---|---|');
  for (const c of r.commands) lines.push(`| ${mdCodeCell(c.command)} | ${c.ok ? 'ok' : `failed: ${cell(c.error ?? '')}`} |`);
  return `${lines.join('\n')}\n`;
}
