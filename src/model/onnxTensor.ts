/**
 * ONNX TensorProto: dims, data_type, name, and where its values are: raw_data (little-endian bytes,
 * left in the file and read by range), the typed repeated fields (float_data, int32_data, int64_data,
 * double_data, uint64_data; decoded when read), or an external file (data_location EXTERNAL,
 * external_data location/offset/length).
 */
import { asInt64, packedVarints, ProtoReader, Wire } from './protobuf';
import { CheckpointError, DTYPE_BYTES, elementCount, memorySource, shapeText, TensorDtype } from './types';

/** ONNX TensorProto.DataType numbers read, and our dtype for each. */
const DATA_TYPES: Record<number, TensorDtype> = { 1: 'F32', 2: 'U8', 3: 'I8', 4: 'U16', 5: 'I16', 6: 'I32', 7: 'I64', 9: 'BOOL', 10: 'F16', 11: 'F64', 12: 'U32', 13: 'U64', 16: 'BF16' };
const DATA_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL', 10: 'FLOAT16',
  11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4', 23: 'FLOAT4E2M1', 24: 'FLOAT8E8M0',
};
const READ_TYPES = Object.keys(DATA_TYPES).map((n) => DATA_TYPE_NAMES[Number(n)]).join(', ');
const MAX_RANK = 32;

const enum Field { Dims = 1, DataType = 2, Segment = 3, FloatData = 4, Int32Data = 5, StringData = 6, Int64Data = 7, Name = 8, RawData = 9, DoubleData = 10, Uint64Data = 11, ExternalData = 13, DataLocation = 14 }

/** Which typed field holds each dtype's values, and how wide a packed fixed-width element is (0: varints). */
const TYPED_FIELD: Record<TensorDtype, { field: Field; fixed: number }> = {
  F32: { field: Field.FloatData, fixed: 4 }, F64: { field: Field.DoubleData, fixed: 8 }, I64: { field: Field.Int64Data, fixed: 0 },
  U64: { field: Field.Uint64Data, fixed: 0 }, U32: { field: Field.Uint64Data, fixed: 0 }, I32: { field: Field.Int32Data, fixed: 0 },
  I16: { field: Field.Int32Data, fixed: 0 }, I8: { field: Field.Int32Data, fixed: 0 }, U16: { field: Field.Int32Data, fixed: 0 },
  U8: { field: Field.Int32Data, fixed: 0 }, BOOL: { field: Field.Int32Data, fixed: 0 }, F16: { field: Field.Int32Data, fixed: 0 }, BF16: { field: Field.Int32Data, fixed: 0 },
};
const TENSOR_FIELDS = { 1: 'dims', 2: 'data_type', 4: 'float_data', 5: 'int32_data', 7: 'int64_data', 8: 'the name', 9: 'raw_data', 10: 'double_data', 11: 'uint64_data', 13: 'an external_data entry' };
const TYPED_FIELDS = new Set([Field.FloatData, Field.Int32Data, Field.Int64Data, Field.DoubleData, Field.Uint64Data]);

export type TensorData =
  | { kind: 'raw'; begin: number }
  | { kind: 'external'; location: string; begin: number }
  /** The TensorProto's own range: its typed fields are decoded when read. */
  | { kind: 'typed'; start: number; end: number }
  | { kind: 'empty' };

export interface OnnxTensor {
  /** The tensor's name in the graph (an initializer's name, a Constant node's output). */
  name: string;
  dtype: TensorDtype;
  shape: number[];
  byteLength: number;
  data: TensorData;
}

