/**
 * `attend` reads Q, K, V into shared memory (src/cli/npyInputs.ts): a little-endian float32
 * C-order file is used in place, without a copy; every other layout NumPy writes (Fortran order,
 * big-endian, float64, float16) is converted into shared memory. Files written by NumPy itself.
 */
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { npyHeader } from '../../src/core';
import { readFloat32Shared, readQkv } from '../../src/cli/npyInputs';
import { pythonWith } from '../support/python';

const dir = mkdtempSync(join(tmpdir(), 'sparse-attn-npy-shared-'));
const python = pythonWith('numpy');

// One [2, 5, 3] float32 array, saved in each layout; expected.f32 holds it raw in C order.
const WRITE = `
import numpy as np, sys
d = sys.argv[1]
a = np.random.default_rng(5).standard_normal((2, 5, 3)).astype(np.float32)
a.tofile(d + '/expected.f32')
np.save(d + '/c.npy', a)
np.save(d + '/fortran.npy', np.asfortranarray(a))
np.save(d + '/big.npy', a.astype('>f4'))
np.save(d + '/big-fortran.npy', np.asfortranarray(a.astype('>f4')))
np.save(d + '/f8.npy', a.astype(np.float64))
np.save(d + '/f2.npy', a.astype(np.float16))
a.astype(np.float16).astype(np.float32).tofile(d + '/expected-f2.f32')
`;

const raw = (name: string) => new Float32Array(new Uint8Array(readFileSync(join(dir, name))).buffer);

describe('attend inputs in shared memory (zero-copy .npy reading)', function () {
  before(function () {
    if (!python) this.skip();
    execFileSync(python!, ['-c', WRITE, dir]);
  });

  it('uses a float32 C-order file in place: the data is a view of the file bytes, in shared memory', () => {
    const { npy, data } = readFloat32Shared(join(dir, 'c.npy'));
    assert.ok(data.buffer instanceof SharedArrayBuffer);
    assert.equal(data.buffer, npy.data.buffer, 'no copy');
    assert.deepEqual(Array.from(data), Array.from(raw('expected.f32')));
  });

  for (const [file, expected] of [
    ['fortran.npy', 'expected.f32'],
    ['big.npy', 'expected.f32'],
    ['big-fortran.npy', 'expected.f32'],
    ['f8.npy', 'expected.f32'],
    ['f2.npy', 'expected-f2.f32'],
  ]) {
    it(`converts ${file} into shared memory, in C order, equal to what NumPy holds`, () => {
      const { npy, data } = readFloat32Shared(join(dir, file));
      assert.ok(data.buffer instanceof SharedArrayBuffer);
      assert.notEqual(data.buffer, npy.data.buffer);
      assert.deepEqual(Array.from(data), Array.from(raw(expected)));
    });
  }

  it('aligns the data in memory whatever the header length (NumPy pads to 64; other writers need not)', () => {
    const values = raw('expected.f32');
    const padded = npyHeader('<f4', [2, 5, 3]);
    // The same header two spaces shorter: data at an offset of 2 mod 4 in the file.
    const text = new TextDecoder().decode(padded.subarray(10)).replace(/ {2}\n$/, '\n');
    const header = new Uint8Array(10 + text.length);
    header.set(padded.subarray(0, 8));
    header[8] = text.length & 0xff;
    header[9] = text.length >> 8;
    header.set(new TextEncoder().encode(text), 10);
    assert.equal(header.length % 4, 2);
    const path = join(dir, 'odd-header.npy');
    writeFileSync(path, Buffer.concat([header, new Uint8Array(values.buffer)]));
    assert.equal(execFileSync(python!, ['-c', `import numpy as np; print(np.load(${JSON.stringify(path)}).shape)`]).toString().trim(), '(2, 5, 3)');
    const { npy, data } = readFloat32Shared(path);
    assert.equal(data.buffer, npy.data.buffer, 'still no copy');
    assert.equal(data.byteOffset % 4, 0);
    assert.deepEqual(Array.from(data), Array.from(values));
  });

  it('readQkv takes mixed layouts, each in shared memory', () => {
    const qkv = readQkv({ q: join(dir, 'c.npy'), k: join(dir, 'big-fortran.npy'), v: join(dir, 'f8.npy') });
    assert.deepEqual([qkv.heads, qkv.n, qkv.d], [2, 5, 3]);
    for (const a of [qkv.q, qkv.k, qkv.v]) {
      assert.ok(a.buffer instanceof SharedArrayBuffer);
      assert.deepEqual(Array.from(a), Array.from(raw('expected.f32')));
    }
  });

  it('a file that is not .npy is still refused with its name', () => {
    const path = join(dir, 'not.npy');
    writeFileSync(path, 'hello');
    assert.throws(() => readFloat32Shared(path), (e: Error) => e.message.includes(path) && /not a .npy file/.test(e.message));
  });
});
