/**
 * The .npy reader's dtype descriptors against NumPy 2's own reading (descr_to_dtype) of 2,328
 * spellings: common ones and every single-character edit of a few seeds (expected values written by
 * test/fixtures/dtype-spellings/make.py). Accepted as the same element type and elements per item,
 * or refused, as NumPy does (types the reader does not take count as refused).
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseDescr } from '../../src/core/npy/descr';

describe('dtype descriptors as NumPy 2 reads them', () => {
  const cases = JSON.parse(readFileSync(join(__dirname, '../fixtures/dtype-spellings/expected.json'), 'utf8')) as Array<[string, [string, number] | null]>;

  it(`agrees with NumPy on all ${cases.length} spellings`, () => {
    const differ: string[] = [];
    for (const [descr, expected] of cases) {
      const ours = parseDescr(descr);
      const got = ours ? [ours.type.str, Number(ours.repeat)] : null;
      if (JSON.stringify(got) !== JSON.stringify(expected)) differ.push(`${JSON.stringify(descr)}: ours ${JSON.stringify(got)}, NumPy ${JSON.stringify(expected)}`);
    }
    assert.deepEqual(differ, []);
    assert.ok(cases.filter(([, e]) => e).length >= 300, 'enough accepted spellings to compare');
  });

  it('a one-byte type has no byte order: NumPy writes it with |, and it reads the same either way', () => {
    for (const descr of ['>u1', '<u1', '|u1', 'B']) assert.deepEqual(parseDescr(descr), { type: { kind: 'u', itemSize: 1, littleEndian: true, str: '|u1' }, repeat: 1n }, descr);
    assert.deepEqual(parseDescr('>b1')?.type, { kind: 'b', itemSize: 1, littleEndian: true, str: '|b1' });
    assert.deepEqual(parseDescr('>f4')?.type, { kind: 'f', itemSize: 4, littleEndian: false, str: '>f4' });
  });
});
