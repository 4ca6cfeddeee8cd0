/** The checklist as a release manager reads it on a terminal. */
import { styleText } from 'node:util';
import type { CheckStatus } from '../checks/types.ts';
import type { Decision } from '../decision.ts';
import type { Report } from './json.ts';

type Style = Parameters<typeof styleText>[0];
const STATUS_STYLE: Record<CheckStatus, Style> = { pass: 'green', warn: 'yellow', fail: 'red', error: 'red', skip: 'gray' };
const DECISION_STYLE: Record<Decision, Style> = { GO: ['bold', 'green'], 'NO-GO': ['bold', 'red'], DELAY: ['bold', 'yellow'] };

export function renderTerminal(report: Report, color: boolean, width = 120): string {
  const paint = (style: Style, text: string) => (color ? styleText(style, text, { validateStream: false }) : text);
  const idWidth = Math.min(40, Math.max(...report.checks.map((c) => c.id.length), 5));
  const messageWidth = Math.max(30, width - idWidth - 20);
  const lines = [`model-gate ${report.tool.version} · ${report.model.path}`, ''];
  lines.push(paint('bold', `${'STATUS'.padEnd(7)} ${'CHECK'.padEnd(idWidth)} ${'SEVERITY'.padEnd(8)} RESULT`));
  for (const c of report.checks) {
    const message = c.message.length > messageWidth ? `${c.message.slice(0, messageWidth - 1)}…` : c.message;
    lines.push(`${paint(STATUS_STYLE[c.status], c.status.toUpperCase().padEnd(7))} ${c.id.padEnd(idWidth)} ${c.severity.padEnd(8)} ${message}`);
  }
  if (report.latency.length > 0) {
    lines.push('', paint('bold', 'LATENCY  batch    p50 ms    p95 ms    p99 ms    max ms     rows/s'));
    for (const l of report.latency) {
      const f = (n: number) => n.toFixed(3).padStart(9);
      lines.push(`         ${String(l.batch_size).padStart(5)} ${f(l.p50_ms)} ${f(l.p95_ms)} ${f(l.p99_ms)} ${f(l.max_ms)} ${Math.round(l.rows_per_s).toString().padStart(10)}`);
    }
  }
  lines.push('', paint(DECISION_STYLE[report.decision], report.headline), report.reason);
  if (report.version.id) lines.push(`version ${report.version.id}`);
  return `${lines.join('\n')}\n`;
}