/** Reads the TensorProto in [start, end); `fallbackName` names a Constant's value (its node's output). */
export async function parseTensor(reader: ProtoReader, start: number, end: number, what: string, fallbackName?: string): Promise<OnnxTensor> {
  const dims: Array<number | bigint> = [];
  let dataType: number | bigint = 0;
  let name: string | undefined;
  let raw: { start: number; end: number } | undefined;
  let typed = false;
  let location: number | bigint = 0;
  const external = new Map<string, string>();
  for await (const f of reader.fields(start, end, what, TENSOR_FIELDS)) {
    if (f.number === Field.Dims) {
      if (f.wire === Wire.Varint) dims.push(f.value);
      else if (f.wire === Wire.Len) {
        if (f.end - f.start > 10 * MAX_RANK) throw reader.error(`${what} has more than ${MAX_RANK} dimensions`);
        dims.push(...packedVarints(await reader.bytes(f.start, f.end - f.start, `the dims of ${what}`), `the dims of ${what}`));
      } else throw reader.error(`${what} has dims of wire type ${f.wire}`);
      if (dims.length > MAX_RANK) throw reader.error(`${what} has more than ${MAX_RANK} dimensions`);
    } else if (f.number === Field.DataType && f.wire === Wire.Varint) dataType = f.value;
    else if (f.number === Field.Name) name = await reader.string(f, `the name of ${what}`);
    else if (f.number === Field.RawData && f.wire === Wire.Len) raw = { start: f.start, end: f.end };
    else if (TYPED_FIELDS.has(f.number)) typed = true;
    else if (f.number === Field.DataLocation && f.wire === Wire.Varint) location = f.value;
    else if (f.number === Field.ExternalData && f.wire === Wire.Len) {
      const entry = new Map<number, string>();
      for await (const e of reader.fields(f.start, f.end, `an external_data entry of ${what}`)) {
        if (e.number === 1 || e.number === 2) entry.set(e.number, await reader.string(e, `an external_data entry of ${what}`));
      }
      external.set(entry.get(1) ?? '', entry.get(2) ?? '');
    } else if (f.number === Field.Segment) throw reader.error(`${what} is a segment of a larger tensor, which the inspector does not read`);
    else if (f.number === Field.StringData) typed = true;
  }
  const tensorName = fallbackName ?? name;
  if (tensorName === undefined || tensorName === '') throw reader.error(`${what} has no name`);
  const label = `tensor ${JSON.stringify(tensorName)}`;
  const dtype = typeof dataType === 'number' ? DATA_TYPES[dataType] : undefined;
  if (!dtype) {
    const known = typeof dataType === 'number' ? DATA_TYPE_NAMES[dataType] : undefined;
    throw reader.error(`${label} has data type ${known ?? `number ${dataType}`}${known ? '' : ', which ONNX does not define'}; the inspector reads ${READ_TYPES}`);
  }
  const shape = dims.map((d, axis) => {
    if (typeof d === 'number') return d;
    const signed = asInt64(d);
    throw reader.error(`${label} has dimension ${axis} of ${signed}, ${signed < 0n ? 'negative' : 'too large'}: corrupt`);
  });
  const count = elementCount(shape);
  const byteLength = count * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(byteLength)) throw reader.error(`${label} has shape ${shapeText(shape)}, too many elements to address`);
  const sources = [raw !== undefined, typed, location === 1].filter(Boolean).length;
  if (sources > 1) throw reader.error(`${label} has its values in more than one place (raw_data, typed data, external data): corrupt`);
  if (location !== 0 && location !== 1) throw reader.error(`${label} has data_location ${location}, which ONNX does not define (0 DEFAULT, 1 EXTERNAL)`);
  let data: TensorData;
  if (location === 1) data = externalData(reader, external, label, byteLength);
  else if (raw) {
    if (raw.end - raw.start !== byteLength) throw reader.error(`${label} is ${shapeText(shape)} ${dtype} (${byteLength} bytes) but its raw_data has ${raw.end - raw.start} bytes`);
    data = { kind: 'raw', begin: raw.start };
  } else if (typed) data = { kind: 'typed', start, end };
  else if (count === 0) data = { kind: 'empty' };
  else throw reader.error(`${label} (${shapeText(shape)}) has no values: no raw_data, typed data or external_data`);
  return { name: tensorName, dtype, shape, byteLength, data };
}

function externalData(reader: ProtoReader, entries: Map<string, string>, label: string, byteLength: number): TensorData {
  const location = entries.get('location');
  if (location === undefined) throw reader.error(`${label} keeps its data in an external file but its external_data has no location`);
  checkLocation(reader, location, label);
  const number = (key: string) => {
    const text = entries.get(key);
    if (text === undefined) return undefined;
    if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) throw reader.error(`${label} has external_data ${key} ${JSON.stringify(text)}, not a byte count`);
    return Number(text);
  };
  const offset = number('offset') ?? 0;
  const length = number('length');
  if (length !== undefined && length !== byteLength) throw reader.error(`${label} needs ${byteLength} bytes but its external_data length is ${length}`);
  return { kind: 'external', location, begin: offset };
}

