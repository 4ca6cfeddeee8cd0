/**
 * Non-finite values (NaN, ±Infinity) in row-major numbers: which rows hold them and of what kind.
 * Statistics are undefined on such values; callers say so instead of computing a number.
 */
export interface NonFinite {
  /** Rows holding at least one non-finite value. */
  count: number;
  /** The first few of those rows (0-based), ascending. */
  rows: number[];
  nan: boolean;
  positive: boolean;
  negative: boolean;
}

/** Whether every value is a finite number (a plain loop: it runs on large typed arrays). */
export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) return false; // NaN - NaN and ±Inf - ±Inf are NaN
  }
  return true;
}

/** Non-finite values in `values` read as rows of `width`; null when there are none. */
export function nonFiniteRows(values: ArrayLike<number>, width = 1, keep = 5): NonFinite | null {
  if (allFinite(values)) return null;
  const found: NonFinite = { count: 0, rows: [], nan: false, positive: false, negative: false };
  let lastRow = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) continue;
    if (Number.isNaN(v)) found.nan = true;
    else if (v > 0) found.positive = true;
    else found.negative = true;
    const row = Math.floor(i / width);
    if (row === lastRow) continue;
    lastRow = row;
    found.count++;
    if (found.rows.length < keep) found.rows.push(row);
  }
  return found;
}

/**
 * "NaN on 3 rows (rows 4, 17, 90)", "Infinity on 1 row (row 2)", "NaN or ±Infinity on 12 rows (rows 1, 2, 3, 4, 5, …)".
 * `rowNumber` names a 0-based row as the reader finds it (the data file's row number); default r + 1.
 */
export function describeNonFinite(f: NonFinite, rowNumber: (r: number) => number = (r) => r + 1): string {
  const infinities = f.positive && f.negative ? '±Infinity' : f.positive ? 'Infinity' : f.negative ? '-Infinity' : '';
  const kind = f.nan && infinities ? `NaN or ${infinities}` : f.nan ? 'NaN' : infinities;
  const rows = `${f.rows.length === 1 ? 'row' : 'rows'} ${f.rows.map(rowNumber).join(', ')}${f.count > f.rows.length ? ', …' : ''}`;
  return `${kind} on ${f.count.toLocaleString('en')} ${f.count === 1 ? 'row' : 'rows'} (${rows})`;
}
