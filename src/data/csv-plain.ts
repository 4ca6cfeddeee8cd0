/**
 * CSV without quotes, read from its bytes: the fast path of readCsv (csv.ts). A million-row
 * numeric eval set spent most of a `validate --baseline` run in Papa Parse making 31 million cell
 * strings that were then parsed again. Here lines are split on the newline readHead found and
 * fields on the delimiter, exactly as Papa Parse splits a file without quotes; a numeric column's
 * plain decimals are parsed from the bytes (to the same double Number gives, see plainNumber),
 * and every other cell or line is decoded and handed on as text, as Papa Parse would have. The
 * first quote anywhere answers null: the caller reads the whole file with Papa Parse instead.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DatasetBuilder } from './columns.ts';
import { boundLines, type ReaderLimits } from './limits.ts';

/** Read size (both readers): a row of a wide file spans many chunks, and Papa Parse rescans the partial row per chunk. */
export const CHUNK_BYTES = 1 << 20;

const isSpace = (code: number) => code === 32 || code === 9;

/** Cells lose surrounding spaces, as most CSV readers' `trim` options do; most need no copy. */
export function trimmed(cell: string): string {
  return cell.length > 0 && (isSpace(cell.charCodeAt(0)) || isSpace(cell.charCodeAt(cell.length - 1))) ? cell.trim() : cell;
}

/** Where records go: the same sink the Papa Parse path feeds (csv.ts Records). */
export interface RecordSink {
  readonly builder: DatasetBuilder | undefined;
  push(record: string[]): void;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The file's records into `sink`; null (and a sink to throw away) when the file holds a quote or
 * its newline or delimiter is one this path does not split on ('\r' alone, a multi-byte one).
 */
export async function readPlainCsv<S extends RecordSink>(path: string, head: { newline?: string; delimiter?: string }, limits: ReaderLimits, sink: S): Promise<S | null> {
  const { newline, delimiter } = head;
  if ((newline !== '\n' && newline !== '\r\n') || delimiter?.length !== 1) return null;
  const code = delimiter.charCodeAt(0);
  // Papa Parse guesses among , \t | ; and two ASCII separators; none can be part of a number, which plainNumber relies on.
  if (code >= 0x80 || code === QUOTE || code === LF || code === CR || /[\d.+\-eE]/.test(delimiter)) return null;
  const lines = new Lines(sink, delimiter, newline === '\r\n', (await stat(path)).size);
  // Bounded in line length exactly as the Papa Parse path is, with the same chunks.
  const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const input = boundLines(path, limits);
  raw.on('error', (error) => input.destroy(error));
  raw.pipe(input);
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (chunk.indexOf(QUOTE) !== -1) return null;
      lines.feed(chunk);
    }
    lines.end();
    return sink;
  } finally {
    raw.destroy();
    input.destroy();
  }
}

type Mode = 'sample' | 'fast' | 'slow';

/** Lines out of chunks, each line a record: split as text until the column kinds are known, then from bytes. */
class Lines {
  readonly #sink: RecordSink;
  readonly #delimiter: string;
  readonly #delim: number;
  readonly #crlf: boolean;
  readonly #size: number;
  /** Bytes and lines before the current chunk's first line, for the row estimate. */
  #seen = 0;
  #lines = 0;
  #carry: Buffer | null = null;
  #mode: Mode = 'sample';
  #numeric: boolean[] = [];
  #numbers = new Float64Array(0);
  #cells: (string | undefined)[] = [];
  #starts = new Int32Array(0);
  #ends = new Int32Array(0);

  constructor(sink: RecordSink, delimiter: string, crlf: boolean, size: number) {
    this.#size = size;
    this.#sink = sink;
    this.#delimiter = delimiter;
    this.#delim = delimiter.charCodeAt(0);
    this.#crlf = crlf;
  }

