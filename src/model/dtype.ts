/** Element conversion and strided gathers shared by the format readers (little-endian bytes in, C order out). */
import { CheckpointError, DTYPE_BYTES, TensorDtype } from './types';
import { float16 } from '../core/npy';

/** Little-endian elements of `dtype` as float32: F16 and BF16 exactly, F64 and 64-bit ints rounded to nearest. */
export function toFloat32(bytes: Uint8Array, dtype: TensorDtype): Float32Array {
  const size = DTYPE_BYTES[dtype];
  const count = Math.floor(bytes.length / size);
  const out = new Float32Array(count);
  // The bytes need not be aligned for a typed array view; DataView reads them anywhere.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
      break;
    case 'F64':
      for (let k = 0; k < count; k++) out[k] = view.getFloat64(8 * k, true);
      break;
    case 'F16':
      for (let k = 0; k < count; k++) out[k] = float16(view.getUint16(2 * k, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let k = 0; k < count; k++) bits[k] = view.getUint16(2 * k, true) << 16;
      break;
    }
    case 'I64':
      for (let k = 0; k < count; k++) out[k] = Number(view.getBigInt64(8 * k, true));
      break;
    case 'U64':
      for (let k = 0; k < count; k++) out[k] = Number(view.getBigUint64(8 * k, true));
      break;
    case 'I32':
      for (let k = 0; k < count; k++) out[k] = view.getInt32(4 * k, true);
      break;
    case 'U32':
      for (let k = 0; k < count; k++) out[k] = view.getUint32(4 * k, true);
      break;
    case 'I16':
      for (let k = 0; k < count; k++) out[k] = view.getInt16(2 * k, true);
      break;
    case 'U16':
      for (let k = 0; k < count; k++) out[k] = view.getUint16(2 * k, true);
      break;
    case 'I8':
      for (let k = 0; k < count; k++) out[k] = view.getInt8(k);
      break;
    case 'U8':
      out.set(bytes.subarray(0, count));
      break;
    case 'BOOL':
      for (let k = 0; k < count; k++) out[k] = bytes[k] ? 1 : 0;
      break;
  }
  return out;
}

/**
 * The smallest and largest element index (relative to the offset) that a strided view touches, or
 * undefined for an empty view. Strides may be zero (expanded) but not negative (PyTorch has none).
 */
export function stridedExtent(shape: number[], stride: number[]): { first: number; last: number } | undefined {
  if (shape.some((d) => d === 0)) return undefined;
  let last = 0;
  for (let a = 0; a < shape.length; a++) last += (shape[a] - 1) * stride[a];
  return { first: 0, last };
}

/** Copies a strided view of `itemSize`-byte elements (indices relative to `bytes`) into C order. */
export function gatherStrided(bytes: Uint8Array, itemSize: number, shape: number[], stride: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(count * itemSize);
  const rank = shape.length;
  if (count === 0) return out;
  const contiguous = isContiguous(shape, stride);
  if (contiguous) {
    out.set(bytes.subarray(0, count * itemSize));
    return out;
  }
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let c = 0; c < count; c++) {
    out.set(bytes.subarray(source * itemSize, source * itemSize + itemSize), c * itemSize);
    // Next C index: the last axis fastest, the source position moving with it.
    for (let a = rank - 1; a >= 0; a--) {
      source += stride[a];
      if (++index[a] < shape[a]) break;
      source -= stride[a] * shape[a];
      index[a] = 0;
    }
  }
  return out;
}

export function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    if (shape[a] !== 1 && stride[a] !== expected) return false;
    expected *= shape[a];
  }
  return true;
}

export function checkTensorSize(name: string, bytes: number, limit: number): void {
  if (bytes > limit) throw new CheckpointError(`tensor ${name} has ${bytes} bytes, past the limit of ${limit} for one tensor`);
}
