/** NumPy arrays (from .npy/.npz files or pickled ndarrays) as checkpoint tensors: dtype names and C-order little-endian bytes. */
import { cOrderData, NpyArray, NpyType } from '../core/npy';
import { parseDescr } from '../core/npy/descr';
import { CheckpointError, TensorDtype } from './types';

const DTYPES: Record<string, TensorDtype> = {
  f8: 'F64', f4: 'F32', f2: 'F16', i8: 'I64', i4: 'I32', i2: 'I16', i1: 'I8', u8: 'U64', u4: 'U32', u2: 'U16', u1: 'U8', b1: 'BOOL',
};

export function tensorDtype(type: NpyType): TensorDtype {
  return DTYPES[`${type.kind}${type.itemSize}`];
}

/** The NumPy type of a dtype string such as `<f4` (from a pickled ndarray), or a clear refusal. */
export function numpyType(descr: string, what: string): NpyType {
  const parsed = parseDescr(descr);
  if (!parsed || parsed.repeat !== 1n) throw new CheckpointError(`${what} has NumPy dtype ${descr}; bool, integer and float arrays are read`);
  return parsed.type;
}

/** An array's elements in C order as little-endian bytes: Fortran order reordered, big-endian swapped. */
export function littleEndianElements(array: NpyArray): Uint8Array {
  const ordered = cOrderData(array);
  const size = array.type.itemSize;
  if (array.type.littleEndian || size === 1) return ordered;
  const out = new Uint8Array(ordered.length);
  for (let k = 0; k < ordered.length; k += size) for (let b = 0; b < size; b++) out[k + b] = ordered[k + size - 1 - b];
  return out;
}
