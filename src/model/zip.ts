/**
 * A zip reader over a ByteSource: the central directory (zip64 included) is read from the end of
 * the file, and each entry by range. Stored entries are read in place; deflated ones are inflated
 * with fflate as a stream, only as far as asked, refused past a total size or a compression ratio
 * (a zip bomb). PyTorch's zip checkpoints store their entries; NumPy's savez_compressed deflates.
 */
import { Inflate } from 'fflate';
import { ByteSource, CheckpointError, readRange, ReadLimits } from './types';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Entries compress at most this well before the ratio limit applies (small zero tensors compress ~1000:1). */
const RATIO_FREE_BYTES = 1 << 20;
const INFLATE_CHUNK = 1 << 14;
const READ_CHUNK = 1 << 20;

export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

export class ZipArchive {
  private readonly dataOffsets = new Map<string, number>();

  private constructor(
    readonly source: ByteSource,
    readonly entries: Map<string, ZipEntry>,
    private readonly limits: ReadLimits,
  ) {}

  static async open(source: ByteSource, limits: ReadLimits): Promise<ZipArchive> {
    const file = source.name;
    const tailLength = Math.min(source.size, 22 + 0xffff);
    const tail = await readRange(source, source.size - tailLength, tailLength, 'the zip end record');
    const tailView = view(tail);
    let eocd = -1;
    for (let k = tail.length - 22; k >= 0; k--) {
      if (tailView.getUint32(k, true) === EOCD) {
        eocd = k;
        break;
      }
    }
    if (eocd < 0) throw new CheckpointError(`${file} is a truncated or damaged zip: no end-of-central-directory record`);
    let count = tailView.getUint16(eocd + 10, true);
    let directorySize = tailView.getUint32(eocd + 12, true);
    let directoryOffset = tailView.getUint32(eocd + 16, true);
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      // Zip64: a locator just before the end record points at the 64-bit end record.
      const locatorAt = source.size - tailLength + eocd - 20;
      const locator = view(await readRange(source, locatorAt, 20, 'the zip64 locator'));
      if (locator.getUint32(0, true) !== EOCD64_LOCATOR) throw new CheckpointError(`${file} is a damaged zip64 archive: no zip64 locator`);
      const record = view(await readRange(source, safeNumber(locator.getBigUint64(8, true), file), 56, 'the zip64 end record'));
      if (record.getUint32(0, true) !== EOCD64) throw new CheckpointError(`${file} is a damaged zip64 archive: no zip64 end record`);
      count = safeNumber(record.getBigUint64(32, true), file);
      directorySize = safeNumber(record.getBigUint64(40, true), file);
      directoryOffset = safeNumber(record.getBigUint64(48, true), file);
    }
    if (directorySize > limits.maxHeaderBytes) throw new CheckpointError(`${file} has a ${directorySize}-byte zip directory, past the limit of ${limits.maxHeaderBytes}`);
    if (count > limits.maxTensors * 2 + 16) throw new CheckpointError(`${file} lists ${count} zip entries, past the limit`);
    const directory = await readRange(source, directoryOffset, directorySize, 'the zip central directory');
    return new ZipArchive(source, readDirectory(directory, count, source, file), limits);
  }

  /** Bytes [offset, offset + length) of an entry's uncompressed content. */
  async read(entry: ZipEntry, offset = 0, length = entry.size - offset): Promise<Uint8Array> {
    const file = this.source.name;
    if (offset < 0 || length < 0 || offset + length > entry.size) {
      throw new CheckpointError(`${file}: bytes ${offset}..${offset + length} are outside zip entry ${entry.name} (${entry.size} bytes)`);
    }
    const start = await this.dataOffset(entry);
    if (entry.method === 0) {
      if (entry.size !== entry.compressedSize) throw new CheckpointError(`${file}: stored zip entry ${entry.name} has size ${entry.size} but ${entry.compressedSize} stored bytes`);
      return readRange(this.source, start + offset, length, `zip entry ${entry.name}`);
    }
    return this.inflate(entry, start, offset + length).then((all) => all.subarray(offset, offset + length));
  }

  private async dataOffset(entry: ZipEntry): Promise<number> {
    const known = this.dataOffsets.get(entry.name);
    if (known !== undefined) return known;
    const header = view(await readRange(this.source, entry.localHeaderOffset, 30, `the local header of ${entry.name}`));
    if (header.getUint32(0, true) !== LOCAL) throw new CheckpointError(`${this.source.name}: zip entry ${entry.name} has no local header where the directory points`);
    const start = entry.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
    if (start + entry.compressedSize > this.source.size) {
      throw new CheckpointError(`${this.source.name} is truncated: zip entry ${entry.name} needs bytes up to ${start + entry.compressedSize}, the file has ${this.source.size}`);
    }
    this.dataOffsets.set(entry.name, start);
    return start;
  }

  /** Inflates the first `wanted` bytes of a deflated entry, within the size and ratio limits. */
  private async inflate(entry: ZipEntry, start: number, wanted: number): Promise<Uint8Array> {
    const file = this.source.name;
    const { maxInflatedBytes, maxRatio } = this.limits;
    const cap = Math.min(entry.size, maxInflatedBytes);
    if (wanted > maxInflatedBytes) throw new CheckpointError(`${file}: zip entry ${entry.name} inflates to ${entry.size} bytes, past the limit of ${maxInflatedBytes}`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    let ended = false;
    let problem: string | undefined;
    const inflater = new Inflate((chunk, final) => {
      chunks.push(chunk);
      total += chunk.length;
      if (final) ended = true;
      if (total > cap) problem = total > maxInflatedBytes ? `inflates past the limit of ${maxInflatedBytes} bytes` : `inflates to more than its declared ${entry.size} bytes`;
      else if (total > RATIO_FREE_BYTES && total > maxRatio * entry.compressedSize) problem = `inflates more than ${maxRatio} times its ${entry.compressedSize} compressed bytes (a zip bomb?)`;
    });
    for (let at = 0; at < entry.compressedSize && total < wanted && !ended && !problem; at += READ_CHUNK) {
      const piece = await readRange(this.source, start + at, Math.min(READ_CHUNK, entry.compressedSize - at), `zip entry ${entry.name}`);
      for (let k = 0; k < piece.length && total < wanted && !problem; k += INFLATE_CHUNK) {
        try {
          inflater.push(piece.subarray(k, k + INFLATE_CHUNK), at + k + INFLATE_CHUNK >= entry.compressedSize);
        } catch (e) {
          throw new CheckpointError(`${file}: zip entry ${entry.name} is not valid deflate data (${(e as Error).message})`);
        }
      }
    }
    if (problem) throw new CheckpointError(`${file}: zip entry ${entry.name} ${problem}`);
    if (total < wanted) throw new CheckpointError(`${file}: zip entry ${entry.name} inflates to ${total} bytes, fewer than its declared ${entry.size}: truncated or damaged`);
    const out = new Uint8Array(total);
    let k = 0;
    for (const chunk of chunks) {
      out.set(chunk, k);
      k += chunk.length;
    }
    return out;
  }
}

