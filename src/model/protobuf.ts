/**
 * The Protocol Buffers wire format, read from a ByteSource by offset: a message is a byte range,
 * walked field by field (tag varint, then a varint, 8 or 4 bytes, or a length and that many
 * bytes). Length-delimited payloads are not read while walking, only their range is returned, so a
 * reader can skip a tensor's bytes and fetch them later by range. Every length is checked against
 * the message that holds it; nothing here recurses (callers descend with their own depth limit).
 */
import { ByteSource, CheckpointError, readRange } from './types';

export const enum Wire {
  Varint = 0,
  I64 = 1,
  Len = 2,
  I32 = 5,
}

export interface ProtoField {
  number: number;
  wire: Wire;
  /** Varint fields: the value, exact up to 2^53; larger values (and negative int64s) as a bigint. */
  value: number | bigint;
  /** The payload's byte range in the source (varints: the varint's own bytes). */
  start: number;
  end: number;
}

/** Window sizes: small after a jump (over a tensor's bytes), doubling while the walk reads on. */
const MIN_WINDOW = 1 << 12;
const WINDOW = 1 << 16;
const MAX_VARINT_BYTES = 10;

/** A varint at `at` in `bytes` (no further than `end`), and where the next byte is; undefined when it runs past `end`. */
export function decodeVarint(bytes: Uint8Array, at: number, end: number): { value: number | bigint; next: number } | undefined {
  let low = 0;
  let scale = 1;
  for (let k = 0; k < MAX_VARINT_BYTES; k++) {
    if (at + k >= end) return undefined;
    const byte = bytes[at + k];
    if (k < 7) {
      low += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return { value: low, next: at + k + 1 };
    } else if (byte < 0x80 || k === MAX_VARINT_BYTES - 1) {
      // Past 49 bits: exact only as a bigint.
      let value = 0n;
      for (let j = k; j >= 0; j--) value = (value << 7n) | BigInt(bytes[at + j] & 0x7f);
      value = BigInt.asUintN(64, value);
      if (byte >= 0x80) throw new CheckpointError('a varint runs past 10 bytes');
      return { value: value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value, next: at + k + 1 };
    }
  }
  return undefined;
}

/** A varint as a signed 64-bit integer (protobuf int64/int32 fields carry negatives as 10-byte two's complement). */
export function asInt64(value: number | bigint): bigint {
  return BigInt.asIntN(64, BigInt(value));
}

/** Walks the messages of one source, reading it through a window that moves forward. */
export class ProtoReader {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(readonly source: ByteSource) {}

  /** The bytes [at, at + length), through the window when they fit in one. */
  async bytes(at: number, length: number, what: string): Promise<Uint8Array> {
    if (length > WINDOW) return readRange(this.source, at, length, what);
    await this.cover(at, length, what);
    return this.window.subarray(at - this.windowStart, at - this.windowStart + length);
  }

  private async cover(at: number, length: number, what: string): Promise<void> {
    if (at >= this.windowStart && at + length <= this.windowStart + this.window.length) return;
    const windowEnd = this.windowStart + this.window.length;
    const onwards = at >= this.windowStart && at <= windowEnd;
    const wanted = onwards ? Math.min(2 * Math.max(this.window.length, MIN_WINDOW), WINDOW) : MIN_WINDOW;
    const size = Math.min(Math.max(length, wanted), this.source.size - at);
    this.window = await readRange(this.source, at, Math.max(size, length), what);
    this.windowStart = at;
  }

  async string(field: ProtoField, what: string): Promise<string> {
    if (field.wire !== Wire.Len) throw this.error(`${what} is not a string (wire type ${field.wire})`);
    const bytes = await this.bytes(field.start, field.end - field.start, what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw this.error(`${what} is not UTF-8`);
    }
  }

  /** The fields of the message in [start, end), in order; `what` names the message in errors, `names` its fields. */
  async *fields(start: number, end: number, what: string, names: Record<number, string> = {}): AsyncGenerator<ProtoField> {
    let at = start;
    while (at < end) {
      const key = await this.varintAt(at, end, `a field tag in ${what}`);
      if (typeof key.value !== 'number' || key.value > 0xffffffff) throw this.error(`${what} has a field tag of ${key.value} at byte ${at}, larger than protobuf allows`);
      const number = Math.floor(key.value / 8);
      const wire = key.value % 8;
      if (number === 0) throw this.error(`${what} has field number 0 at byte ${at}, which protobuf does not allow: not a protobuf message or corrupt`);
      at = key.next;
      const field = `${names[number] ? `${names[number]} (field ${number})` : `field ${number}`} of ${what}`;
      if (wire === Wire.Varint) {
        const v = await this.varintAt(at, end, field);
        yield { number, wire, value: v.value, start: at, end: v.next };
        at = v.next;
      } else if (wire === Wire.I64 || wire === Wire.I32) {
        const size = wire === Wire.I64 ? 8 : 4;
        if (at + size > end) throw this.error(`${field} needs ${size} bytes at byte ${at}, past the end of its message (byte ${end}): truncated`);
        yield { number, wire, value: 0, start: at, end: at + size };
        at += size;
      } else if (wire === Wire.Len) {
        const length = await this.varintAt(at, end, `the length of ${field}`);
        const payloadEnd = typeof length.value === 'number' ? length.next + length.value : Infinity;
        if (payloadEnd > end) throw this.error(`${field} declares ${length.value} bytes at byte ${length.next}, running past the end of its message (byte ${end}): truncated or corrupt`);
        yield { number, wire, value: length.value, start: length.next, end: payloadEnd };
        at = payloadEnd;
      } else if (wire === 3 || wire === 4) {
        throw this.error(`${what} uses a protobuf group (wire type ${wire}) at byte ${at}, which ONNX never writes: corrupt`);
      } else {
        throw this.error(`${what} has wire type ${wire} at byte ${at}, which protobuf does not define: not a protobuf message or corrupt`);
      }
    }
  }

  private async varintAt(at: number, end: number, what: string): Promise<{ value: number | bigint; next: number }> {
    const length = Math.min(MAX_VARINT_BYTES, end - at);
    await this.cover(at, length, what);
    let decoded: { value: number | bigint; next: number } | undefined;
    try {
      decoded = decodeVarint(this.window, at - this.windowStart, at - this.windowStart + length);
    } catch (e) {
      throw this.error(`${what} at byte ${at}: ${(e as Error).message}`);
    }
    if (!decoded) throw this.error(`${what} is cut off mid-varint at byte ${at} (its message ends at byte ${end}): truncated`);
    return { value: decoded.value, next: decoded.next + this.windowStart };
  }

  error(message: string): CheckpointError {
    return new CheckpointError(`${this.source.name}: ${message}`);
  }
}

/** Every varint in a packed field's bytes. */
export function packedVarints(bytes: Uint8Array, what: string): Array<number | bigint> {
  const out: Array<number | bigint> = [];
  let at = 0;
  while (at < bytes.length) {
    const decoded = decodeVarint(bytes, at, bytes.length);
    if (!decoded) throw new CheckpointError(`${what} ends mid-varint: truncated or corrupt`);
    out.push(decoded.value);
    at = decoded.next;
  }
  return out;
}
