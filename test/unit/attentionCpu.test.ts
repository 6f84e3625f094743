/**
 * cpu.ts, the plain JS kernel, on tiny cases against the float64 brute force of
 * test/support/smallAttention.ts: d of 1 to 8 (the 4-wide score loop and its tail), rows with gaps
 * and an empty row, head and row ranges, probabilities on and off, ±900 scores, rows of more than
 * 256 and 512 keys (the score buffer grows), and how often the cancel token is read.
 */
import { strict as assert } from 'assert';
import { allocateBuffers, CancelledError, sparseAttentionHeads } from '../../src/core';
import { assertClose, assertProbs, bruteAttention, CAUSAL, cellMask, DENSE, GAPPY, smallQkv } from '../support/smallAttention';

const TOLERANCE = 2e-6;
const qkv = (heads: number, n: number, d: number, q: number[], k: number[], v: number[]) => ({ heads, n, d, q: Float32Array.from(q), k: Float32Array.from(k), v: Float32Array.from(v) });

/** Buffers filled with 7 (no output or lse here is 7), so that untouched cells can be told from written ones. */
function sentinelBuffers(heads: number, n: number, d: number) {
  const buffers = allocateBuffers({ heads, n, d, q: new Float32Array(0), k: new Float32Array(0), v: new Float32Array(0) });
  buffers.out.fill(7);
  buffers.lse.fill(7);
  return buffers;
}

const untouched = (x: number) => x === 7;

