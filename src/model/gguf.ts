/**
 * GGUF (llama.cpp's single-file format), versions 2 and 3: the magic "GGUF", a u32 version, u64
 * tensor and metadata counts, the metadata key/values, the tensor infos (name, dims innermost
 * first, ggml type, offset), then the data from the next `general.alignment` boundary (default 32).
 * F32, F16, BF16, F64 and the integer types are read as they are; Q8_0 is dequantized to float32
 * (listed as F32, stored as Q8_0); other quantizations are listed (stored as Q4_0, …) but reading
 * one is refused by name. Metadata arrays (the tokenizer's vocabulary and merges) are kept in
 * `ggufMetadata`; nested arrays are walked and left out.
 *
 * llama.cpp's convert_hf_to_gguf.py permutes the rows of the Q and K projections of Llama-style
 * models for its RoPE layout; this reader hands the tensors back as stored, and ggufLlama.ts undoes it.
 */
import { checkTensorSize, toFloat32 } from './dtype';
import { checkRowRange } from './rows';
import { PLAIN_TYPES, Q8_0, QUANTIZED_TYPES } from './ggufTypes';
import { ByteSource, CheckpointError, CheckpointFormat, countingSource, DTYPE_BYTES, elementCount, GgufValue, OpenedCheckpoint, readRange, ReadLimits, shapeText, TensorDtype, TensorInfo } from './types';

const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
const DEFAULT_ALIGNMENT = 32;
const MAX_DIMS = 4; // GGML_MAX_DIMS
const Q8_0_BLOCK = 32; // elements per block: an f16 scale, then 32 int8
const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK;
/** Metadata arrays longer than this (no vocabulary is) are walked but not kept in memory. */
const MAX_KEPT_ITEMS = 1 << 22;

/** Metadata value types (gguf_type). */
const enum ValueType { U8, I8, U16, I16, U32, I32, F32, Bool, String, Array, U64, I64, F64 }
const SCALAR_BYTES: Partial<Record<ValueType, number>> = {
  [ValueType.U8]: 1, [ValueType.I8]: 1, [ValueType.U16]: 2, [ValueType.I16]: 2, [ValueType.U32]: 4, [ValueType.I32]: 4,
  [ValueType.F32]: 4, [ValueType.Bool]: 1, [ValueType.U64]: 8, [ValueType.I64]: 8, [ValueType.F64]: 8,
};

interface Entry extends TensorInfo {
  begin: number;
  /** Bytes in the file (differs from byteLength for quantized types). */
  storedBytes: number;
  quantized: boolean;
}

export const ggufFormat: CheckpointFormat = {
  name: 'gguf',
  sniff: (head) => MAGIC.every((b, i) => head[i] === b),
  open: openGguf,
};

/**
 * Reads the header front to back through a window of the file, so that a header of many
 * megabytes (a tokenizer's vocabulary) is read once, in pieces, and never past maxHeaderBytes.
 */
class HeaderCursor {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  position = 0;

  constructor(private readonly source: ByteSource, private readonly maxHeaderBytes: number) {}

  private async bytes(length: number, what: string): Promise<DataView> {
    if (this.position + length > this.maxHeaderBytes) throw new CheckpointError(`${this.source.name}: the GGUF header runs past ${this.maxHeaderBytes} bytes (at ${what}), the limit for a header`);
    if (this.position + length > this.source.size) throw new CheckpointError(`${this.source.name} is truncated inside its GGUF header: ${what} needs bytes ${this.position}..${this.position + length} of a ${this.source.size}-byte file`);
    if (this.position < this.windowStart || this.position + length > this.windowStart + this.window.length) {
      const size = Math.min(Math.max(length, 1 << 16), this.source.size - this.position);
      this.window = await readRange(this.source, this.position, size, what);
      this.windowStart = this.position;
    }
    const at = this.position - this.windowStart;
    this.position += length;
    return new DataView(this.window.buffer, this.window.byteOffset + at, length);
  }

  remaining(): number {
    return this.source.size - this.position;
  }

  async u32(what: string): Promise<number> {
    return (await this.bytes(4, what)).getUint32(0, true);
  }

  /** A u64 count or length, which must be a safe integer no larger than `most`. */
  async count(what: string, most: number, why: string): Promise<number> {
    const value = (await this.bytes(8, what)).getBigUint64(0, true);
    if (value > BigInt(most)) throw new CheckpointError(`${this.source.name}: ${what} is ${value}, more than ${why} (${most})`);
    return Number(value);
  }

