/** NumPy .npy (format 1.0/2.0/3.0) writing and reading over plain bytes. */
import { NpyType, parseDescr } from './descr';
import { parsePythonLiteral, PyLiteralError, PyValue } from './pythonLiteral';

export type { NpyKind, NpyType } from './descr';

/** The types the inspector writes. */
export type NpyDtype = '|u1' | '|b1' | '<f4' | '<f8' | '<i4' | '<i8';

export interface NpyArray {
  /** NumPy's `dtype.str` of the data, e.g. `<f4`, `>f8`, `|b1`. */
  dtype: string;
  type: NpyType;
  shape: number[];
  fortranOrder: boolean;
  /** The raw little-endian payload, a view into the file's bytes. */
  data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ITEM_SIZE: Record<NpyDtype, number> = { '|u1': 1, '|b1': 1, '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8 };

export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

export function npyHeader(dtype: NpyDtype, shape: number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Version 1.0 header, padded with spaces so that the data starts on a 64-byte boundary.
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const header = new Uint8Array(10 + dict.length);
  header.set(MAGIC, 0);
  header[6] = 1;
  header[7] = 0;
  header[8] = dict.length & 0xff;
  header[9] = dict.length >> 8;
  // Stryker disable next-line EqualityOperator: one more step writes past the end of a typed array, which is ignored
  for (let k = 0; k < dict.length; k++) header[10 + k] = dict.charCodeAt(k);
  return header;
}

export function encodeNpy(dtype: NpyDtype, shape: number[], data: ArrayBufferView): Uint8Array {
  const expected = shape.reduce((a, b) => a * b, 1) * ITEM_SIZE[dtype];
  if (data.byteLength !== expected) throw new NpyError(`payload is ${data.byteLength} bytes, shape [${shape}] ${dtype} needs ${expected}`);
  const header = npyHeader(dtype, shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

/** NumPy's own limit on a header's length (`max_header_size`), in characters. */
const MAX_HEADER_CHARS = 10000;
const HEADER_INFO: Record<string, { lengthBytes: 2 | 4; utf8: boolean }> = {
  '1,0': { lengthBytes: 2, utf8: false },
  '2,0': { lengthBytes: 4, utf8: false },
  '3,0': { lengthBytes: 4, utf8: true },
};
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Parses a .npy file the way NumPy's `np.load` (`read_array`) does, accepting exactly the files it
 * accepts (NumPy 2; where NumPy 1.x was laxer, as NumPy 2): format 1.0, 2.0 or 3.0, a header
 * that is a Python literal dict with exactly the keys descr, fortran_order and shape (a duplicate
 * key takes the last value), and data that may be followed by more bytes. Types other than bool,
 * integers and floats are refused by name. `what` names the file in errors.
 */
export function decodeNpy(bytes: Uint8Array, what = 'the .npy file'): NpyArray {
  const header = decodeNpyHeader(bytes.subarray(0, npyDataStart(bytes, what)), bytes.length, what);
  return { ...header, data: bytes.subarray(header.dataStart, header.dataStart + header.dataBytes) };
}

/** A .npy header without its data: where the data starts and how many bytes it takes. */
export type NpyHeader = Omit<NpyArray, 'data'> & { dataStart: number; dataBytes: number };

/**
 * Where a .npy file's data starts, from its first bytes (12 suffice; fewer only when the file is
 * shorter): lets a reader by byte range fetch just the header (checkpoints: src/model/npz.ts).
 */
export function npyDataStart(head: Uint8Array, what: string): number {
  if (head.length < 8 || MAGIC.some((b, k) => head[k] !== b)) throw new NpyError(`${what} is not a .npy file (no \\x93NUMPY magic)`);
  const info = HEADER_INFO[`${head[6]},${head[7]}`];
  if (!info) throw new NpyError(`${what} has .npy format version ${head[6]}.${head[7]}; NumPy writes and reads only 1.0, 2.0 and 3.0`);
  const start = 8 + info.lengthBytes;
  if (head.length < start) throw new NpyError(`${what} is truncated inside its header`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return start + (info.lengthBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true));
}

/** Decodes the header (`header` holds bytes 0 to npyDataStart) of a .npy file of `fileSize` bytes. */
export function decodeNpyHeader(header: Uint8Array, fileSize: number, what: string): NpyHeader {
  const dataStart = npyDataStart(header, what);
  if (dataStart > fileSize || header.length < dataStart) throw new NpyError(`${what} is truncated inside its header`);
  const info = HEADER_INFO[`${header[6]},${header[7]}`];
  const text = headerText(header.subarray(8 + info.lengthBytes, dataStart), info.utf8, what);
  const parsed = readHeader(text, info.utf8, what);
  const shape = resolveShape(parsed, fileSize - dataStart, what);
  const dataBytes = shape.reduce((a, b) => a * b, 1) * parsed.type.itemSize;
  return { dtype: parsed.type.str, type: parsed.type, shape, fortranOrder: parsed.fortranOrder, dataStart, dataBytes };
}

function headerText(raw: Uint8Array, utf8: boolean, what: string): string {
  const tooLong = () => new NpyError(`${what} has a header of over ${MAX_HEADER_CHARS} characters, more than NumPy reads without allow_pickle`);
  // Before decoding: a Latin-1 character is one byte, a UTF-8 one at most four.
  if (raw.length > (utf8 ? 4 : 1) * MAX_HEADER_CHARS) throw tooLong();
  let text: string;
  if (utf8) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new NpyError(`${what} has a format 3.0 header that is not valid UTF-8`);
    }
  } else {
    // Latin-1 byte for byte (TextDecoder's "latin1" is windows-1252, which differs in 0x80-0x9f).
    text = '';
    // Stryker disable next-line EqualityOperator: one more step appends an empty chunk
    for (let k = 0; k < raw.length; k += 4096) text += String.fromCharCode(...raw.subarray(k, k + 4096));
  }
  if ([...text].length > MAX_HEADER_CHARS) throw tooLong();
  return text;
}

interface Header {
  type: NpyType;
  /** Elements per item: more than 1 for a subarray descriptor such as `(2,)f4`. */
  repeat: bigint;
  fortranOrder: boolean;
  shape: bigint[];
}

function readHeader(text: string, utf8: boolean, what: string): Header {
  const shown = JSON.stringify(text.trim().slice(0, 200));
  let dict: PyValue;
  try {
    dict = parsePythonLiteral(text, { dropLongSuffix: !utf8 });
  } catch (e) {
    // Stryker disable next-line ConditionalExpression: the parser throws nothing else (deep nesting is refused before the stack runs out); `true` is killed
    if (!(e instanceof PyLiteralError)) throw e;
    throw new NpyError(`${what} has an unreadable header (${e.message}): ${shown}`);
  }
  if (dict.kind !== 'dict') throw new NpyError(`${what} has a header that is not a dictionary: ${shown}`);
  const fields = new Map<string, PyValue>();
  for (const [key, value] of dict.entries) {
    if (key.kind !== 'str') throw new NpyError(`${what} has a header key that is not a string: ${shown}`);
    fields.set(key.value, value);
  }
  const keys = [...fields.keys()].sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    throw new NpyError(`${what} has header keys [${keys.join(', ')}]; a .npy header holds exactly descr, fortran_order and shape`);
  }
  const shape = fields.get('shape')!;
  if (shape.kind !== 'tuple' || shape.items.some((x) => x.kind !== 'int')) throw new NpyError(`${what} has an invalid shape in its header: ${shown}`);
  const fortran = fields.get('fortran_order')!;
  if (fortran.kind !== 'bool') throw new NpyError(`${what} has fortran_order that is not True or False: ${shown}`);
  const descr = fields.get('descr')!;
  const parsed = descr.kind === 'str' ? parseDescr(descr.value) : undefined;
  if (!parsed) {
    const name = descr.kind === 'str' ? descr.value : `a ${descr.kind}`;
    throw new NpyError(`${what} has dtype ${name}; the inspector reads bool, integer and float (float16/32/64) arrays`);
  }
  const dims = shape.items.map((x) => (x as { value: bigint }).value);
  if (dims.some((d) => d > INT64_MAX)) throw new NpyError(`${what} has a dimension too large for int64: ${shown}`);
  return { type: parsed.type, repeat: parsed.repeat, fortranOrder: fortran.value, shape: dims };
}

/**
 * NumPy 2's rule for the data: count = product(shape) as int64 (wrapping); it reads up to count
 * items of `repeat` elements each and needs exactly count elements (bytes after them are
 * ignored), then reshapes, inferring one negative dimension. A negative dimension therefore only
 * passes where the product wraps to the number of elements (NumPy 1.x also inferred it from the
 * data; NumPy 2 refuses that, and so do we).
 */
function resolveShape({ shape: dims, type, repeat }: Header, dataBytes: number, what: string): number[] {
  const shapeText = `[${dims.join(', ')}]`;
  const count = dims.reduce((a, b) => BigInt.asIntN(64, a * b), 1n);
  // No data has a negative number of elements.
  if (count < 0n) throw new NpyError(`${what} has a negative dimension in shape ${shapeText}`);
  const itemBytes = BigInt(type.itemSize) * repeat;
  const available = itemBytes === 0n ? 0n : BigInt(dataBytes) / itemBytes;
  // Stryker disable next-line EqualityOperator: at count = available both branches are the same number
  const elements = (count < available ? count : available) * repeat;
  if (elements !== count) {
    if (repeat !== 1n) throw new NpyError(`${what} has ${elements} ${type.str} elements (${repeat} per item), not the ${count} of shape ${shapeText}`);
    throw new NpyError(`${what} is truncated: shape ${shapeText} ${type.str} needs ${count * BigInt(type.itemSize)} bytes of data, found ${dataBytes}`);
  }
  const unknown = dims.filter((d) => d < 0n).length;
  const known = dims.filter((d) => d >= 0n).reduce((a, b) => a * b, 1n);
  if (unknown > 1) throw new NpyError(`${what} has shape ${shapeText} with more than one negative dimension`);
  if (known > INT64_MAX) throw new NpyError(`${what} has shape ${shapeText}, too large for any array`);
  if (unknown === 1) {
    if (known === 0n || count % known !== 0n) throw new NpyError(`${what} has a negative dimension in shape ${shapeText}`);
    // A zero dimension made known 0, refused above, so `d <= 0n` picks the same dimension.
    // Stryker disable next-line EqualityOperator: see above
    return dims.map((d) => Number(d < 0n ? count / known : d));
  }
  // Here known = count: the wrapped product equals the exact one, which is at most INT64_MAX.
  return dims.map(Number);
}

/**
 * The array's bytes in C (row-major) order. A Fortran-order file (`np.save` of a transposed or
 * `np.asfortranarray` array) stores the first index fastest; reading its bytes as C order would
 * silently transpose it, so they are reordered here. C-order arrays come back as they are.
 */
export function cOrderData(npy: NpyArray): Uint8Array {
  if (!npy.fortranOrder) return npy.data;
  const item = npy.type.itemSize;
  const shape = npy.shape;
  const rank = shape.length;
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(npy.data.length);
  // Fortran strides (in items): the first axis is contiguous.
  // Stryker disable next-line ArrayDeclaration: a JS array grows as it is filled
  const fStride = new Array<number>(rank);
  fStride[0] = 1;
  // Stryker disable next-line EqualityOperator: one more stride is computed and never read
  for (let a = 1; a < rank; a++) fStride[a] = fStride[a - 1] * shape[a - 1];
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < count; c++) {
    let f = 0;
    for (let a = 0; a < rank; a++) f += index[a] * fStride[a];
    out.set(npy.data.subarray(f * item, f * item + item), c * item);
    // Next C index: the last axis fastest.
    // Stryker disable next-line ArithmeticOperator: `rank + 1` first zeroes two entries past the end, never read
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

/** Element `k` (C order, of `cOrderData`) as a number; int64 beyond 2^53 rounds as float64 does. */
function elementReader(npy: NpyArray, bytes: Uint8Array): (k: number) => number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { kind, itemSize, littleEndian: le } = npy.type;
  if (kind === 'f' && itemSize === 2) return (k) => float16(view.getUint16(2 * k, le));
  if (kind === 'f') return itemSize === 4 ? (k) => view.getFloat32(4 * k, le) : (k) => view.getFloat64(8 * k, le);
  if (kind === 'b') return (k) => (bytes[k] ? 1 : 0);
  const signed = kind === 'i';
  if (itemSize === 1) return signed ? (k) => view.getInt8(k) : (k) => bytes[k];
  if (itemSize === 2) return signed ? (k) => view.getInt16(2 * k, le) : (k) => view.getUint16(2 * k, le);
  if (itemSize === 4) return signed ? (k) => view.getInt32(4 * k, le) : (k) => view.getUint32(4 * k, le);
  return signed ? (k) => Number(view.getBigInt64(8 * k, le)) : (k) => Number(view.getBigUint64(8 * k, le));
}

/** An IEEE half-precision value from its 16 bits (NumPy's float16, safetensors' and PyTorch's F16). */
export function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The array's values in C order as float64 numbers (bool as 0/1). */
export function npyToFloat64(npy: NpyArray): Float64Array {
  const bytes = cOrderData(npy);
  const count = bytes.length / npy.type.itemSize;
  const at = elementReader(npy, bytes);
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) out[k] = at(k);
  return out;
}

