/**
 * Mermaid `xychart-beta` charts: GitHub renders them in comments and summaries itself, so no
 * picture of a private model leaves for a third-party host.
 */
import type { LatencyComparison } from '../checks/latency-ab.ts';
import type { DriftSection } from '../drift/run.ts';
import type { FeatureDrift } from '../drift/judge.ts';
import { numberText } from '../core/format.ts';

/** Mermaid needs a number in every slot: a value that is not finite is drawn as 0. */
const value = (n: number) => numberText(n, 4, '0');
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

/**
 * Mermaid's default xychart palette is pale on GitHub's light theme and is assigned by plot order:
 * name the colours (bars first, then the line) so each chart reads the same everywhere; and a
 * lower chart than the default 500 px, so the comment stays short.
 */
export const palette = (...colors: string[]) => `%%{init: {"xyChart": {"height": 320}, "themeVariables": {"xyChart": {"plotColorPalette": "${colors.join(', ')}"}}}}%%`;

const BLUE = '#0969da';
const GREY = '#57606a';
const AMBER = '#bf8700';
const RED = '#cf222e';

function chart(title: string, orientation: '' | ' horizontal', xs: string[], yTitle: string, yMax: string, series: string[], colors: string[]): string[] {
  return ['```mermaid', palette(...colors), `xychart-beta${orientation}`, `  title ${quote(title, 90)}`, `  x-axis [${xs.join(', ')}]`, `  y-axis "${yTitle}" 0 --> ${yMax}`, ...series.map((s) => `  ${s}`), '```'];
}

/**
 * Candidate latency as a multiple of the baseline's at each percentile: a ratio is scale-free, so
 * a slow p99 does not flatten p10–p95 as milliseconds on Mermaid's linear axis would. The line at
 * 1 is parity (as fast as the baseline), not a limit: the limit is on p95 and the text names it.
 */
export function latencyChart(lc: LatencyComparison): string[] {
  const d = lc.distribution;
  const ratios = d.percentiles.map((_, i) => d.candidate_ms[i]! / d.baseline_ms[i]!);
  return chart(
    `Latency, candidate / baseline by percentile, batch ${lc.batch_size} (line: 1 = as fast)`,
    '',
    d.percentiles.map((p) => label(`p${p}`)),
    'candidate / baseline',
    axisMax([...ratios, 1]),
    [`bar [${ratios.map(value).join(', ')}]`, `line [${ratios.map(() => '1').join(', ')}]`],
    [BLUE, GREY],
  );
}

/**
 * The features that drifted most, by PSI (one scale for every kind): drifted ones, and those whose
 * PSI is at a level beyond its sampling noise. The blocking level is drawn only when PSI is judged
 * for some feature shown; otherwise the title says why not.
 */
export function driftChart(d: DriftSection, top = 10): string[] {
  const ranked = d.features
    .filter((f): f is FeatureDrift & { psi: number } => typeof f.psi === 'number' && Number.isFinite(f.psi))
    .filter((f) => f.status === 'drifted' || (f.psi_level !== null && f.psi_level !== undefined && f.psi_level !== 'ok'))
    .sort((a, b) => b.psi - a.psi)
    .slice(0, top);
  if (ranked.length === 0) return [];
  const blocker = d.rules.psi.blocker;
  const gates = ranked.some((f) => f.psi_level !== null && f.psi_level !== undefined);
  const bars = `bar [${ranked.map((f) => value(f.psi)).join(', ')}]`;
  if (!gates) {
    return chart(
      'PSI of the most drifted features (no limit line: PSI is judged for none of them)',
      ' horizontal',
      ranked.map((f) => label(f.name)),
      'PSI',
      axisMax(ranked.map((f) => f.psi)),
      [bars],
      [AMBER],
    );
  }
  return chart(
    `PSI of the most drifted features (line: ${value(blocker)}, where PSI blocks)`,
    ' horizontal',
    ranked.map((f) => label(f.name)),
    'PSI',
    axisMax([...ranked.map((f) => f.psi), blocker]),
    [bars, `line [${ranked.map(() => value(blocker)).join(', ')}]`],
    [AMBER, RED],
  );
}
