/** The number formatters of src/core/format.ts: each variant keeps the exact strings the reports print. */
import { describe, expect, it } from 'vitest';
import {
  compact, fixed, formatBytes, formatMetric, numberText, percent, percentFixed, percentPoints, percentRounded, round, seconds, significant, significantOrNull, wholeNumber,
} from '../../src/core/format.ts';

describe('number formatters', () => {
  it('significant digits as a number, non-finite values passed through or dropped', () => {
    expect(significant(0.123456, 4)).toBe(0.1235);
    expect(significant(1234567, 4)).toBe(1235000);
    expect(significant(Number.NaN, 4)).toBeNaN();
    expect(significant(Infinity, 6)).toBe(Infinity);
    expect(significantOrNull(0.1234567, 6)).toBe(0.123457);
    expect(significantOrNull(Number.NaN, 6)).toBeNull();
    expect(significantOrNull(null, 6)).toBeNull();
  });

  it('decimals: rounded (zeros dropped) and fixed (zeros kept)', () => {
    expect(round(1.5)).toBe(1.5);
    expect(round(0.12345, 4)).toBe(0.1235);
    expect(fixed(1.5)).toBe('1.50');
    expect(fixed(Number.NaN)).toBe('—');
    expect(fixed(Infinity, 2, '–')).toBe('–');
  });

  it('table cells and messages', () => {
    expect(numberText(0.123456)).toBe('0.1235');
    expect(numberText('x')).toBe('—');
    expect(numberText(Number.NaN, 4, '0')).toBe('0');
    expect(numberText(0.1234567, 6)).toBe('0.123457');
    expect(formatMetric(0.912345)).toBe('0.9123');
    expect(formatMetric(null)).toBe('n/a');
    expect(compact(0)).toBe('0');
    expect(compact(0.0000123)).toBe('1.23e-5');
    expect(compact(0.123456)).toBe('0.123');
  });

  it('percentages by significant digits, by decimals, and in points', () => {
    expect(percent(0.012345, 3)).toBe('1.23%');
    expect(percent(0.95, 4)).toBe('95%');
    expect(percentRounded(0.015)).toBe('1.5%');
    expect(percentRounded(0.95, 1)).toBe('95%');
    expect(percentFixed(0.015)).toBe('1.50%');
    expect(percentPoints(0.0123, 2)).toBe('+1.2 pp');
    expect(percentPoints(-0.005, 3)).toBe('−0.5 pp');
  });

  it('counts, durations and sizes', () => {
    expect(wholeNumber(12345.4)).toBe('12,345');
    expect(seconds(2.345)).toBe('2.3 s');
    expect(seconds(42.6)).toBe('43 s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 2 ** 30)).toBe('3.00 GiB');
  });
});
