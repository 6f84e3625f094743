/**
 * Reads Q, K, V .npy files for `attend`, with errors that name the file, the shape found and the
 * shape expected. The arrays live in shared memory, which the CPU pool's worker threads read as
 * they are: a little-endian float32 C-order file (NumPy's usual) is read straight into it and
 * used in place, with no copy; other dtypes, byte orders and Fortran order are converted into it.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'fs';
import { decodeNpy, NpyArray, npyDataStart, npyToFloat32, QKV } from '../core';
import { stdioDescriptor } from '../stdio';
import { UsageError } from './args';

/** A .npy file the user named, decoded; a missing or unreadable file is a one-line usage error. */
export function readNpyFile(path: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(stdioDescriptor(path, [0]) ?? path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return decodeNpy(bytes, path);
}

/** Shared memory for a file of `size` bytes starting with `head`, placed so that its data starts 4-byte aligned. */
function alignedShared(head: Uint8Array, size: number, path: string): Uint8Array {
  let dataStart = 0;
  try {
    dataStart = npyDataStart(head, path);
  } catch {
    // Not a valid .npy: decodeNpy says why.
  }
  const pad = (4 - (dataStart % 4)) % 4;
  return new Uint8Array(new SharedArrayBuffer(pad + size), pad, size);
}

/** The whole file in shared memory, its data 4-byte aligned. */
function readShared(path: string): Uint8Array {
  const stdin = stdioDescriptor(path, [0]);
  let fd: number | undefined;
  try {
    fd = stdin ?? openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      // A pipe or device (`--q /dev/stdin`): no size to read by, no offsets; read it to its end.
      const whole = readFileSync(fd);
      const bytes = alignedShared(whole.subarray(0, 12), whole.length, path);
      bytes.set(whole);
      return bytes;
    }
    const size = stat.size;
    const head = new Uint8Array(Math.min(size, 12));
    readSync(fd, head, 0, head.length, 0);
    const bytes = alignedShared(head, size, path);
    for (let at = 0; at < size; ) {
      const read = readSync(fd, bytes, at, size - at, at);
      if (read === 0) throw Object.assign(new Error('the file shrank while being read'), { code: 'ESHORT' });
      at += read;
    }
    return bytes;
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    if (fd !== undefined && fd !== stdin) closeSync(fd);
  }
}

function sharedFloats(count: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(count * 4));
}

/** A float .npy as float32 C order in shared memory: in place when it is `<f4` C order already. */
export function readFloat32Shared(path: string): { npy: NpyArray; data: Float32Array } {
  const npy = decodeNpy(readShared(path), path);
  if (npy.type.kind !== 'f') return { npy, data: new Float32Array(0) };
  const count = npy.data.byteLength / npy.type.itemSize;
  const inPlace = npy.dtype === '<f4' && !npy.fortranOrder && npy.data.byteOffset % 4 === 0;
  const data = inPlace ? new Float32Array(npy.data.buffer, npy.data.byteOffset, count) : npyToFloat32(npy, sharedFloats(count));
  return { npy, data };
}

function readFloat32(path: string): { shape: number[]; data: Float32Array } {
  const { npy, data } = readFloat32Shared(path);
  if (npy.type.kind !== 'f') throw new UsageError(`${path} has dtype ${npy.dtype}; expected floats (float32, or float16/float64, read as float32)`);
  if (npy.shape.length !== 3 && npy.shape.length !== 2) {
    throw new UsageError(`${path} has shape [${npy.shape.join(', ')}]; expected [H, n, d] (or [n, d] for one head)`);
  }
  // In C order whatever order the file is in; float16/float64 round to float32 as astype does,
  // so a float64 beyond float32's range becomes Inf and is refused below.
  const shape = npy.shape.length === 2 ? [1, ...npy.shape] : npy.shape;
  refuseNonFinite(path, shape, data);
  return { shape, data };
}

/** NaN or ±Inf in Q, K or V make every row that touches them NaN: refuse, saying where. */
function refuseNonFinite(path: string, shape: number[], data: Float32Array): void {
  let count = 0;
  let first = -1;
  for (let x = 0; x < data.length; x++) {
    if (Number.isFinite(data[x])) continue;
    if (count++ === 0) first = x;
  }
  if (!count) return;
  const [, n, d] = shape;
  const at = [Math.floor(first / (n * d)), Math.floor(first / d) % n, first % d];
  throw new UsageError(
    `${path} holds ${count} non-finite value${count > 1 ? 's' : ''} (NaN or Inf; the first, ${data[first]}, at [${at.join(', ')}]): attention over them is NaN; fix or mask them before attend`,
  );
}

export function readQkv(paths: { q: string; k: string; v: string }): QKV {
  const q = readFloat32(paths.q);
  const [heads, n, d] = q.shape;
  const others = { k: readFloat32(paths.k), v: readFloat32(paths.v) };
  for (const name of ['k', 'v'] as const) {
    const shape = others[name].shape;
    if (shape.join() !== q.shape.join()) {
      throw new UsageError(`${paths[name]} has shape [${shape.join(', ')}]; expected [${q.shape.join(', ')}] like ${paths.q}`);
    }
  }
  return { heads, n, d, q: q.data, k: others.k.data, v: others.v.data };
}
