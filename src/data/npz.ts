/**
 * NumPy archives (`np.savez` / `np.savez_compressed`, `.npz`) into a columnar Dataset: the form in
 * which vision and speech teams hold evaluation tensors (`np.savez("eval.npz", pixel_values=X,
 * label=y)`), where JSON Lines would be ten times the size. Each array's first axis is the rows:
 * a 1-D array is a numeric or text column, an array of more dims an array column whose cells have
 * the remaining dims (an input of the same name takes it). The `.npy` format is read as NumPy
 * writes it (format 1.0–3.0): little- or big-endian numbers, bool, float16, fixed-width text, C or
 * Fortran order. Object arrays are refused: they are pickles, and unpickling runs code.
 */
import yauzl from 'yauzl';
import { InputFileError, getErrorMessage } from '../errors.ts';
import type { Column, Dataset } from './dataset.ts';

export interface NpyArray {
  /** Dims; [] for a scalar. */
  shape: number[];
  /** Numbers in C (row-major) order, or null for text. */
  values: Float64Array | null;
  /** Text elements in C order, trailing NULs removed, or null for numbers. */
  text: string[] | null;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** One `.npy` file's bytes as an array. Throws a one-line reason. */
export function parseNpy(bytes: Buffer): NpyArray {
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC)) throw new Error('not a .npy array (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new Error(`.npy format version ${major}.${bytes[7]} is not one NumPy writes`);
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLength);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const dims = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined) {
    throw new Error(/['"]descr['"]\s*:\s*\[/.test(header) ? 'a structured (record) array: save each field as an array of its own' : `the header has no dtype: ${header.trim().slice(0, 80)}`);
  }
  if (fortran === undefined || dims === undefined) throw new Error(`the header is not NumPy's: ${header.trim().slice(0, 80)}`);
  const shape = dims
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new Error(`the shape (${dims}) is not a list of sizes`);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = bytes.subarray(start + headerLength);
  const { kind, size, little } = dtypeOf(descr);
  if (data.length < count * size) throw new Error(`${count.toLocaleString('en')} elements of ${descr} need ${(count * size).toLocaleString('en')} bytes, the file holds ${data.length.toLocaleString('en')}: cut short?`);
  const order = fortran === 'True' ? fortranToC(shape) : null;
  if (kind === 'U' || kind === 'S') {
    const text = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const at = (order ? order[i]! : i) * size;
      const cell = kind === 'S' ? data.toString('latin1', at, at + size) : utf32(data, at, size, little);
      text[i] = cell.replace(/\0+$/, '');
    }
    return { shape, values: null, text };
  }
  const read = reader(kind, size, little, descr);
  const view = new DataView(data.buffer, data.byteOffset, count * size);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = read(view, (order ? order[i]! : i) * size);
  return { shape, values, text: null };
}

const NAMES: Record<string, string> = { O: 'object (pickled Python objects)', c: 'complex', M: 'datetime', m: 'timedelta', V: 'raw bytes (void)' };

function dtypeOf(descr: string): { kind: string; size: number; little: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) throw new Error(`dtype "${descr}" is not one model-gate reads`);
  const [, byteOrder, kind, digits] = m as unknown as [string, string, string, string];
  const unit = kind === 'U' ? 4 : 1;
  const size = Number(digits || '1') * unit;
  if (NAMES[kind]) {
    const fix =
      kind === 'O'
        ? ': save numbers as a numeric dtype and text as str (np.asarray(x, dtype=str)); rows of different lengths (clips, token lists) make an object array too: pad them to one length, or use JSON Lines'
        : ': save it as numbers or text';
    throw new Error(`dtype ${descr} is ${NAMES[kind]}, which model-gate does not read${fix}`);
  }
  if (!'fiubUS'.includes(kind)) throw new Error(`dtype "${descr}" is not one model-gate reads`);
  return { kind, size, little: byteOrder !== '>' };
}

type Read = (view: DataView, at: number) => number;

function reader(kind: string, size: number, little: boolean, descr: string): Read {
  const key = `${kind}${size}`;
  switch (key) {
    case 'f2':
      return (v, at) => half(v.getUint16(at, little));
    case 'f4':
      return (v, at) => v.getFloat32(at, little);
    case 'f8':
      return (v, at) => v.getFloat64(at, little);
    case 'i1':
      return (v, at) => v.getInt8(at);
    case 'u1':
    case 'b1':
      return (v, at) => v.getUint8(at);
    case 'i2':
      return (v, at) => v.getInt16(at, little);
    case 'u2':
      return (v, at) => v.getUint16(at, little);
    case 'i4':
      return (v, at) => v.getInt32(at, little);
    case 'u4':
      return (v, at) => v.getUint32(at, little);
    case 'i8':
      return (v, at) => Number(v.getBigInt64(at, little));
    case 'u8':
      return (v, at) => Number(v.getBigUint64(at, little));
  }
  throw new Error(`dtype "${descr}" is not one model-gate reads`);
}

