/**
 * `.npy` files in Fortran order, written by real NumPy, read as NumPy reads them: `diff` used to
 * call a transposed mask identical (exit 0) and the right mask in Fortran order different.
 */
import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cOrderData, decodeNpy } from '../../src/core';
import { productionCli } from '../support/productionCli';
import { pythonWith } from '../support/python';

describe('.npy in Fortran order', function () {
  this.timeout(120000);
  const python = pythonWith('numpy');
  const dir = mkdtempSync(join(tmpdir(), 'sparse-attn-fortran-'));
  let cli: string;

  before(async function () {
    if (!python) this.skip();
    cli = await productionCli();
    // Our mask (from the CLI), then NumPy's Fortran-order copy of it and its transpose; and a 3-D float array.
    execFileSync(process.execPath, [cli, 'mask', '--n', '16', '--heads', '1', '--stride', '4', '--c', '1', '--out', join(dir, 'ours.npy')]);
    execFileSync(python!, ['-c', `
import numpy as np
m = np.load(${JSON.stringify(join(dir, 'ours.npy'))})[0]
np.save(${JSON.stringify(join(dir, 'fortran.npy'))}, np.asfortranarray(m))
np.save(${JSON.stringify(join(dir, 'transposed.npy'))}, m.T)
x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
np.save(${JSON.stringify(join(dir, 'x-fortran.npy'))}, np.asfortranarray(x))
for name in ('fortran', 'transposed', 'x-fortran'):
    assert np.load(${JSON.stringify(dir)} + '/' + name + '.npy', mmap_mode='r').flags.f_contiguous
`]);
  });

  it('NumPy really wrote Fortran order, and we read the values NumPy reads', () => {
    const x = decodeNpy(readFileSync(join(dir, 'x-fortran.npy')));
    assert.equal(x.fortranOrder, true);
    const bytes = cOrderData(x);
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    assert.deepEqual(Array.from(values), Array.from({ length: 24 }, (_, k) => k), 'C order 0..23, as np.arange(24).reshape(2, 3, 4)');
  });

  it('diff: a Fortran-order copy of the right mask is identical (exit 0)', () => {
    const r = spawnSync(process.execPath, [cli, 'diff', '--mask', join(dir, 'fortran.npy'), '--stride', '4', '--c', '1'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^identical/);
  });

  it('diff: the transposed mask (saved by NumPy in Fortran order) differs (exit 1)', () => {
    const r = spawnSync(process.execPath, [cli, 'diff', '--mask', join(dir, 'transposed.npy'), '--stride', '4', '--c', '1'], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /missing, \d+ extra/);
  });
});
