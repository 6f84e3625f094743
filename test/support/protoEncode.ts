/** Protocol Buffers wire format, written: hand-made ONNX models (broken ones included) for the ONNX reader's tests. */

export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return out;
}

/** A varint field. */
export const int = (field: number, value: number | bigint): number[] => [...varint(field * 8), ...varint(value)];

/** A length-delimited field: a nested message (bytes), or a string. */
export function len(field: number, payload: number[] | Uint8Array | string): number[] {
  const bytes = typeof payload === 'string' ? [...new TextEncoder().encode(payload)] : [...payload];
  return [...varint(field * 8 + 2), ...varint(bytes.length), ...bytes];
}

/** A 4-byte field (wire type 5). */
export const fixed32 = (field: number, bytes: number[]): number[] => [...varint(field * 8 + 5), ...bytes];

export const f32 = (...values: number[]): number[] => [...new Uint8Array(new Float32Array(values).buffer)];
export const f64 = (...values: number[]): number[] => [...new Uint8Array(new Float64Array(values).buffer)];

/** TensorProto: dims (packed), data_type, name, then whatever fields carry its data. */
export const tensor = (name: string, dataType: number, dims: Array<number | bigint>, ...data: number[][]): number[] => [
  ...len(1, dims.flatMap((d) => varint(d))),
  ...int(2, dataType),
  ...len(8, name),
  ...data.flat(),
];

/** ModelProto { ir_version 7, producer "test", graph { ...graph fields } }. */
export const model = (...graph: number[][]): Uint8Array => new Uint8Array([...int(1, 7), ...len(2, 'test'), ...len(7, graph.flat())]);

export const initializer = (t: number[]): number[] => len(5, t);

/** NodeProto: inputs, outputs, name, op_type, attributes (each AttributeProto's fields). */
export const node = (op: string, inputs: string[], outputs: string[], name: string, ...attributes: number[][]): number[] =>
  len(1, [...inputs.flatMap((i) => len(1, i)), ...outputs.flatMap((o) => len(2, o)), ...len(3, name), ...len(4, op), ...attributes.flatMap((a) => len(5, a))]);

/** A Constant node whose `value` attribute (type TENSOR) is `t`. */
export const constant = (output: string, t: number[]): number[] => node('Constant', [], [output], `/${output}`, [...len(1, 'value'), ...int(20, 4), ...len(5, t)]);

/** TensorProto fields for external data in `location` (data_location EXTERNAL). */
export const external = (location: string, offset?: number, length?: number): number[] => [
  ...len(13, [...len(1, 'location'), ...len(2, location)]),
  ...(offset === undefined ? [] : len(13, [...len(1, 'offset'), ...len(2, String(offset))])),
  ...(length === undefined ? [] : len(13, [...len(1, 'length'), ...len(2, String(length))])),
  ...int(14, 1),
];
