/**
 * The .npy reader accepts exactly what NumPy's np.load accepts and reads the same dtype, shape and
 * values: the cases a probe found, pinned one by one (npyFuzz.test.ts runs a few hundred mutated
 * files with NumPy's own verdict as the oracle; `npm run fuzz` runs 10,000).
 */
import { strict as assert } from 'assert';
import { decodeNpy, encodeNpy, NpyError, npyToFloat32, npyToFloat64, npyToMask } from '../../src/core';

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A .npy file with the given header text, format version and payload. */
function file(header: string, data: ArrayBufferView = new Float32Array([0, 1]), version: [number, number] = [1, 0]): Uint8Array {
  const head = latin1(header);
  const lengthBytes = version[0] === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + head.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, ...version]);
  new DataView(out.buffer).setUint32(8, head.length, true);
  if (lengthBytes === 2) out[10] = out[11] = 0;
  if (lengthBytes === 2) new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 8 + lengthBytes);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 8 + lengthBytes + head.length);
  return out;
}
const header = (descr: string, shape = '(2,)', fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
const refuses = (bytes: Uint8Array, pattern: RegExp) => assert.throws(() => decodeNpy(bytes, 'x.npy'), (e: unknown) => e instanceof NpyError && pattern.test((e as Error).message));

describe('.npy reader: what NumPy accepts and refuses', () => {
  it('refuses versions NumPy refuses (0.x, 1.1, 4.0, 9.0, 255.0) and reads 1.0, 2.0, 3.0', () => {
    for (const version of [[0, 0], [1, 1], [4, 0], [9, 0], [255, 0]] as [number, number][]) refuses(file(header('<f4'), undefined, version), /format version/);
    for (const version of [[1, 0], [2, 0], [3, 0]] as [number, number][]) assert.deepEqual(Array.from(npyToFloat64(decodeNpy(file(header('<f4'), undefined, version)))), [0, 1]);
  });

  it('reads double-quoted headers and the descr spellings NumPy accepts (f4, =f4, |f4, float32, 1f4)', () => {
    assert.equal(decodeNpy(file('{"descr": "<f4", "fortran_order": False, "shape": (2,)}')).dtype, '<f4');
    for (const descr of ['f4', '=f4', '|f4', '<f', 'f', 'float32', 'single', '1f4']) assert.equal(decodeNpy(file(header(descr))).dtype, '<f4', descr);
    assert.deepEqual(Array.from(npyToFloat32(decodeNpy(file(header('>f4'), new Uint8Array([0, 0, 0, 0, 0x3f, 0x80, 0, 0]))))), [0, 1]);
  });

  it('a duplicate key takes the last value, as a Python dict does', () => {
    const bytes = file(`{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'shape': (2,)}`);
    assert.deepEqual(decodeNpy(bytes).shape, [2]);
  });

  it('refuses garbage, non-ASCII outside strings, wrong keys, bad values and unsupported dtypes', () => {
    refuses(file(header('<f4') + 'x'), /unreadable header/);
    refuses(file(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } \xe9\n`), /unreadable header/);
    refuses(file(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}`), /header keys \[descr, extra, fortran_order, shape\]/);
    refuses(file(header('<f4', '(2,)', '1')), /fortran_order/);
    refuses(file(header('<f4', '(True,)')), /invalid shape/);
    refuses(file(header('<c8')), /has dtype <c8/);
    refuses(file(header(' <f4')), /has dtype  <f4/);
    refuses(file(header('<f4,')), /has dtype <f4,/); // NumPy 2: a one-field structured type
    refuses(file(header('<f4', '(2,)') + '\0'), /null bytes/);
    refuses(file(header('<f4', '(-1, -1)')), /negative dimension/);
    refuses(file(header('<f4').replace('\n', ' '.repeat(10001) + '\n'), undefined, [2, 0]), /header of over 10000 characters/);
    assert.equal(decodeNpy(file(header('<f4').replace('\n', ' '.repeat(9000) + '\n'), undefined, [2, 0])).dtype, '<f4');
  });

  it("keeps NumPy's quirks: Python 2 'L' suffixes in 1.0/2.0, trailing bytes; negative dimensions refused as NumPy 2 does", () => {
    assert.deepEqual(decodeNpy(file(header('<f4', '(2L,)'))).shape, [2]);
    refuses(file(header('<f4', '(2L,)'), undefined, [3, 0]), /unreadable header/);
    refuses(file(header('<f4', '(-1,)'), new Float32Array(3)), /negative dimension/);
    assert.deepEqual(decodeNpy(file(header('<f4', '(2,)'), new Float32Array(3))).shape, [2]);
    assert.deepEqual(decodeNpy(file(header('(2,)f4', '(2, 2)'), new Float32Array(4))).shape, [2, 2], 'NumPy reads 2 items of 2 floats: 4 elements, as shape needs');
  });

  it('reads masks of any integer or bool type as 0/1 and refuses other values and floats', () => {
    assert.deepEqual(Array.from(npyToMask(decodeNpy(encodeNpy('<i8', [3], new BigInt64Array([0n, 1n, 1n]))))), [0, 1, 1]);
    assert.deepEqual(Array.from(npyToMask(decodeNpy(file(header('|b1', '(3,)'), new Uint8Array([0, 2, 1]))))), [0, 1, 1]);
    assert.throws(() => npyToMask(decodeNpy(file(header('|u1', '(3,)'), new Uint8Array([0, 2, 1]))), 'm.npy'), /m.npy holds 2 at flat index 1/);
    assert.throws(() => npyToMask(decodeNpy(file(header('<f4'))), 'm.npy'), /m.npy has dtype <f4; a mask is bool or integer/);
  });
});
