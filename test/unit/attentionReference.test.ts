/**
 * reference.ts, the float64 yardstick, on tiny cases: literal values worked by hand, and the
 * brute force of test/support/smallAttention.ts (softmax over each row's allowed cells, written
 * from the definition). Small on purpose: mutation testing runs these once per mutant.
 */
import { strict as assert } from 'assert';
import { referenceAttention } from '../../src/core';
import { referenceRow } from '../../src/core/attention/reference';
import { assertClose, assertProbs, bruteAttention, CAUSAL, cellHead, cellMask, DENSE, GAPPY, smallQkv } from '../support/smallAttention';

const qkv = (heads: number, n: number, d: number, q: number[], k: number[], v: number[]) => ({ heads, n, d, q: Float32Array.from(q), k: Float32Array.from(k), v: Float32Array.from(v) });

describe('float64 reference attention (small cases)', () => {
  it('worked by hand: keys 0 and ln 3 weigh 1/4 and 3/4', () => {
    const ln3 = Math.fround(Math.log(3));
    const input = qkv(1, 2, 1, [1, 1], [0, ln3], [1, 5]);
    const result = referenceAttention(cellMask(2, [DENSE]), input);
    const p1 = Math.exp(ln3) / (1 + Math.exp(ln3));
    assertClose(result.out, [1 - p1 + 5 * p1, 1 - p1 + 5 * p1], 1e-15, 'out');
    assertClose(result.lse, [Math.log(1 + Math.exp(ln3)), Math.log(1 + Math.exp(ln3))], 1e-15, 'lse');
    assert.ok(Math.abs(result.out[0] - 4) < 1e-6 && Math.abs(result.lse[0] - Math.log(4)) < 1e-6);
    assert.deepEqual(Array.from(result.probs![0].rowPtr), [0, 2, 4]);
    assert.deepEqual(Array.from(result.probs![0].cols), [0, 1, 0, 1]);
    assertClose(result.probs![0].values, [1 - p1, p1, 1 - p1, p1], 1e-15, 'probs');
  });

  it('worked by hand, causal: row 0 sees only key 0 (weight 1, lse 0 for a zero score)', () => {
    const input = qkv(1, 2, 1, [1, 2], [0, 1], [3, 7]);
    const result = referenceAttention(cellMask(2, [CAUSAL]), input);
    const w = Math.exp(2) / (1 + Math.exp(2));
    assertClose(result.out, [3, 3 * (1 - w) + 7 * w], 1e-15, 'out');
    assertClose(result.lse, [0, Math.log(1 + Math.exp(2))], 1e-15, 'lse');
    assert.deepEqual(Array.from(result.probs![0].rowPtr), [0, 1, 3]);
  });

  for (const d of [3, 4]) {
    it(`equals the brute force, two heads of different masks (rows with gaps, an empty row), d = ${d}`, () => {
      const heads = [GAPPY, CAUSAL];
      const input = smallQkv(2, 9, d, 40 + d);
      const brute = bruteAttention(heads, input);
      const result = referenceAttention(cellMask(9, heads), input);
      assert.ok(result.out instanceof Float64Array && result.lse instanceof Float64Array, 'float64 results');
      assertClose(result.out, brute.out, 1e-12, 'out');
      assertClose(result.lse, brute.lse, 1e-12, 'lse');
      assert.equal(result.lse[3], -Infinity, 'the empty row');
      assert.deepEqual(Array.from(result.out.subarray(3 * d, 4 * d)), new Array(d).fill(0), 'the empty row outputs zeros');
      assertProbs(result.probs!, brute, 1e-12, 'probs');
    });
  }

  it('probabilities by default, none when withProbs is false', () => {
    const input = smallQkv(2, 5, 3, 7);
    const mask = cellMask(5, [CAUSAL, GAPPY]);
    assert.equal(referenceAttention(mask, input).probs!.length, 2);
    const without = referenceAttention(mask, input, false);
    assert.deepEqual(Object.keys(without).sort(), ['lse', 'out']);
    assertClose(without.out, bruteAttention([CAUSAL, GAPPY], input).out, 1e-12, 'out without probs');
  });

  it('subtracts the row maximum: scores of ±900 stay finite (exp(900) overflows float64)', () => {
    // Scores q·k: 900, -900, 0 for every row.
    const input = qkv(1, 3, 1, [30, 30, 30], [30, -30, 0], [2, 3, 5]);
    const result = referenceAttention(cellMask(3, [DENSE]), input);
    assert.deepEqual(Array.from(result.out), [2, 2, 2]);
    assert.deepEqual(Array.from(result.lse), [900, 900, 900]);
    assert.deepEqual(Array.from(result.probs![0].values), [1, 0, 0, 1, 0, 0, 1, 0, 0]);
  });

  it('one row: its columns, probabilities, output and lse (a list of its own when none is given)', () => {
    const input = smallQkv(2, 9, 3, 11);
    const brute = bruteAttention([CAUSAL, GAPPY], input);
    for (const i of [0, 1, 3, 8]) {
      const row = referenceRow(cellHead(9, GAPPY), input, 1, i);
      assert.deepEqual(row.columns, brute.rows[1][i].cols, `row ${i} columns`);
      assertClose(row.probs, brute.rows[1][i].probs, 1e-12, `row ${i} probs`);
      assertClose(row.out, brute.out.subarray((9 + i) * 3, (9 + i + 1) * 3), 1e-12, `row ${i} out`);
      assertClose([row.lse], [brute.lse[9 + i]], 1e-12, `row ${i} lse`);
    }
  });

  it('refuses Q/K/V of the wrong size', () => {
    const input = qkv(1, 2, 3, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]);
    assert.throws(() => referenceAttention(cellMask(2, [DENSE]), input), /^Error: q has 5 values; \[1, 2, 3\] needs 6$/);
  });
});
