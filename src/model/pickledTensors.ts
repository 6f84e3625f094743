/**
 * The tensors in an unpickled checkpoint: nested dicts, lists and tuples walked to dotted names
 * (`model.h.0.attn.c_attn.weight`, `history.0`), as Netron and Hugging Face name them. Torch
 * tensors are views of storages (offset, shape, strides); NumPy arrays carry their bytes.
 */
import { checkTensorSize, gatherStrided, stridedExtent, toFloat32 } from './dtype';
import { checkRowRange, rowLengthOf } from './rows';
import { littleEndianElements, numpyType, tensorDtype } from './numpyArrays';
import { PyDict, PyNdarray, PyTensor, PyTuple } from './pickleValues';
import { CheckpointError, DTYPE_BYTES, elementCount, OpenedCheckpoint, ReadLimits, TensorDtype, TensorInfo } from './types';

/** A storage as a reader resolved it from a persistent id. */
export interface StorageRef {
  dtype: TensorDtype;
  /** Elements the storage holds. */
  numel: number;
  /** Bytes [start, start + length) of the storage, `start` in bytes from the storage's beginning. */
  read(start: number, length: number): Promise<Uint8Array>;
}

interface Found {
  name: string;
  value: PyTensor | PyNdarray;
}

export function findTensors(root: unknown, limits: ReadLimits, what: string): Found[] {
  const found: Found[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, prefix: string, depth: number) => {
    if (value instanceof PyTensor || value instanceof PyNdarray) {
      if (found.length >= limits.maxTensors) throw new CheckpointError(`${what} holds more than ${limits.maxTensors} tensors`);
      found.push({ name: prefix || 'tensor', value });
      return;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    if (depth > limits.maxDepth) throw new CheckpointError(`${what} nests containers deeper than ${limits.maxDepth}`);
    seen.add(value);
    const join = (key: unknown) => (prefix ? `${prefix}.${String(key)}` : String(key));
    if (value instanceof PyDict) for (const [key, item] of value.map) walk(item, join(key), depth + 1);
    else if (Array.isArray(value) || value instanceof PyTuple) (Array.isArray(value) ? value : value.items).forEach((item, k) => walk(item, join(k), depth + 1));
  };
  walk(root, '', 0);
  return found;
}

/** The opened checkpoint over found tensors: torch views read their storage's range by range, arrays their bytes. */
export function pickledCheckpoint(
  format: OpenedCheckpoint['format'],
  found: Found[],
  limits: ReadLimits,
  what: string,
  bytesRead: () => number,
): OpenedCheckpoint {
  const readers = new Map<string, { info: TensorInfo; raw: () => Promise<Uint8Array>; rowRange?: (start: number, count: number) => Promise<Uint8Array> }>();
  for (const { name, value } of found) {
    if (readers.has(name)) continue;
    const entry = value instanceof PyTensor ? torchTensor(name, value, limits, what) : numpyArray(name, value, what);
    readers.set(name, entry);
  }
  const get = (name: string) => {
    const entry = readers.get(name);
    if (!entry) throw new CheckpointError(`${what} has no tensor named ${JSON.stringify(name)}`);
    return entry;
  };
  return {
    format,
    tensors: [...readers.values()].map((r) => r.info),
    readRaw: (name) => get(name).raw(),
    read: async (name) => toFloat32(await get(name).raw(), get(name).info.dtype),
    readRowRange: async (name, start, count) => {
      const { info, raw, rowRange } = get(name);
      checkRowRange(name, info.shape, start, count);
      if (rowRange) return toFloat32(await rowRange(start, count), info.dtype);
      // A NumPy array inside the pickle is in memory already.
      const rowLength = rowLengthOf(info.shape);
      return toFloat32(await raw(), info.dtype).slice(start * rowLength, (start + count) * rowLength);
    },
    bytesRead,
  };
}

function torchTensor(name: string, tensor: PyTensor, limits: ReadLimits, what: string) {
  const storage = tensor.storage as StorageRef;
  if (!storage || typeof storage.read !== 'function') throw new CheckpointError(`${what}: tensor ${name} has no storage`);
  // Offset and strides count elements of the tensor's dtype (v3 may view a storage as another dtype).
  const dtype = tensor.dtype ?? storage.dtype;
  const size = DTYPE_BYTES[dtype];
  const storageElements = Math.floor((storage.numel * DTYPE_BYTES[storage.dtype]) / size);
  const info: TensorInfo = { name, dtype, shape: tensor.shape, byteLength: elementCount(tensor.shape) * size };
  const extent = stridedExtent(tensor.shape, tensor.stride);
  const last = extent ? tensor.offset + extent.last : 0;
  if (extent && last >= storageElements) {
    throw new CheckpointError(`${what}: tensor ${name} (offset ${tensor.offset}, shape [${tensor.shape}], stride [${tensor.stride}]) reaches element ${last} of a storage of ${storageElements}`);
  }
  const raw = async () => {
    checkTensorSize(name, info.byteLength, limits.maxTensorBytes);
    if (!extent) return new Uint8Array(0);
    const span = await storage.read(tensor.offset * size, (extent.last + 1) * size);
    return gatherStrided(span, size, tensor.shape, tensor.stride);
  };
  // Rows of the first axis are the view with that axis cut to [start, start + count): its own span of the storage.
  const rowRange = async (start: number, count: number) => {
    const shape = [count, ...tensor.shape.slice(1)];
    checkTensorSize(name, elementCount(shape) * size, limits.maxTensorBytes);
    const rows = stridedExtent(shape, tensor.stride);
    if (!rows) return new Uint8Array(0);
    const span = await storage.read((tensor.offset + start * tensor.stride[0]) * size, (rows.last + 1) * size);
    return gatherStrided(span, size, shape, tensor.stride);
  };
  return { info, raw, rowRange };
}

function numpyArray(name: string, array: PyNdarray, what: string) {
  const label = `${what}: array ${name}`;
  if (!array.descr || !array.data) throw new CheckpointError(`${label} has no data`);
  const type = numpyType(array.descr, label);
  const info: TensorInfo = { name, dtype: tensorDtype(type), shape: array.shape, byteLength: elementCount(array.shape) * type.itemSize };
  if (array.data.length !== info.byteLength) throw new CheckpointError(`${label} has ${array.data.length} bytes for shape [${array.shape}] ${array.descr} (${info.byteLength})`);
  const data = array.data;
  return { info, raw: async () => littleEndianElements({ dtype: type.str, type, shape: array.shape, fortranOrder: array.fortranOrder, data }) };
}
