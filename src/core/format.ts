/**
 * Numbers as text (or as rounded numbers) for messages, report.json and the renderers, in one
 * place. Each function is one precision rule; where two reports round differently (significant
 * digits or decimals, trailing zeros kept or dropped, what a missing value reads as), both rules
 * are here under their own names, because the reports' exact strings are asserted by tests and
 * read by users: changing a rule changes every report that uses it.
 */

/** `digits` significant digits, float noise dropped: 0.123456 → 0.1235 (4). NaN and ±Infinity pass through. */
export const significant = (x: number, digits: number): number => Number(x.toPrecision(digits));

/** Like `significant`, but null for null or a value that is not finite (report.json has no NaN). */
export const significantOrNull = (x: number | null, digits: number): number | null =>
  x === null || !Number.isFinite(x) ? null : significant(x, digits);

/** `digits` decimals, trailing zeros dropped: measured values in check results (1.5, not 1.500). */
export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** A table cell: `digits` significant digits, or `missing` for anything but a finite number. */
export const numberText = (v: unknown, digits = 4, missing = '—'): string =>
  typeof v === 'number' && Number.isFinite(v) ? String(significant(v, digits)) : missing;

/** A metric in a message: four significant digits; 'n/a' when there is none. */
export const formatMetric = (v: number | null | undefined): string =>
  v === null || v === undefined ? 'n/a' : String(significant(v, 4));

/** A drift statistic or p-value: three significant digits; exponent below 1e-4 so tiny p-values stay readable. */
export const compact = (x: number): string =>
  x === 0 ? '0' : Math.abs(x) < 1e-4 ? x.toExponential(2) : String(significant(x, 3));

/** Exactly `digits` decimals, trailing zeros kept (aligned columns); `missing` when not finite. */
export const fixed = (n: number, digits = 2, missing = '—'): string => (Number.isFinite(n) ? n.toFixed(digits) : missing);

/** A share as a percentage with `digits` significant digits: 0.01234 → 1.23% (3). */
export const percent = (share: number, digits: number): string => `${significant(share * 100, digits)}%`;

/** A share as a percentage with at most `decimals` decimals, trailing zeros dropped: 0.015 → 1.5% (2). */
export const percentRounded = (share: number, decimals = 2): string => `${round(share * 100, decimals)}%`;

/** A share as a percentage with exactly `decimals` decimals, trailing zeros kept: 0.015 → 1.50% (2). */
export const percentFixed = (share: number, decimals = 2): string => `${(share * 100).toFixed(decimals)}%`;

/** A signed difference of shares in percentage points, `digits` significant digits: +1.2 pp, −0.5 pp. */
export const percentPoints = (diff: number, digits: number): string =>
  `${diff >= 0 ? '+' : '−'}${significant(Math.abs(diff * 100), digits)} pp`;

/** A whole count with thousands separators: 12,345. */
export const wholeNumber = (x: number): string => Math.round(x).toLocaleString('en-US');

/** A duration a person waits: one decimal under 10 s, whole seconds above. */
export const seconds = (s: number): string => `${s < 10 ? Number(s.toFixed(1)) : Math.round(s)} s`;

/** A file size in binary units: 512 B, 1.5 KiB, 12.3 MiB, 1.25 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 2 ** 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 2 ** 30) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 2 ** 30).toFixed(2)} GiB`;
}
