/** NumPy .npy (format 1.0/2.0/3.0) writing and reading over plain bytes. */

export type NpyDtype = '|u1' | '|b1' | '<f4' | '<f8' | '<i4' | '<i8';

export interface NpyArray {
  dtype: NpyDtype;
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

/** Parses the header and returns a view of the payload; `what` names the file in errors. */
export function decodeNpy(bytes: Uint8Array, what = 'the .npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) throw new NpyError(`${what} is not a .npy file (no \\x93NUMPY magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  if (start + headerLength > bytes.length) throw new NpyError(`${what} is truncated inside its header`);
  const text = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new NpyError(`${what} has an unreadable header: ${text.trim()}`);
  // Masks saved as int8 hold only 0 and 1, the same bytes as uint8: read them as masks too.
  const dtype = (descr === '<u1' || descr === '|i1' ? '|u1' : descr) as NpyDtype;
  if (!(dtype in ITEM_SIZE)) throw new NpyError(`${what} has dtype ${descr}; expected one of ${Object.keys(ITEM_SIZE).join(', ')}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length)
    .map(Number);
  const dataStart = start + headerLength;
  const size = shape.reduce((a, b) => a * b, 1) * ITEM_SIZE[dtype];
  if (dataStart + size > bytes.length) {
    throw new NpyError(`${what} is truncated: shape [${shape}] ${descr} needs ${size} bytes of data, found ${bytes.length - dataStart}`);
  }
  return { dtype, shape, fortranOrder: fortran === 'True', data: bytes.subarray(dataStart, dataStart + size) };
}

/**
 * The array's bytes in C (row-major) order. A Fortran-order file (`np.save` of a transposed or
 * `np.asfortranarray` array) stores the first index fastest; reading its bytes as C order would
 * silently transpose it, so they are reordered here. C-order arrays come back as they are.
 */
export function cOrderData(npy: NpyArray): Uint8Array {
  if (!npy.fortranOrder || npy.shape.length < 2) return npy.data;
  const item = ITEM_SIZE[npy.dtype];
  const shape = npy.shape;
  const rank = shape.length;
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(npy.data.length);
  // Fortran strides (in items): the first axis is contiguous.
  const fStride = new Array<number>(rank);
  fStride[0] = 1;
  for (let a = 1; a < rank; a++) fStride[a] = fStride[a - 1] * shape[a - 1];
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < count; c++) {
    let f = 0;
    for (let a = 0; a < rank; a++) f += index[a] * fStride[a];
    out.set(npy.data.subarray(f * item, f * item + item), c * item);
    // Next C index: the last axis fastest.
    for (let a = rank - 1; a >= 0 && ++index[a] === shape[a]; a--) index[a] = 0;
  }
  return out;
}