  async string(what: string): Promise<string> {
    const length = await this.count(`the length of ${what}`, this.remaining() - 8, 'the bytes left in the file');
    const view = await this.bytes(length, what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(view.buffer, view.byteOffset, length));
    } catch {
      throw new CheckpointError(`${this.source.name}: ${what} is not UTF-8`);
    }
  }

  /** A metadata value: scalars as numbers, strings and booleans as they are, arrays of them as arrays; nested arrays walked but left out (undefined). */
  async value(type: number, what: string, depth: number): Promise<GgufValue | undefined> {
    if (type === ValueType.String) return this.string(what);
    if (type === ValueType.Array) {
      if (depth > 8) throw new CheckpointError(`${this.source.name}: ${what} nests arrays more than 8 deep`);
      const itemType = await this.u32(`the item type of ${what}`);
      const minItem = itemType === ValueType.String ? 8 : SCALAR_BYTES[itemType as ValueType] ?? 12;
      const length = await this.count(`the length of ${what}`, Math.floor(this.remaining() / minItem), 'its items could fill the bytes left in the file');
      const fixed = SCALAR_BYTES[itemType as ValueType];
      const keep = depth === 0 && itemType !== ValueType.Array && length <= MAX_KEPT_ITEMS;
      if (fixed !== undefined && !keep) {
        await this.bytes(length * fixed, what);
        return undefined;
      }
      const items: GgufValue[] = [];
      for (let k = 0; k < length; k++) {
        const item = await this.value(itemType, `${what}[${k}]`, depth + 1);
        if (keep) items.push(item!);
      }
      return keep ? items : undefined;
    }
    return this.scalar(type, what);
  }

  private async scalar(type: number, what: string): Promise<GgufValue> {
    const size = SCALAR_BYTES[type as ValueType];
    if (size === undefined) throw new CheckpointError(`${this.source.name}: ${what} has value type ${type}, which GGUF does not define (0 to 12)`);
    const view = await this.bytes(size, what);
    switch (type as ValueType) {
      case ValueType.U8: return view.getUint8(0);
      case ValueType.I8: return view.getInt8(0);
      case ValueType.U16: return view.getUint16(0, true);
      case ValueType.I16: return view.getInt16(0, true);
      case ValueType.U32: return view.getUint32(0, true);
      case ValueType.I32: return view.getInt32(0, true);
      case ValueType.F32: return view.getFloat32(0, true);
      case ValueType.Bool: return view.getUint8(0) !== 0;
      case ValueType.U64: return view.getBigUint64(0, true);
      case ValueType.I64: return view.getBigInt64(0, true);
      default: return view.getFloat64(0, true);
    }
  }
}

export async function openGguf(raw: ByteSource, limits: ReadLimits): Promise<OpenedCheckpoint> {
  const source = countingSource(raw);
  const file = raw.name;
  const cursor = new HeaderCursor(source, limits.maxHeaderBytes);
  await cursor.u32('the magic');
  const version = await cursor.u32('the version');
  if (version !== 2 && version !== 3) throw new CheckpointError(`${file} is GGUF version ${version}; the inspector reads versions 2 and 3 (re-convert it with a current llama.cpp)`);
  // A tensor info takes at least 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset) bytes; a key/value at least 8 + 4 + 1.
  const tensorCount = await cursor.count('the tensor count', Math.min(limits.maxTensors, Math.floor(cursor.remaining() / 24)), 'the tensor limit or what the file could hold');
  const kvCount = await cursor.count('the metadata count', Math.floor(cursor.remaining() / 13), 'the key/values the file could hold');
  const metadata: Record<string, string> = {};
  const values = new Map<string, GgufValue>();
  let alignment = DEFAULT_ALIGNMENT;
  for (let k = 0; k < kvCount; k++) {
    const key = await cursor.string(`metadata key ${k}`);
    const value = await cursor.value(await cursor.u32(`the type of ${key}`), key, 0);
    if (value !== undefined) values.set(key, value);
    if (value !== undefined && !Array.isArray(value)) metadata[key] = String(value);
    if (key === 'general.alignment') {
      const asked = typeof value === 'bigint' ? Number(value) : value;
      if (typeof asked !== 'number' || !Number.isInteger(asked) || asked <= 0 || asked > 2 ** 30 || (asked & (asked - 1)) !== 0) throw new CheckpointError(`${file}: general.alignment is ${value}, not a power of two`);
      alignment = asked;
    }
  }
  const infos: { name: string; shape: number[]; type: number; offset: number }[] = [];
  for (let k = 0; k < tensorCount; k++) {
    const name = await cursor.string(`the name of tensor ${k}`);
    const rank = await cursor.u32(`the n_dims of ${name}`);
    if (rank > MAX_DIMS) throw new CheckpointError(`${file}: tensor ${name} has ${rank} dimensions; GGUF allows at most ${MAX_DIMS}`);
    const dims: number[] = [];
    for (let d = 0; d < rank; d++) dims.push(await cursor.count(`dimension ${d} of ${name}`, Number.MAX_SAFE_INTEGER, 'a safe integer'));
    const type = await cursor.u32(`the type of ${name}`);
    const offset = await cursor.count(`the offset of ${name}`, source.size, 'the file size');
    // GGUF lists dims innermost first (ne[0] is the row length); C order wants them reversed.
    infos.push({ name, shape: dims.reverse(), type, offset });
  }
  const dataStart = Math.ceil(cursor.position / alignment) * alignment;
  const entries = infos.map((info) => entryOf(info, dataStart, alignment, source.size, file));
  const byName = new Map(entries.map((e) => [e.name, e]));
  if (byName.size !== entries.length) throw new CheckpointError(`${file} names a tensor twice`);
  const get = (name: string) => {
    const entry = byName.get(name);
    if (!entry) throw new CheckpointError(`${file} has no tensor named ${JSON.stringify(name)}`);
    if (entry.refused) throw new CheckpointError(`${file}: ${entry.refused}`);
    checkTensorSize(name, entry.byteLength, limits.maxTensorBytes);
    return entry;
  };
  const read = async (name: string) => {
    const entry = get(name);
    const bytes = await readRange(source, entry.begin, entry.storedBytes, `tensor ${name}`);
    return entry.quantized ? dequantizeQ8_0(bytes) : toFloat32(bytes, entry.dtype);
  };
  // Rows of the first axis (C order): whole rows of the innermost axis, so whole Q8_0 blocks.
  const readRowRange = async (name: string, start: number, count: number) => {
    const entry = byName.get(name);
    if (!entry) throw new CheckpointError(`${file} has no tensor named ${JSON.stringify(name)}`);
    if (entry.refused) throw new CheckpointError(`${file}: ${entry.refused}`);
    checkRowRange(name, entry.shape, start, count);
    const rowStored = entry.storedBytes / entry.shape[0];
    checkTensorSize(name, (entry.byteLength / entry.shape[0]) * count, limits.maxTensorBytes);
    const bytes = await readRange(source, entry.begin + start * rowStored, count * rowStored, `rows of tensor ${name}`);
    return entry.quantized ? dequantizeQ8_0(bytes) : toFloat32(bytes, entry.dtype);
  };
  return {
    format: 'gguf',
    tensors: entries.map(({ name, dtype, shape, byteLength, storedAs, refused }) => ({ name, dtype, shape, byteLength, ...(storedAs ? { storedAs } : {}), ...(refused ? { refused } : {}) })),
    metadata,
    ggufMetadata: values,
    read,
    readRowRange,
    readRaw: async (name) => {
      const entry = get(name);
      if (!entry.quantized) return readRange(source, entry.begin, entry.storedBytes, `tensor ${name}`);
      const values = await read(name);
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    },
    bytesRead: () => source.bytesRead(),
  };
}

