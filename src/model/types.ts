/** The format-neutral view of a checkpoint that every reader in src/model/ opens. Pure: no Node API. */

/** A file read by byte range: the readers never need the whole file in memory. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `offset`; callers check bounds first (`readRange` does). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** The file's name (its last path part), for sniffing and for errors. */
  readonly name: string;
  /**
   * A file beside this one (ONNX external data), by a path relative to this file's folder that the
   * reader has checked stays inside it; absent where the caller gives no access to the folder.
   */
  sibling?(relativePath: string): Promise<ByteSource>;
}

export type TensorDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Record<TensorDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};

export interface TensorInfo {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  /** Bytes of the tensor's own elements (product of shape × item size). */
  byteLength: number;
  /** How the file stores it when that is not `dtype`: a GGUF quantization (Q8_0, Q4_K, …), read as float32. */
  storedAs?: string;
  /** Why reading it is refused (a quantization the readers do not dequantize); the tensor is still listed. */
  refused?: string;
}

/** A GGUF metadata value: numbers (u64/i64 as bigint), strings, booleans, and arrays of them. */
export type GgufValue = string | number | bigint | boolean | GgufValue[];

export type CheckpointFormatName = 'safetensors' | 'pytorch-zip' | 'pytorch-legacy' | 'pickle' | 'npz' | 'npy' | 'gguf' | 'onnx';

export interface OpenedCheckpoint {
  format: CheckpointFormatName;
  tensors: TensorInfo[];
  /** safetensors' `__metadata__`, GGUF's scalar and string key/values: strings only. */
  metadata?: Record<string, string>;
  /** GGUF's key/values as typed, arrays (the tokenizer's vocabulary) included. */
  ggufMetadata?: ReadonlyMap<string, GgufValue>;
  /** The tensor's values in C order as float32 (F16/BF16 exactly, F64 and 64-bit ints rounded, bool 0/1). */
  read(name: string): Promise<Float32Array>;
  /** The tensor's elements in C order as little-endian bytes of its own dtype. */
  readRaw(name: string): Promise<Uint8Array>;
  /**
   * Rows `start` .. `start + count - 1` of the tensor's first axis as float32, C order, reading only
   * their bytes; absent where the format cannot address rows (a deflated entry, ONNX, …).
   */
  readRowRange?(name: string, start: number, count: number): Promise<Float32Array>;
  /** Bytes read from the source(s) so far, opening included. */
  bytesRead(): number;
}

export interface CheckpointFormat {
  name: CheckpointFormatName;
  /** Whether the first bytes (up to SNIFF_BYTES; fewer when the file is shorter) look like this format. */
  sniff(head: Uint8Array, fileName: string): boolean;
  open(source: ByteSource, limits: ReadLimits): Promise<OpenedCheckpoint>;
}

/** Bounds that keep a hostile or broken file from costing unbounded time or memory. */
export interface ReadLimits {
  /** safetensors JSON header, and pickles that are read whole (data.pkl, a legacy file's pickles). */
  maxHeaderBytes: number;
  /** One tensor read (and one declared storage). */
  maxTensorBytes: number;
  /** Pickle memo entries. */
  maxMemo: number;
  /** Nesting of containers inside a pickle (and of its stack of marks). */
  maxDepth: number;
  /** Inflated size of one zip entry. */
  maxInflatedBytes: number;
  /** Inflated size over compressed size of one zip entry. */
  maxRatio: number;
  /** Tensors in one checkpoint. */
  maxTensors: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxHeaderBytes: 100 * 1024 * 1024, // safetensors' own bound on the header
  maxTensorBytes: 4 * 1024 ** 3,
  maxMemo: 1_000_000,
  maxDepth: 200,
  maxInflatedBytes: 4 * 1024 ** 3,
  maxRatio: 1000,
  maxTensors: 1_000_000,
};

export const SNIFF_BYTES = 64;

/** A file that cannot be read as a checkpoint: malformed, truncated, past a limit, or hostile. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Reads a range after checking it lies inside the source: a lying offset is an error, not a crash. */
export async function readRange(source: ByteSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > source.size) {
    throw new CheckpointError(`${source.name} is truncated or lies about its layout: ${what} needs bytes ${offset}..${offset + length} of a ${source.size}-byte file`);
  }
  if (length === 0) return new Uint8Array(0);
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) throw new CheckpointError(`${source.name}: read ${bytes.length} of ${length} bytes at ${offset} (${what}); the file changed or is truncated`);
  return bytes;
}

/** A ByteSource that counts the bytes it hands out. */
export function countingSource(source: ByteSource): ByteSource & { bytesRead(): number } {
  let total = 0;
  return {
    size: source.size,
    name: source.name,
    async read(offset, length) {
      const bytes = await source.read(offset, length);
      total += bytes.length;
      return bytes;
    },
    bytesRead: () => total,
  };
}

/** A ByteSource over bytes in memory (tests, nested archives, inflated entries). */
export function memorySource(bytes: Uint8Array, name: string): ByteSource {
  return { size: bytes.length, name, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

export function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function shapeText(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}
