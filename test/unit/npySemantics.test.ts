/**
 * The .npy reader accepts exactly what NumPy's np.load accepts and reads the same dtype, shape and
 * values: the cases a probe found, pinned one by one (npyFuzz.test.ts runs a few hundred mutated
 * files with NumPy's own verdict as the oracle; `npm run fuzz` runs 10,000).
 */
import { strict as assert } from 'assert';
import { decodeNpy, decodeNpyHeader, encodeNpy, NpyError, npyDataStart, npyToFloat32, npyToFloat64, npyToMask } from '../../src/core';

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
const refusesWith = (bytes: Uint8Array, message: string) => assert.throws(() => decodeNpy(bytes, 'x.npy'), (e: unknown) => e instanceof NpyError && (e as Error).message === message);
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

  it('says exactly what is wrong with the file, naming it ("the .npy file" when unnamed)', () => {
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    assert.throws(() => decodeNpy(new Uint8Array(magic)), (e: unknown) => e instanceof NpyError && e.message === 'the .npy file is not a .npy file (no \\x93NUMPY magic)');
    const good = file(header('<f4'));
    for (let k = 0; k < 6; k++) {
      const bad = good.slice();
      bad[k] ^= 1;
      refusesWith(bad, 'x.npy is not a .npy file (no \\x93NUMPY magic)');
    }
    refusesWith(new Uint8Array([...magic, 1, 0, 5]), 'x.npy is truncated inside its header');
    refusesWith(new Uint8Array([...magic, 2, 0, 5, 0, 0]), 'x.npy is truncated inside its header');
    refusesWith(new Uint8Array([...magic, 1, 0, 0, 0]), 'x.npy has an unreadable header (unexpected EOF): ""');
    refusesWith(good.subarray(0, 20), 'x.npy is truncated inside its header');
    refusesWith(file('  [1, 2]  \n'), 'x.npy has a header that is not a dictionary: "[1, 2]"');
    const long = `[${'1, '.repeat(100)}]`;
    refusesWith(file(long), `x.npy has a header that is not a dictionary: ${JSON.stringify(long.slice(0, 200))}`);
    refusesWith(file("{1: 2, 'descr': '<f4'}"), `x.npy has a header key that is not a string: "{1: 2, 'descr': '<f4'}"`);
    refusesWith(file("{'descr': 5, 'fortran_order': False, 'shape': (2,)}"), 'x.npy has dtype a int; the inspector reads bool, integer and float (float16/32/64) arrays');
    refusesWith(file("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}"), `x.npy has an invalid shape in its header: "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}"`);
    refusesWith(file(header('<f4', '(9223372036854775808,)')), `x.npy has a dimension too large for int64: ${JSON.stringify(header('<f4', '(9223372036854775808,)').trim())}`);
    refusesWith(file(header('<f4', '(2, 2)'), new Float32Array(2)), 'x.npy is truncated: shape [2, 2] <f4 needs 16 bytes of data, found 8');
    refusesWith(file(header('(2,)<f4', '(3,)'), new Float32Array(4)), 'x.npy has 4 <f4 elements (2 per item), not the 3 of shape [3]');
    refusesWith(file(header('(0,)<f4', '(2,)'), new Float32Array(2)), 'x.npy has 0 <f4 elements (0 per item), not the 2 of shape [2]');
    assert.throws(() => encodeNpy('<f4', [2, 3], new Float32Array(5)), (e: unknown) => e instanceof NpyError && e.message === 'payload is 20 bytes, shape [2,3] <f4 needs 24');
  });

  it('headers up to NumPy\'s 10000 characters are read, one more is refused; format 3.0 counts UTF-8 characters and refuses invalid UTF-8', () => {
    const sized = (chars: number, fill = ' ') => {
      const base = header('<f4').slice(0, -1) + '#';
      return base + fill.repeat(chars - base.length - 1) + '\n';
    };
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const v3 = (head: Uint8Array) => {
      const out = new Uint8Array(12 + head.length + 8);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 3, 0]);
      new DataView(out.buffer).setUint32(8, head.length, true);
      out.set(head, 12);
      return out;
    };
    const tooLong = 'x.npy has a header of over 10000 characters, more than NumPy reads without allow_pickle';
    assert.equal(decodeNpy(file(sized(10000), undefined, [2, 0])).dtype, '<f4');
    refusesWith(file(sized(10001), undefined, [2, 0]), tooLong);
    assert.equal(decodeNpy(v3(utf8(sized(10000)))).dtype, '<f4');
    refusesWith(v3(utf8(sized(10001))), tooLong);
    // 10000 characters in 15000 bytes: read; as Latin-1 they would be 15000 characters.
    const accented = utf8(sized(10000, 'é'));
    assert.ok(accented.length > 15000);
    assert.equal(decodeNpy(v3(accented)).dtype, '<f4');
    const invalid = utf8(sized(100));
    invalid[invalid.length - 2] = 0xff;
    refusesWith(v3(invalid), 'x.npy has a format 3.0 header that is not valid UTF-8');
    // Over 4 bytes a character cannot be 10000 characters, valid or not: refused before decoding.
    refusesWith(v3(new Uint8Array(40001).fill(0xff)), tooLong);
    refusesWith(v3(new Uint8Array(40000).fill(0xff)), 'x.npy has a format 3.0 header that is not valid UTF-8');
    // A 2.0 header length above 65535 is read as 4 bytes, not 2.
    const huge = file(sized(65536 + 100), undefined, [2, 0]);
    refusesWith(huge, tooLong);
  });

  it('the header by range: 8 bytes are a truncated header, not a foreign file; the header must fit both the file and the bytes given', () => {
    const good = file(header('<f4'));
    const named = (message: string) => (e: unknown) => e instanceof NpyError && e.message === message;
    assert.throws(() => npyDataStart(good.subarray(0, 8), 'x.npy'), named('x.npy is truncated inside its header'));
    assert.throws(() => npyDataStart(good.subarray(0, 7), 'x.npy'), named('x.npy is not a .npy file (no \\x93NUMPY magic)'));
    const dataStart = npyDataStart(good.subarray(0, 12), 'x.npy');
    assert.equal(dataStart, good.length - 8);
    const head = good.subarray(0, dataStart);
    assert.deepEqual(decodeNpyHeader(head, dataStart + 8, 'x.npy').shape, [2]);
    assert.throws(() => decodeNpyHeader(head, dataStart - 1, 'x.npy'), named('x.npy is truncated inside its header'), 'a file shorter than its header');
    assert.throws(() => decodeNpyHeader(head.subarray(0, dataStart - 1), dataStart + 8, 'x.npy'), named('x.npy is truncated inside its header'), 'fewer header bytes than the header');
    // Any dimension past int64, not only the first.
    const huge = header('<f4', '(1, 9223372036854775808)');
    refusesWith(file(huge), `x.npy has a dimension too large for int64: ${JSON.stringify(huge.trim())}`);
  });

  it('converts into memory the caller gives, of exactly the array\'s size', () => {
    const npy = decodeNpy(file(header('<f4'), new Float32Array([1.5, -2])));
    const into = new Float32Array(2);
    assert.equal(npyToFloat32(npy, into), into);
    assert.deepEqual(Array.from(into), [1.5, -2]);
    assert.throws(() => npyToFloat32(npy, new Float32Array(3)), (e: unknown) => e instanceof NpyError && e.message === 'the target holds 3 floats, the array 2');
  });

  it('a zero-length array reads; one negative dimension is inferred where the int64 product wraps to the data, as NumPy 2 does', () => {
    assert.deepEqual(decodeNpy(file(header('<f4', '(0,)'), new Uint8Array(0))).shape, [0]);
    assert.deepEqual(decodeNpy(file(header('<f4', '(-4294967296, 4294967296)'), new Uint8Array(0))).shape, [0, 4294967296]);
    // -(2^63 - 1) * 2 wraps to 2: NumPy reads two floats and infers (1, 2) or (2, 1).
    const two = new Float32Array([1.5, -2]);
    const wide = decodeNpy(file(header('<f4', '(-9223372036854775807, 2)'), two));
    assert.deepEqual(wide.shape, [1, 2]);
    assert.deepEqual(Array.from(npyToFloat64(wide)), [1.5, -2]);
    assert.deepEqual(decodeNpy(file(header('<f4', '(2, -9223372036854775807)'), two)).shape, [2, 1]);
    refusesWith(file(header('<f4', '(-1, 0)'), new Uint8Array(0)), 'x.npy has a negative dimension in shape [-1, 0]');
    refusesWith(file(header('<f4', '(-2, 9223372036854775807)'), two), 'x.npy has a negative dimension in shape [-2, 9223372036854775807]');
    refusesWith(file(header('<f4', '(-1, -1)'), new Uint8Array(4)), 'x.npy has shape [-1, -1] with more than one negative dimension');
    refusesWith(file(header('<f4', '(-9223372036854775807, -2)'), two), 'x.npy has a negative dimension in shape [-9223372036854775807, -2]');
    refusesWith(file(header('<f4', '(4294967296, 4294967296)'), new Uint8Array(0)), 'x.npy has shape [4294967296, 4294967296], too large for any array');
  });

  it('reads every integer width, both byte orders, and float16 specials (subnormal, ±inf, NaN)', () => {
    const bytes = (values: number[]) => new Uint8Array(values);
    const read = (descr: string, data: Uint8Array, count: number) => Array.from(npyToFloat64(decodeNpy(file(header(descr, `(${count},)`), data))));
    assert.deepEqual(read('|i1', bytes([0xff, 0x7f]), 2), [-1, 127]);
    assert.deepEqual(read('|u1', bytes([0xff, 0x7f]), 2), [255, 127]);
    assert.deepEqual(read('<i2', bytes([0xfe, 0xff, 0x00, 0x01]), 2), [-2, 256]);
    assert.deepEqual(read('>i2', bytes([0xff, 0xfe, 0x01, 0x00]), 2), [-2, 256]);
    assert.deepEqual(read('<u2', bytes([0xfe, 0xff, 0x00, 0x01]), 2), [65534, 256]);
    assert.deepEqual(read('>u2', bytes([0xff, 0xfe, 0x01, 0x00]), 2), [65534, 256]);
    assert.deepEqual(read('<i4', bytes([0xfe, 0xff, 0xff, 0xff, 0, 0, 1, 0]), 2), [-2, 65536]);
    assert.deepEqual(read('<u4', bytes([0xfe, 0xff, 0xff, 0xff, 0, 0, 1, 0]), 2), [4294967294, 65536]);
    assert.deepEqual(read('>u4', bytes([0xff, 0xff, 0xff, 0xfe, 0, 1, 0, 0]), 2), [4294967294, 65536]);
    assert.deepEqual(read('<i8', bytes([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 0, 0]), 2), [-2, 2 ** 32]);
    assert.deepEqual(read('<u8', bytes([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 0, 0]), 2), [2 ** 64 - 2, 2 ** 32]);
    assert.deepEqual(read('>i8', bytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 1, 0, 0, 0, 0]), 2), [-2, 2 ** 32]);
    const half = new Uint16Array([0x0001, 0x8001, 0x03ff, 0x7c00, 0xfc00, 0x7e00, 0x3c00, 0xc000, 0x3555]);
    const values = read('<f2', new Uint8Array(half.buffer), half.length);
    assert.deepEqual(values, [2 ** -24, -(2 ** -24), 1023 * 2 ** -24, Infinity, -Infinity, NaN, 1, -2, 0.333251953125]);
    assert.deepEqual(Array.from(npyToFloat32(decodeNpy(file(header('<f2', '(3,)'), new Uint8Array(half.buffer, 0, 6))))), [2 ** -24, -(2 ** -24), 1023 * 2 ** -24]);
    assert.throws(() => npyToFloat32(decodeNpy(file(header('<i4'), new Int32Array(2)))), (e: unknown) => e instanceof NpyError && e.message === 'expected floats, found <i4');
  });

  it('a Fortran-order file comes back in C order; an unnamed mask is "the mask" in messages', () => {
    // NumPy's bytes for np.asfortranarray(np.arange(6).reshape(2, 3)): columns first.
    const fortran = decodeNpy(file(header('|u1', '(2, 3)', 'True'), new Uint8Array([0, 3, 1, 4, 2, 5])));
    assert.deepEqual(Array.from(npyToFloat64(fortran)), [0, 1, 2, 3, 4, 5]);
    const cube = decodeNpy(file(header('|u1', '(2, 2, 2)', 'True'), new Uint8Array([0, 4, 2, 6, 1, 5, 3, 7])));
    assert.deepEqual(Array.from(npyToFloat64(cube)), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.throws(() => npyToMask(decodeNpy(file(header('|u1', '(3,)'), new Uint8Array([0, 2, 1])))), (e: unknown) => e instanceof NpyError && e.message === 'the mask holds 2 at flat index 1; a mask holds only 0 and 1 (or bool)');
  });
});