/** A location must stay in the model's folder: relative, no `..`, no drive or root. */
function checkLocation(reader: ProtoReader, location: string, label: string): void {
  const parts = location.split(/[\\/]/);
  const absolute = /^[\\/]/.test(location) || /^[A-Za-z]:/.test(location);
  if (location === '' || absolute || parts.includes('..') || location.includes('\0')) {
    throw reader.error(`${label} names external data ${JSON.stringify(location)}, outside the model's folder; the inspector reads external data only from files beside the model`);
  }
}

/** The values of a tensor kept in its typed fields, as little-endian bytes of its dtype. */
export async function decodeTyped(message: Uint8Array, tensor: OnnxTensor, file: string): Promise<Uint8Array> {
  const { field, fixed } = TYPED_FIELD[tensor.dtype];
  const label = `tensor ${JSON.stringify(tensor.name)}`;
  const size = DTYPE_BYTES[tensor.dtype];
  const count = tensor.byteLength / size;
  const out = new Uint8Array(tensor.byteLength);
  const view = new DataView(out.buffer);
  const reader = new ProtoReader(memorySource(message, file));
  let k = 0;
  const room = (n: number) => {
    if (k + n > count) throw new CheckpointError(`${file}: ${label} holds more values than its shape ${shapeText(tensor.shape)} has elements (${count})`);
  };
  for await (const f of reader.fields(0, message.length, label)) {
    if (TYPED_FIELDS.has(f.number) && f.number !== field) throw new CheckpointError(`${file}: ${label} is ${tensor.dtype} but keeps values in field ${f.number}, not the one ONNX uses for it (${field})`);
    if (f.number !== field) continue;
    const bytes = message.subarray(f.start, f.end);
    if (fixed) {
      if (f.wire !== Wire.Len && f.wire !== (fixed === 4 ? Wire.I32 : Wire.I64)) throw new CheckpointError(`${file}: ${label} has a value of wire type ${f.wire} where ${fixed}-byte values belong`);
      if (bytes.length % fixed) throw new CheckpointError(`${file}: ${label} has ${bytes.length} bytes of packed values, not a multiple of ${fixed}`);
      room(bytes.length / fixed);
      out.set(bytes, k * size);
      k += bytes.length / fixed;
      continue;
    }
    const values = f.wire === Wire.Len ? packedVarints(bytes, label) : f.wire === Wire.Varint ? [f.value] : undefined;
    if (!values) throw new CheckpointError(`${file}: ${label} has a value of wire type ${f.wire} where varints belong`);
    room(values.length);
    for (const v of values) writeInteger(view, k++ * size, tensor.dtype, v);
  }
  if (k !== count) throw new CheckpointError(`${file}: ${label} holds ${k} values; its shape ${shapeText(tensor.shape)} needs ${count}`);
  return out;
}

function writeInteger(view: DataView, at: number, dtype: TensorDtype, v: number | bigint): void {
  const big = BigInt(v);
  if (dtype === 'I64') return view.setBigInt64(at, BigInt.asIntN(64, big), true);
  if (dtype === 'U64') return view.setBigUint64(at, BigInt.asUintN(64, big), true);
  if (dtype === 'U32') return view.setUint32(at, Number(BigInt.asUintN(32, big)), true);
  // int32_data: int32 values, sign-extended; the narrower types and the 16-bit floats' bit patterns in its low bits.
  const n = Number(BigInt.asIntN(32, big));
  if (dtype === 'I32') view.setInt32(at, n, true);
  else if (dtype === 'I16' || dtype === 'U16' || dtype === 'F16' || dtype === 'BF16') view.setUint16(at, n & 0xffff, true);
  else if (dtype === 'BOOL') view.setUint8(at, n ? 1 : 0);
  else view.setUint8(at, n & 0xff);
}
