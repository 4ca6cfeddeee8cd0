/**
 * Mermaid `xychart-beta` charts: GitHub renders them in comments and summaries itself, so no
 * picture of a private model leaves for a third-party host.
 */
import type { LatencyComparison } from '../checks/latency-ab.ts';
import type { DriftSection } from '../drift/run.ts';
import type { FeatureDrift } from '../drift/judge.ts';

const value = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(4)).toString() : '0');
/**
 * A Mermaid label from any text. Strings end at a double quote, `#…;` is an entity code, `%%` a
 * comment, brackets and braces end the axis list, `<` could be markup or start one of our hidden
 * markers: only letters, digits, spaces and quiet punctuation are kept, the rest becomes `_`.
 */
export const mermaidLabel = (s: string, max: number) => {
  const clean = [...String(s ?? '').replace(/\s+/g, ' ').trim()].map((c) => (/[\p{L}\p{N} _.,:/()+*'!?=@-]/u.test(c) ? c : '_')).join('');
  const chars = [...clean];
  return `"${chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean}"`;
};
const quote = mermaidLabel;
const label = (s: string) => quote(s, 24);
const axisMax = (values: number[]) => value(values.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0) * 1.1 || 1);

function chart(title: string, orientation: '' | ' horizontal', xs: string[], yTitle: string, yMax: string, series: string[]): string[] {
  return ['```mermaid', `xychart-beta${orientation}`, `  title ${quote(title, 90)}`, `  x-axis [${xs.join(', ')}]`, `  y-axis "${yTitle}" 0 --> ${yMax}`, ...series.map((s) => `  ${s}`), '```'];
}

/** Candidate and baseline latency at the same percentiles: bars baseline, line candidate. */
export function latencyChart(lc: LatencyComparison): string[] {
  const d = lc.distribution;
  return chart(
    `Latency by percentile, batch ${lc.batch_size}: bars = baseline, line = candidate`,
    '',
    d.percentiles.map((p) => label(`p${p}`)),
    'ms',
    axisMax([...d.candidate_ms, ...d.baseline_ms]),
    [`bar [${d.baseline_ms.map(value).join(', ')}]`, `line [${d.candidate_ms.map(value).join(', ')}]`],
  );
}

/** The features that drifted most, by PSI (one scale for every kind), against the blocking level. */
export function driftChart(d: DriftSection, top = 10): string[] {
  const ranked = d.features
    .filter((f): f is FeatureDrift & { psi: number } => typeof f.psi === 'number' && Number.isFinite(f.psi))
    .filter((f) => f.status === 'drifted' || (f.psi_level !== null && f.psi_level !== undefined && f.psi_level !== 'ok'))
    .sort((a, b) => b.psi - a.psi)
    .slice(0, top);
  if (ranked.length === 0) return [];
  const blocker = d.rules.psi.blocker;
  return chart(
    `PSI of the most drifted features (line: ${value(blocker)}, where PSI blocks)`,
    ' horizontal',
    ranked.map((f) => label(f.name)),
    'PSI',
    axisMax([...ranked.map((f) => f.psi), blocker]),
    [`bar [${ranked.map((f) => value(f.psi)).join(', ')}]`, `line [${ranked.map(() => value(blocker)).join(', ')}]`],
  );
}