describe('plain JS attention kernel (small cases)', () => {
  it('allocates float32 buffers of [heads, n, d] and [heads, n]', () => {
    const buffers = allocateBuffers(smallQkv(2, 3, 5, 1));
    assert.ok(buffers.out instanceof Float32Array && buffers.lse instanceof Float32Array);
    assert.equal(buffers.out.length, 30);
    assert.equal(buffers.lse.length, 6);
  });

  for (const d of [1, 3, 4, 5, 8]) {
    it(`equals the brute force with probabilities, two heads of different masks, d = ${d}`, () => {
      const heads = [GAPPY, CAUSAL];
      const input = smallQkv(2, 9, d, 60 + d);
      const brute = bruteAttention(heads, input);
      const buffers = allocateBuffers(input);
      const probs = sparseAttentionHeads(cellMask(9, heads), input, 0, 2, buffers, { withProbs: true });
      assertClose(buffers.out, brute.out, TOLERANCE, 'out');
      assertClose(buffers.lse, brute.lse, TOLERANCE, 'lse');
      assert.equal(buffers.lse[3], -Infinity, 'the empty row');
      assertProbs(probs, brute, TOLERANCE, 'probs');
      probs.forEach((p) => assert.ok(p.values instanceof Float32Array));
    });
  }

  it('without probabilities (no options): the same outputs, no probabilities', () => {
    const heads = [CAUSAL, GAPPY];
    const input = smallQkv(2, 7, 4, 5);
    const brute = bruteAttention(heads, input);
    const buffers = allocateBuffers(input);
    assert.deepEqual(sparseAttentionHeads(cellMask(7, heads), input, 0, 2, buffers), []);
    assertClose(buffers.out, brute.out, TOLERANCE, 'out');
    assertClose(buffers.lse, brute.lse, TOLERANCE, 'lse');
  });

  it('heads [h0, h1) only: the other heads\' cells are left alone', () => {
    const heads = [CAUSAL, GAPPY, DENSE];
    const input = smallQkv(3, 6, 3, 9);
    const brute = bruteAttention(heads, input);
    const buffers = sentinelBuffers(3, 6, 3);
    const probs = sparseAttentionHeads(cellMask(6, heads), input, 1, 2, buffers, { withProbs: true });
    assertProbs(probs, { ...brute, rows: [brute.rows[1]] }, TOLERANCE, 'head 1');
    assert.ok(buffers.out.subarray(0, 18).every(untouched) && buffers.out.subarray(36).every(untouched), 'heads 0 and 2 untouched');
    assert.ok(buffers.lse.subarray(0, 6).every(untouched) && buffers.lse.subarray(12).every(untouched));
    assertClose(buffers.out.subarray(18, 36), brute.out.subarray(18, 36), TOLERANCE, 'head 1 out');
    assertClose(buffers.lse.subarray(6, 12), brute.lse.subarray(6, 12), TOLERANCE, 'head 1 lse');
  });

  it('rows [from, to) of every head only; with probabilities the range is ignored (every row)', () => {
    const heads = [GAPPY, CAUSAL];
    const input = smallQkv(2, 8, 4, 13);
    const brute = bruteAttention(heads, input);
    const buffers = sentinelBuffers(2, 8, 4);
    assert.deepEqual(sparseAttentionHeads(cellMask(8, heads), input, 0, 2, buffers, { rows: { from: 2, to: 5 } }), []);
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < 8; i++) {
        const row = buffers.out.subarray((h * 8 + i) * 4, (h * 8 + i + 1) * 4);
        if (i >= 2 && i < 5) {
          assertClose(row, brute.out.subarray((h * 8 + i) * 4, (h * 8 + i + 1) * 4), TOLERANCE, `head ${h} row ${i}`);
          assertClose([buffers.lse[h * 8 + i]], [brute.lse[h * 8 + i]], TOLERANCE, `head ${h} lse ${i}`);
        } else {
          assert.ok(row.every(untouched) && untouched(buffers.lse[h * 8 + i]), `head ${h} row ${i} untouched`);
        }
      }
    }
    const all = allocateBuffers(input);
    const probs = sparseAttentionHeads(cellMask(8, heads), input, 0, 2, all, { withProbs: true, rows: { from: 2, to: 5 } });
    assertClose(all.out, brute.out, TOLERANCE, 'every row with probabilities');
    assertProbs(probs, brute, TOLERANCE, 'probs');
  });

  it('subtracts the row maximum: scores of 900 then -900 stay finite', () => {
    const input = qkv(1, 2, 1, [30, 30], [30, -30], [2, 3]);
    const buffers = allocateBuffers(input);
    const [probs] = sparseAttentionHeads(cellMask(2, [DENSE]), input, 0, 1, buffers, { withProbs: true });
    assert.deepEqual(Array.from(buffers.out), [2, 2]);
    assert.deepEqual(Array.from(buffers.lse), [900, 900]);
    assert.deepEqual(Array.from(probs.values), [1, 0, 1, 0]);
  });

  it('a row with fewer key ranges than the row before reads only its own (the other\'s score 900 would swamp it)', () => {
    // Row 0: keys 0 and 2 (two ranges); row 1: key 1 only, score 0; key 2 would score 30·30 = 900.
    const mask = cellMask(3, [(i, j) => (i === 0 ? j !== 1 : j === i)]);
    const input = qkv(1, 3, 1, [1, 30, 1], [0, 0, 30], [1, 2, 3]);
    const buffers = allocateBuffers(input);
    sparseAttentionHeads(mask, input, 0, 1, buffers);
    assert.deepEqual(Array.from(buffers.out.subarray(1, 3)), [2, 3]);
    assert.deepEqual(Array.from(buffers.lse.subarray(1, 3)), [0, 30]);
  });

  it('rows of 600 keys (the score buffer grows past 256 and 512)', () => {
    const input = smallQkv(1, 600, 1, 3);
    const brute = bruteAttention([DENSE], input);
    const buffers = sentinelBuffers(1, 600, 1);
    sparseAttentionHeads(cellMask(600, [DENSE]), input, 0, 1, buffers, { rows: { from: 597, to: 600 } });
    assertClose(buffers.out.subarray(597), brute.out.subarray(597), TOLERANCE, 'out');
    assertClose(buffers.lse.subarray(597), brute.lse.subarray(597), TOLERANCE, 'lse');
  });

  it('reads the cancel token once every 256 rows, and stops with CancelledError', () => {
    const input = smallQkv(1, 600, 1, 4);
    const mask = cellMask(600, [(i, j) => i === j]);
    let reads = 0;
    const token = {
      get cancelled() {
        reads++;
        return false;
      },
    };
    sparseAttentionHeads(mask, input, 0, 1, allocateBuffers(input), { cancel: token });
    assert.equal(reads, 3, 'rows 0, 256 and 512');
    assert.throws(() => sparseAttentionHeads(mask, input, 0, 1, allocateBuffers(input), { cancel: { cancelled: true } }), CancelledError);
  });

  it('refuses Q/K/V of the wrong size', () => {
    const input = qkv(1, 2, 1, [1, 2], [1, 2], [1]);
    assert.throws(() => sparseAttentionHeads(cellMask(2, [DENSE]), input, 0, 1, allocateBuffers(input)), /^Error: v has 1 values; \[1, 2, 1\] needs 2$/);
  });
});