function readDirectory(directory: Uint8Array, count: number, source: ByteSource, file: string): Map<string, ZipEntry> {
  const entries = new Map<string, ZipEntry>();
  const dir = view(directory);
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > directory.length || dir.getUint32(at, true) !== CENTRAL) throw new CheckpointError(`${file} has a damaged zip central directory (entry ${k} of ${count})`);
    const method = dir.getUint16(at + 10, true);
    let compressedSize = dir.getUint32(at + 20, true);
    let size = dir.getUint32(at + 24, true);
    const nameLength = dir.getUint16(at + 28, true);
    const extraLength = dir.getUint16(at + 30, true);
    const commentLength = dir.getUint16(at + 32, true);
    let localHeaderOffset = dir.getUint32(at + 42, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new CheckpointError(`${file} has a damaged zip central directory (entry ${k} runs past it)`);
    const name = new TextDecoder().decode(directory.subarray(at + 46, at + 46 + nameLength));
    // Zip64 extra field: the 64-bit values of the fields set to 0xffffffff, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = dir.getUint16(e, true);
      const length = dir.getUint16(e + 2, true);
      if (id === 0x0001) {
        let p = e + 4;
        const next = () => {
          if (p + 8 > e + 4 + length) throw new CheckpointError(`${file} has a damaged zip64 field in entry ${name}`);
          const value = safeNumber(dir.getBigUint64(p, true), file);
          p += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + length;
    }
    if (method !== 0 && method !== 8) throw new CheckpointError(`${file}: zip entry ${name} uses compression method ${method}; only stored and deflated entries are read`);
    if (localHeaderOffset + 30 > source.size) throw new CheckpointError(`${file}: zip entry ${name} points past the end of the file`);
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    at = end;
  }
  return entries;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function safeNumber(value: bigint, file: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointError(`${file} has a zip64 size or offset too large to be real`);
  return Number(value);
}