/** A float array (float16/32/64, either byte order) as float32 in C order; NumPy's astype rounding. */
export function npyToFloat32(npy: NpyArray, into?: Float32Array): Float32Array {
  if (npy.type.kind !== 'f') throw new NpyError(`expected floats, found ${npy.dtype}`);
  const bytes = cOrderData(npy);
  const count = bytes.length / npy.type.itemSize;
  // `into`: memory the caller chose (shared memory for worker threads), of exactly `count` floats.
  if (into && into.length !== count) throw new NpyError(`the target holds ${into.length} floats, the array ${count}`);
  const out = into ?? new Float32Array(count);
  // Little-endian float32, the usual case: a byte copy (the file's bytes need not be 4-byte aligned).
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path; the element reader below gives the same float32 values; `true` is killed
  if (npy.dtype === '<f4') new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  else {
    const at = elementReader(npy, bytes);
    for (let k = 0; k < count; k++) out[k] = at(k);
  }
  return out;
}

/**
 * A mask (bool or integer array holding only 0 and 1) as 0/1 bytes in C order. Other values are
 * refused: an additive float mask or a count would otherwise be read as "allowed" silently.
 */
export function npyToMask(npy: NpyArray, what = 'the mask'): Uint8Array {
  if (npy.type.kind === 'f') throw new NpyError(`${what} has dtype ${npy.dtype}; a mask is bool or integer 0/1 (for an additive 0/-inf mask save mask == 0)`);
  const bytes = cOrderData(npy);
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path; the element reader below maps bool bytes to 0/1 the same way; `true` is killed
  if (npy.type.kind === 'b') return bytes.map((x) => (x ? 1 : 0));
  const count = bytes.length / npy.type.itemSize;
  const at = elementReader(npy, bytes);
  const out = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const x = at(k);
    if (x !== 0 && x !== 1) throw new NpyError(`${what} holds ${x} at flat index ${k}; a mask holds only 0 and 1 (or bool)`);
    out[k] = x;
  }
  return out;
}