  feed(chunk: Buffer): void {
    let buf = chunk;
    if (this.#carry) {
      buf = Buffer.concat([this.#carry, chunk]);
      this.#carry = null;
    }
    let start = 0;
    for (;;) {
      let nl = buf.indexOf(LF, start);
      // With '\r\n' line ends, a '\n' alone belongs to the line, as in Papa Parse.
      if (this.#crlf) while (nl !== -1 && (nl === start || buf[nl - 1] !== CR)) nl = buf.indexOf(LF, nl + 1);
      if (nl === -1) break;
      if (this.#mode === 'sample') this.#decide(this.#seen + start);
      this.#line(buf, start, this.#crlf ? nl - 1 : nl);
      this.#lines++;
      start = nl + 1;
    }
    this.#seen += start;
    if (start < buf.length) this.#carry = buf.subarray(start);
  }

  /** The last line, when the file does not end with a newline (when it does, Papa Parse's last record is blank). */
  end(): void {
    const rest = this.#carry;
    this.#carry = null;
    // Followed by a newline like every other line, for plainNumber.
    if (rest) this.#line(Buffer.concat([rest, Buffer.from('\n')]), 0, rest.length);
  }

  #line(buf: Buffer, start: number, end: number): void {
    if (this.#mode !== 'fast' || !this.#parsed(buf, start, end)) this.#sink.push(buf.toString('utf8', start, end).split(this.#delimiter));
  }

  /**
   * Fast once the builder has chosen the column kinds; never for one column (a blank line is a
   * record of one empty field). The columns get room for the rows the file's size suggests.
   */
  #decide(bytes: number): void {
    const builder = this.#sink.builder;
    const numeric = builder?.numericColumns();
    if (!numeric) return;
    if (bytes > 0) builder!.reserve(Math.ceil(((this.#lines * this.#size) / bytes) * 1.03) + 16);
    this.#mode = numeric.length >= 2 ? 'fast' : 'slow';
    const n = numeric.length;
    this.#numeric = numeric;
    this.#numbers = new Float64Array(n);
    this.#cells = new Array<string | undefined>(n).fill(undefined);
    this.#starts = new Int32Array(n);
    this.#ends = new Int32Array(n);
  }

  /** One line of as many fields as the header, pushed; false (nothing pushed) when its field count differs. */
  #parsed(buf: Buffer, start: number, end: number): boolean {
    const numeric = this.#numeric;
    const n = numeric.length;
    const delim = this.#delim;
    const cells = this.#cells;
    const starts = this.#starts;
    const ends = this.#ends;
    const numbers = this.#numbers;
    let p = start;
    for (let j = 0; j < n; j++) {
      if (p > end) return false; // fewer fields
      if (numeric[j]) {
        const v = plainNumber(buf, p);
        const q = plainEnd;
        if (v === v && (q === end || buf[q] === delim)) {
          numbers[j] = v;
          cells[j] = undefined;
          starts[j] = -1;
          p = q + 1;
          continue;
        }
      }
      let q = buf.indexOf(delim, p);
      if (q === -1 || q > end) q = end;
      starts[j] = p;
      ends[j] = q;
      p = q + 1;
    }
    if (p !== end + 1) return false; // more fields
    for (let j = 0; j < n; j++) if (starts[j] !== -1) cells[j] = trimmed(buf.toString('utf8', starts[j], ends[j]));
    this.#sink.builder!.pushParsed(numbers, cells);
    return true;
  }
}

/** Exact powers of ten: a double holds 10^k exactly up to k = 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Where the number plainNumber read ends (a small integer: no allocation per call, unlike a double). */
export let plainEnd = 0;

/**
 * A plain decimal at buf[p..] ([+-]digits[.digits][e[+-]digits]), its end in plainEnd; NaN
 * when there is none or it is not one this reads exactly. The line must end in a byte that no
 * number goes on with ('\n', '\r'): the loops stop there without checking the length. With at most
 * 15 significant digits the digits make an exact integer, and with a power of ten up to 10^22 one
 * multiplication or division rounds it once: the double nearest the decimal, as Number gives
 * (Clinger's fast path). Anything else (more digits, larger exponents, hex, 'nan') is left to Number.
 */
export function plainNumber(buf: Uint8Array, p: number): number {
  let i = p;
  plainEnd = p;
  let c = buf[i]!;
  let negative = false;
  if (c === 0x2d || c === 0x2b) {
    negative = c === 0x2d;
    c = buf[++i]!;
  }
  let mantissa = 0;
  let digits = 0;
  let any = false;
  let scale = 0;
  while (c >= 0x30 && c <= 0x39) {
    any = true;
    if (mantissa !== 0 || c !== 0x30) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
    }
    c = buf[++i]!;
  }
  if (c === 0x2e) {
    c = buf[++i]!;
    while (c >= 0x30 && c <= 0x39) {
      any = true;
      if (mantissa !== 0 || c !== 0x30) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
      }
      scale--;
      c = buf[++i]!;
    }
  }
  if (!any || digits > 15) return Number.NaN;
  if (c === 0x65 || c === 0x45) {
    c = buf[++i]!;
    let minus = false;
    if (c === 0x2d || c === 0x2b) {
      minus = c === 0x2d;
      c = buf[++i]!;
    }
    let e = 0;
    let eDigits = 0;
    while (c >= 0x30 && c <= 0x39) {
      e = e * 10 + (c - 0x30);
      eDigits++;
      c = buf[++i]!;
    }
    if (eDigits === 0 || eDigits > 4) return Number.NaN;
    scale += minus ? -e : e;
  }
  if (scale < -22 || scale > 22) return Number.NaN;
  plainEnd = i;
  const v = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
  return negative ? -v : v;
}
