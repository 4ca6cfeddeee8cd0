/**
 * What every report chart shares: the palette, number and axis formatting, and the <svg> wrapper.
 * Pure string building; every text goes through htmlText, every coordinate through px (finite).
 */
import { percent } from '../../core/format.ts';
import { htmlText } from '../escape.ts';

export const esc = htmlText;

/** Colours readable on white and told apart without colour alone (each series also has a legend label). */
export const COLOR = {
  baseline: '#6e7781',
  candidate: '#0969da',
  reference: '#8c959f',
  current: '#bf3989',
  limit: '#cf222e',
  warning: '#9a6700',
  grid: '#eaeef2',
  text: '#57606a',
} as const;

/** A coordinate: finite, two decimals (NaN would make the browser drop the element). */
export const px = (v: number) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : 0);

/** A number for a label: four significant digits, no float noise. */
export function num(v: number | null | undefined, digits = 4): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1);
  return Number(v.toPrecision(digits)).toLocaleString('en');
}

export const pct = (v: number) => (Number.isFinite(v) ? percent(v, 3) : '—');

/** Cut a label to n characters. */
export const clip = (s: string, n: number) => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s);

/** Tick values 1, 2, 5 × 10^k covering [lo, hi] (both > 0), for a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const k0 = Math.floor(Math.log10(lo));
  const k1 = Math.ceil(Math.log10(hi));
  const decades = k1 - k0;
  for (let k = k0; k <= k1 && out.length < 40; k++) {
    for (const m of decades > 4 ? [1] : [1, 2, 5]) {
      const v = m * 10 ** k;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(Number(v.toPrecision(3)));
    }
  }
  return out;
}

/** About `count` round ticks covering [lo, hi] for a linear axis. */
export function linearTicks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9 && out.length < 50; v += step) out.push(Number(v.toPrecision(10)));
  return out;
}

/** A legend: coloured swatches with labels, left to right from (x, y). */
export function legend(x: number, y: number, items: { label: string; color: string; dash?: boolean; line?: boolean }[]): string {
  let at = x;
  return items
    .map((it) => {
      const mark = it.dash || it.line
        ? `<line x1="${px(at)}" x2="${px(at + 14)}" y1="${px(y - 4)}" y2="${px(y - 4)}" stroke="${it.color}" stroke-width="2"${it.dash ? ' stroke-dasharray="4 3"' : ''}/>`
        : `<rect x="${px(at)}" y="${px(y - 9)}" width="10" height="10" fill="${it.color}"/>`;
      const wide = it.dash || it.line;
      const text = `<text x="${px(at + (wide ? 18 : 14))}" y="${px(y)}" class="a">${esc(it.label)}</text>`;
      at += (wide ? 24 : 20) + it.label.length * 6.2;
      return mark + text;
    })
    .join('');
}

/**
 * The <svg> element: sized, marked with data-chart (a fixed kind) for tests. The title, which may
 * hold a column name, is its first child's text (what screen readers announce), never an attribute.
 */
export function svg(kind: string, title: string, width: number, height: number, body: string): string {
  const w = Math.round(width);
  const h = Math.round(height);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${esc(kind)}" role="img" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><title>${esc(title)}</title>${body}</svg>`;
}

/** A figure: the chart, then one plain sentence that says how to read it (or why a line is missing). */
export const figure = (chart: string, caption: string) => `<figure>${chart}<figcaption>${esc(caption)}</figcaption></figure>`;