/** IEEE 754 half precision to a number. */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function utf32(data: Buffer, at: number, size: number, little: boolean): string {
  let s = '';
  for (let i = at; i < at + size; i += 4) {
    const cp = little ? data.readUInt32LE(i) : data.readUInt32BE(i);
    if (cp === 0) break;
    s += String.fromCodePoint(cp);
  }
  return s;
}

/** For each element in C order, its index in Fortran (column-major) order. */
function fortranToC(shape: number[]): Uint32Array | Float64Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const out = count < 2 ** 32 ? new Uint32Array(count) : new Float64Array(count);
  const strides = shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1));
  const index = shape.map(() => 0);
  for (let i = 0; i < count; i++) {
    let at = 0;
    for (let k = 0; k < shape.length; k++) at += index[k]! * strides[k]!;
    out[i] = at;
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++index[k]! < shape[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}

/** The archive's `.npy` members, by name without the extension, in archive order. */
async function members(path: string): Promise<{ arrays: [string, Buffer][]; others: string[] }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(path, { lazyEntries: true, autoClose: true }, (e, z) => (e ? reject(e) : resolve(z))));
  return new Promise((resolve, reject) => {
    const arrays: [string, Buffer][] = [];
    const others: string[] = [];
    zip.on('error', reject);
    zip.on('end', () => resolve({ arrays, others }));
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('.npy')) {
        if (!entry.fileName.endsWith('/')) others.push(entry.fileName);
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          arrays.push([entry.fileName.slice(0, -'.npy'.length), Buffer.concat(chunks)]);
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
}

export async function readNpz(path: string): Promise<Dataset> {
  let found;
  try {
    found = await members(path);
  } catch (error) {
    throw new InputFileError(path, `not a readable .npz archive (a zip of .npy arrays, as np.savez writes): ${getErrorMessage(error)}`);
  }
  const notes = found.others.map((name) => `"${name}" is not a .npy array; not read`);
  const arrays: [string, NpyArray][] = [];
  for (const [name, bytes] of found.arrays) {
    try {
      arrays.push([name, parseNpy(bytes)]);
    } catch (error) {
      throw new InputFileError(path, `array "${name}": ${getErrorMessage(error)}`);
    }
  }
  const perRow = arrays.filter(([name, a]) => {
    if (a.shape.length > 0) return true;
    notes.push(`array "${name}" is a scalar, not one value per row; not read`);
    return false;
  });
  if (perRow.length === 0) throw new InputFileError(path, arrays.length === 0 ? 'the archive holds no .npy arrays' : 'no array has a row axis (every one is a scalar)');
  const rows = perRow[0]![1].shape[0]!;
  if (perRow.some(([, a]) => a.shape[0] !== rows)) {
    const sizes = perRow.map(([name, a]) => `${name} ${a.shape[0]!.toLocaleString('en')}`).join(', ');
    throw new InputFileError(path, `the arrays hold different numbers of rows (${sizes}; the first axis is the rows): save arrays of one evaluation set together`);
  }
  const columns: Column[] = [];
  for (const [name, a] of perRow) {
    const column = columnOf(path, name, a, rows);
    if (column) columns.push(column);
    else notes.push(`array "${name}" holds text in more than one dim; not read`);
  }
  return { path, format: 'npz', rows, columns, malformed: [], malformedFirst: [], notes };
}

function columnOf(path: string, name: string, a: NpyArray, rows: number): Column | null {
  if (a.shape.length === 1) {
    if (a.text) return { name, kind: 'text', values: null, text: a.text, missing: a.text.filter((t) => t === '').length, invalid: [] };
    // NaN is NumPy's missing value, as an empty cell is a CSV's.
    let missing = 0;
    for (const v of a.values!) if (Number.isNaN(v)) missing++;
    return { name, kind: 'numeric', values: a.values, text: null, missing, invalid: [] };
  }
  if (!a.values) return null;
  const width = a.shape.slice(1).reduce((x, y) => x * y, 1);
  // Offsets are Int32, as Arrow's List offsets are; fail rather than wrap.
  if (rows * width > 0x7fffffff) throw new InputFileError(path, `array "${name}" holds more than 2^31 values`);
  const offsets = new Int32Array(rows + 1);
  for (let r = 0; r <= rows; r++) offsets[r] = r * width;
  return { name, kind: 'array', values: null, text: null, array: { values: a.values, offsets, shape: width > 0 ? a.shape.slice(1) : null }, missing: width > 0 ? 0 : rows, invalid: [] };
}
