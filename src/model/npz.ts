/**
 * NumPy `.npy` and `.npz` (a zip of .npy entries, stored by np.savez or deflated by
 * np.savez_compressed), headers parsed by the project's one .npy reader (src/core/npy). Listing
 * reads (or inflates) only each entry's header; a read fetches one array's bytes.
 */
import { decodeNpyHeader, NpyError, NpyHeader, npyDataStart } from '../core/npy';
import { checkTensorSize, toFloat32 } from './dtype';
import { littleEndianElements, tensorDtype } from './numpyArrays';
import { checkRowRange, rowLengthOf } from './rows';
import { ByteSource, CheckpointError, CheckpointFormat, countingSource, OpenedCheckpoint, readRange, ReadLimits, TensorInfo } from './types';
import { looksLikeZip, ZipArchive } from './zip';

/** Reads bytes of one .npy (a file, or a zip entry) by range. */
type RangeReader = (offset: number, length: number) => Promise<Uint8Array>;

async function readHeader(read: RangeReader, size: number, what: string): Promise<NpyHeader> {
  try {
    const head = await read(0, Math.min(12, size));
    const dataStart = npyDataStart(head, what);
    if (dataStart > size) throw new NpyError(`${what} is truncated inside its header`);
    return decodeNpyHeader(await read(0, dataStart), size, what);
  } catch (e) {
    if (e instanceof NpyError) throw new CheckpointError(e.message);
    throw e;
  }
}

interface Array_ {
  info: TensorInfo;
  header: NpyHeader;
  read: RangeReader;
}

function checkpointOf(format: 'npy' | 'npz', arrays: Array_[], limits: ReadLimits, what: string, bytesRead: () => number): OpenedCheckpoint {
  const byName = new Map(arrays.map((a) => [a.info.name, a]));
  const readRaw = async (name: string) => {
    const array = byName.get(name);
    if (!array) throw new CheckpointError(`${what} has no array named ${JSON.stringify(name)}`);
    checkTensorSize(name, array.info.byteLength, limits.maxTensorBytes);
    const data = await array.read(array.header.dataStart, array.header.dataBytes);
    return littleEndianElements({ ...array.header, data });
  };
  return {
    format,
    tensors: arrays.map((a) => a.info),
    readRaw,
    read: async (name) => toFloat32(await readRaw(name), byName.get(name)!.info.dtype),
    readRowRange: async (name, start, count) => {
      const array = byName.get(name);
      if (!array) throw new CheckpointError(`${what} has no array named ${JSON.stringify(name)}`);
      const { info, header } = array;
      checkRowRange(name, info.shape, start, count);
      const rowLength = rowLengthOf(info.shape);
      // Fortran order scatters a row over the whole array: read it all, once.
      if (header.fortranOrder) return toFloat32(await readRaw(name), info.dtype).slice(start * rowLength, (start + count) * rowLength);
      const rowBytes = rowLength * header.type.itemSize;
      checkTensorSize(name, count * rowBytes, limits.maxTensorBytes);
      const data = await array.read(header.dataStart + start * rowBytes, count * rowBytes);
      return toFloat32(littleEndianElements({ ...header, shape: [count, ...info.shape.slice(1)], data }), info.dtype);
    },
    bytesRead,
  };
}

function arrayOf(name: string, header: NpyHeader, read: RangeReader): Array_ {
  return { info: { name, dtype: tensorDtype(header.type), shape: header.shape, byteLength: header.dataBytes }, header, read };
}

export const npyFormat: CheckpointFormat = {
  name: 'npy',
  sniff: (head) => head[0] === 0x93 && new TextDecoder('latin1').decode(head.subarray(1, 6)) === 'NUMPY',
  async open(raw: ByteSource, limits: ReadLimits) {
    const source = countingSource(raw);
    const read: RangeReader = (offset, length) => readRange(source, offset, length, 'the array');
    const header = await readHeader(read, source.size, raw.name);
    const name = raw.name.replace(/\.npy$/i, '');
    return checkpointOf('npy', [arrayOf(name, header, read)], limits, raw.name, () => source.bytesRead());
  },
};

export const npzFormat: CheckpointFormat = {
  name: 'npz',
  sniff: (head, fileName) => looksLikeZip(head) && /\.npz$/i.test(fileName),
  async open(raw: ByteSource, limits: ReadLimits) {
    const source = countingSource(raw);
    const zip = await ZipArchive.open(source, limits);
    const arrays: Array_[] = [];
    for (const entry of zip.entries.values()) {
      if (entry.name.endsWith('/')) continue;
      if (!entry.name.endsWith('.npy')) throw new CheckpointError(`${raw.name} holds ${entry.name}, not a .npy array: not an .npz made by NumPy`);
      if (arrays.length >= limits.maxTensors) throw new CheckpointError(`${raw.name} holds more than ${limits.maxTensors} arrays`);
      const read: RangeReader = (offset, length) => zip.read(entry, offset, length);
      const name = entry.name.slice(0, -4);
      arrays.push(arrayOf(name, await readHeader(read, entry.size, `${raw.name} (${entry.name})`), read));
    }
    return checkpointOf('npz', arrays, limits, raw.name, () => source.bytesRead());
  },
};
