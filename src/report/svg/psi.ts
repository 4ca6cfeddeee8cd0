/**
 * PSI by feature, largest first. PSI gates only on large samples (more than
 * drift.large_sample_rows values on both sides: below that its own noise is near its limits), so
 * the warning and blocking lines are drawn only when some feature shown is judged by them;
 * otherwise the caption says why there is no line. Bars that PSI does not gate are pale.
 */
import type { DriftSection } from '../../drift/run.ts';
import type { FeatureDrift } from '../../drift/judge.ts';
import { COLOR, clip, esc, figure, linearTicks, num, px, svg } from './common.ts';

export const PSI_SHOWN = 20;

export function psiChart(d: DriftSection): string {
  const ranked = d.features
    .filter((f): f is FeatureDrift & { psi: number } => typeof f.psi === 'number' && Number.isFinite(f.psi))
    .sort((a, b) => b.psi - a.psi)
    .slice(0, PSI_SHOWN);
  if (ranked.length === 0) return '';
  const gates = ranked.some((f) => f.psi_level !== null && f.psi_level !== undefined);
  const { warning, blocker } = d.rules.psi;
  const labelW = 150;
  const plotW = 380;
  const rowH = 20;
  const top = 40;
  const width = labelW + plotW + 80;
  const height = top + ranked.length * rowH + 40;
  const max = Math.max(...ranked.map((f) => f.psi), gates ? blocker * 1.1 : 0, 1e-6) * 1.08;
  const x = (v: number) => labelW + (Math.max(0, v) / max) * plotW;
  const parts = [`<text x="8" y="16" class="t">PSI by feature (largest ${ranked.length} of ${d.features.length})</text>`];
  for (const t of linearTicks(0, max)) {
    parts.push(`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${top - 4}" y2="${top + ranked.length * rowH}" stroke="${COLOR.grid}"/><text x="${px(x(t))}" y="${top + ranked.length * rowH + 14}" class="a" text-anchor="middle">${esc(num(t, 3))}</text>`);
  }
  ranked.forEach((f, i) => {
    const y = top + i * rowH;
    const gated = f.psi_level !== null && f.psi_level !== undefined;
    const color = f.psi_level === 'blocker' ? COLOR.limit : f.psi_level === 'warning' ? COLOR.warning : COLOR.candidate;
    parts.push(
      `<text x="${labelW - 6}" y="${px(y + rowH / 2 + 4)}" class="a" text-anchor="end">${esc(clip(f.name, 22))}</text>`,
      `<rect x="${labelW}" y="${px(y + 3)}" width="${px(x(f.psi) - labelW)}" height="${rowH - 6}" fill="${color}"${gated ? '' : ' fill-opacity="0.35"'}><title>${esc(`${f.name}: PSI ${num(f.psi, 3)}${gated ? ` (${f.psi_level})` : ' (PSI does not gate at this sample size)'}; ${f.status}`)}</title></rect>`,
      `<text x="${px(x(f.psi) + 4)}" y="${px(y + rowH / 2 + 4)}" class="a">${esc(num(f.psi, 3))}</text>`,
    );
  });
  if (gates) {
    for (const [v, label, color] of [[warning, 'warns', COLOR.warning], [blocker, 'blocks', COLOR.limit]] as const) {
      parts.push(`<line class="psi-limit" x1="${px(x(v))}" x2="${px(x(v))}" y1="${top - 6}" y2="${top + ranked.length * rowH}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${px(x(v))}" y="${top - 10}" class="a" text-anchor="middle" fill="${color}">${esc(`${label} at ${num(v, 3)}`)}</text>`);
    }
  }
  const caption = gates
    ? `PSI warns at ${num(warning, 3)} and blocks at ${num(blocker, 3)} for features with more than ${d.rules.large_sample_rows.toLocaleString('en')} values on both sides; pale bars are features PSI does not gate.`
    : `No limit line: PSI gates only with more than ${d.rules.large_sample_rows.toLocaleString('en')} values on both sides (here ${d.reference.rows.toLocaleString('en')} reference and ${d.current.rows.toLocaleString('en')} current rows), where its own sampling noise is small; each feature's verdict comes from the test named in the table.`;
  return figure(svg('psi', 'PSI by feature', width, height, parts.join('')), caption);
}