function entryOf(info: { name: string; shape: number[]; type: number; offset: number }, dataStart: number, alignment: number, fileSize: number, file: string): Entry {
  const { name, shape, type, offset } = info;
  const count = elementCount(shape);
  if (!Number.isSafeInteger(count)) throw new CheckpointError(`${file}: tensor ${name} has shape ${shapeText(shape)}, too many elements`);
  if (offset % alignment !== 0) throw new CheckpointError(`${file}: tensor ${name} starts at data offset ${offset}, not a multiple of the alignment ${alignment}`);
  const rowLength = shape.length ? shape[shape.length - 1] : 1;
  let dtype: TensorDtype = 'F32';
  let storedBytes: number;
  let storedAs: string | undefined;
  let refused: string | undefined;
  if (type in PLAIN_TYPES) {
    dtype = PLAIN_TYPES[type];
    storedBytes = count * DTYPE_BYTES[dtype];
  } else if (type in QUANTIZED_TYPES) {
    // Listed as the float32 it stands for; only Q8_0 is dequantized, the rest are refused on reading.
    const { name: typeName, block, blockBytes } = QUANTIZED_TYPES[type];
    if (rowLength % block !== 0) throw new CheckpointError(`${file}: ${typeName} tensor ${name} has rows of ${rowLength}, not a multiple of its block of ${block}`);
    storedBytes = (count / block) * blockBytes;
    storedAs = typeName;
    if (type !== Q8_0) refused = `tensor ${name} is quantized as ${typeName}, which the inspector does not dequantize (it reads F32, F16, BF16 and Q8_0); convert the model with --outtype f16 or q8_0`;
  } else {
    throw new CheckpointError(`${file}: tensor ${name} has ggml type ${type}, which the inspector does not know`);
  }
  const begin = dataStart + offset;
  if (begin + storedBytes > fileSize) throw new CheckpointError(`${file} is truncated or lies about its layout: tensor ${name} (${shapeText(shape)}) needs bytes ${begin}..${begin + storedBytes} of a ${fileSize}-byte file`);
  return { name, dtype, shape, byteLength: count * DTYPE_BYTES[dtype], begin, storedBytes, quantized: type === Q8_0, storedAs, refused };
}

/** Q8_0: blocks of an f16 scale d and 32 int8 q; each value is d × q. */
function dequantizeQ8_0(bytes: Uint8Array): Float32Array {
  const blocks = bytes.length / Q8_0_BLOCK_BYTES;
  const out = new Float32Array(blocks * Q8_0_BLOCK);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < blocks; b++) {
    const at = b * Q8_0_BLOCK_BYTES;
    const scale = toFloat32(bytes.subarray(at, at + 2), 'F16')[0];
    for (let k = 0; k < Q8_0_BLOCK; k++) out[b * Q8_0_BLOCK + k] = scale * view.getInt8(at + 2 + k);
  }
  return out;
}
