/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}), then the
 * tensors' bytes, offsets relative to the end of the header. Validated as the reference (Rust)
 * implementation does: the offsets tile the data exactly, in order, with no gap or overlap.
 */
import { checkTensorSize, toFloat32 } from './dtype';
import { checkRowRange } from './rows';
import { ByteSource, CheckpointError, CheckpointFormat, countingSource, DTYPE_BYTES, elementCount, OpenedCheckpoint, readRange, ReadLimits, shapeText, TensorDtype, TensorInfo } from './types';

const DTYPES = new Set(Object.keys(DTYPE_BYTES));

interface Entry extends TensorInfo {
  begin: number;
}

export const safetensorsFormat: CheckpointFormat = {
  name: 'safetensors',
  // A sane length, then '{'; or the name, so that a broken .safetensors file gets safetensors' own errors.
  sniff(head, fileName) {
    if (/\.safetensors$/i.test(fileName)) return true;
    if (head.length < 10) return false;
    return new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(4, true) === 0 && head[8] === 0x7b;
  },
  open: openSafetensors,
};

export async function openSafetensors(raw: ByteSource, limits: ReadLimits): Promise<OpenedCheckpoint> {
  const source = countingSource(raw);
  const { entries, metadata } = await readSafetensorsHeader(source, limits);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const get = (name: string) => {
    const entry = byName.get(name);
    if (!entry) throw new CheckpointError(`${raw.name} has no tensor named ${JSON.stringify(name)}`);
    return entry;
  };
  const readRaw = async (name: string) => {
    const entry = get(name);
    checkTensorSize(name, entry.byteLength, limits.maxTensorBytes);
    return readRange(source, entry.begin, entry.byteLength, `tensor ${name}`);
  };
  return {
    format: 'safetensors',
    tensors: entries.map(({ name, dtype, shape, byteLength }) => ({ name, dtype, shape, byteLength })),
    metadata,
    readRaw,
    read: async (name) => toFloat32(await readRaw(name), byName.get(name)!.dtype),
    readRowRange: async (name, start, count) => {
      const entry = get(name);
      checkRowRange(name, entry.shape, start, count);
      const rowBytes = entry.byteLength / entry.shape[0];
      checkTensorSize(name, count * rowBytes, limits.maxTensorBytes);
      return toFloat32(await readRange(source, entry.begin + start * rowBytes, count * rowBytes, `rows of tensor ${name}`), entry.dtype);
    },
    bytesRead: () => source.bytesRead(),
  };
}

async function readSafetensorsHeader(source: ByteSource, limits: ReadLimits): Promise<{ entries: Entry[]; metadata?: Record<string, string> }> {
  const file = source.name;
  if (source.size < 8) throw new CheckpointError(`${file} is truncated: a safetensors file starts with an 8-byte header length, the file has ${source.size} bytes`);
  const lengthBytes = await readRange(source, 0, 8, 'the header length');
  const declared = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(limits.maxHeaderBytes)) throw new CheckpointError(`${file} declares a ${declared}-byte safetensors header, past the limit of ${limits.maxHeaderBytes}`);
  const headerLength = Number(declared);
  if (8 + headerLength > source.size) throw new CheckpointError(`${file} declares a ${headerLength}-byte safetensors header but has only ${source.size - 8} bytes after the length: truncated or not safetensors`);
  const headerBytes = await readRange(source, 8, headerLength, 'the header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new CheckpointError(`${file} has a safetensors header that is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw new CheckpointError(`${file} has a safetensors header that is not a JSON object`);
  const dataStart = 8 + headerLength;
  const entries: Entry[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = readMetadata(value, file);
      continue;
    }
    if (entries.length >= limits.maxTensors) throw new CheckpointError(`${file} lists more than ${limits.maxTensors} tensors`);
    entries.push(readEntry(name, value, dataStart, file));
  }
  // The offsets must tile the data from 0 to its end: sorted, each beginning where the last ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let end = dataStart;
  for (const entry of sorted) {
    if (entry.begin !== end) {
      const relative = entry.begin - dataStart;
      const kind = entry.begin < end ? 'overlaps the tensor before it' : 'leaves a gap after the tensor before it';
      throw new CheckpointError(`${file}: tensor ${entry.name} starts at data offset ${relative}, which ${kind} (ends at ${end - dataStart})`);
    }
    end += entry.byteLength;
  }
  if (end > source.size) throw new CheckpointError(`${file} is truncated: its header places tensor data up to byte ${end}, the file has ${source.size}`);
  if (end !== source.size) throw new CheckpointError(`${file} has ${source.size - end} bytes after the last tensor that no tensor covers; the header does not describe this file`);
  return { entries, metadata };
}

function readEntry(name: string, value: unknown, dataStart: number, file: string): Entry {
  const bad = (what: string) => new CheckpointError(`${file}: tensor ${JSON.stringify(name)} has ${what}`);
  if (!isObject(value)) throw bad('a header entry that is not an object');
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad('no dtype');
  if (!DTYPES.has(dtype)) throw bad(`dtype ${dtype}, which the inspector does not read (it reads ${[...DTYPES].join(', ')})`);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw bad(`an invalid shape ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) throw bad(`invalid data_offsets ${JSON.stringify(offsets)}`);
  const [begin, end] = offsets as number[];
  const count = elementCount(shape as number[]);
  const byteLength = count * DTYPE_BYTES[dtype as TensorDtype];
  if (!Number.isSafeInteger(byteLength) || end - begin !== byteLength) {
    throw bad(`shape ${shapeText(shape as number[])} ${dtype} (${byteLength} bytes) but data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
  }
  return { name, dtype: dtype as TensorDtype, shape: shape as number[], byteLength, begin: dataStart + begin };
}

function readMetadata(value: unknown, file: string): Record<string, string> {
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new CheckpointError(`${file} has __metadata__ that is not an object of strings`);
  }
  return value as Record<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
