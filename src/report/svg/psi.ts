/**
 * PSI by feature, largest first. PSI warns and blocks only beyond its own sampling noise: each
 * feature carries the PSI that noise alone exceeds 5% of the time at its sizes (`psi_noise`), drawn
 * as a black tick on its bar, and a bar past a limit line whose PSI is within that noise is pale
 * and does not gate (its `psi_level` is ok). The limit lines are drawn only when PSI is judged for
 * some feature shown; otherwise the caption says why there is no line.
 */
import type { DriftSection } from '../../drift/run.ts';
import type { FeatureDrift } from '../../drift/judge.ts';
import { COLOR, clip, esc, figure, linearTicks, num, px, svg } from './common.ts';

export const PSI_SHOWN = 20;

const judged = (f: FeatureDrift) => f.psi_level !== null && f.psi_level !== undefined;

export function psiChart(d: DriftSection): string {
  const ranked = d.features
    .filter((f): f is FeatureDrift & { psi: number } => typeof f.psi === 'number' && Number.isFinite(f.psi))
    .sort((a, b) => b.psi - a.psi)
    .slice(0, PSI_SHOWN);
  if (ranked.length === 0) return '';
  const gates = ranked.some(judged);
  const { warning, blocker } = d.rules.psi;
  const noiseOf = (f: FeatureDrift) => (typeof f.psi_noise === 'number' && Number.isFinite(f.psi_noise) ? f.psi_noise : null);
  const labelW = 150;
  const plotW = 380;
  const rowH = 20;
  const top = 40;
  const width = labelW + plotW + 80;
  const height = top + ranked.length * rowH + 40;
  const max = Math.max(...ranked.map((f) => Math.max(f.psi, noiseOf(f) ?? 0)), gates ? blocker * 1.1 : 0, 1e-6) * 1.08;
  const x = (v: number) => labelW + (Math.max(0, v) / max) * plotW;
  const parts = [`<text x="8" y="16" class="t">PSI by feature (largest ${ranked.length} of ${d.features.length})</text>`];
  for (const t of linearTicks(0, max)) {
    parts.push(`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${top - 4}" y2="${top + ranked.length * rowH}" stroke="${COLOR.grid}"/><text x="${px(x(t))}" y="${top + ranked.length * rowH + 14}" class="a" text-anchor="middle">${esc(num(t, 3))}</text>`);
  }
  let withinNoise = 0;
  ranked.forEach((f, i) => {
    const y = top + i * rowH;
    const gating = f.psi_level === 'blocker' || f.psi_level === 'warning';
    const overLine = gates && f.psi >= warning && !gating;
    if (overLine) withinNoise++;
    const color = f.psi_level === 'blocker' ? COLOR.limit : f.psi_level === 'warning' ? COLOR.warning : COLOR.candidate;
    const noise = noiseOf(f);
    const why = !judged(f) ? 'PSI not judged for this feature' : gating ? `${f.psi_level}, beyond sampling noise` : overLine ? `within sampling noise (noise level ${num(noise, 3)}): does not gate` : 'below the limits';
    parts.push(
      `<text x="${labelW - 6}" y="${px(y + rowH / 2 + 4)}" class="a" text-anchor="end">${esc(clip(f.name, 22))}</text>`,
      `<rect class="psi-bar" x="${labelW}" y="${px(y + 3)}" width="${px(x(f.psi) - labelW)}" height="${rowH - 6}" fill="${color}"${gating ? '' : ' fill-opacity="0.35"'}><title>${esc(`${f.name}: PSI ${num(f.psi, 3)}, ${why}; ${f.status}`)}</title></rect>`,
      `<text x="${px(x(f.psi) + 4)}" y="${px(y + rowH / 2 + 4)}" class="a">${esc(num(f.psi, 3))}</text>`,
    );
    if (noise !== null) {
      parts.push(`<line class="psi-noise" x1="${px(x(noise))}" x2="${px(x(noise))}" y1="${px(y + 1)}" y2="${px(y + rowH - 1)}" stroke="#1f2328" stroke-width="2"><title>${esc(`${f.name}: sampling noise alone exceeds PSI ${num(noise, 3)} 5% of the time`)}</title></line>`);
    }
  });
  if (gates) {
    for (const [v, label, color] of [[warning, 'warns', COLOR.warning], [blocker, 'blocks', COLOR.limit]] as const) {
      parts.push(`<line class="psi-limit" x1="${px(x(v))}" x2="${px(x(v))}" y1="${top - 6}" y2="${top + ranked.length * rowH}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="${px(x(v))}" y="${top - 10}" class="a" text-anchor="middle" fill="${color}">${esc(`${label} at ${num(v, 3)}`)}</text>`);
    }
  }
  const hasNoise = ranked.some((f) => noiseOf(f) !== null);
  const caption = gates
    ? `PSI warns at ${num(warning, 3)} and blocks at ${num(blocker, 3)}, only beyond its own sampling noise${hasNoise ? ' (black tick: the PSI that noise alone exceeds 5% of the time at the feature\'s sizes)' : ''}. ${
        withinNoise > 0 ? `${withinNoise} pale bar${withinNoise === 1 ? ' passes' : 's pass'} a line but ${withinNoise === 1 ? 'is' : 'are'} within noise, so ${withinNoise === 1 ? 'it does' : 'they do'} not gate.` : 'Pale bars do not gate.'
      }`
    : `No limit line: PSI is judged for none of these features (too few values, or not measured), so each feature's verdict comes from the test named in the table.`;
  return figure(svg('psi', 'PSI by feature', width, height, parts.join('')), caption);
}
