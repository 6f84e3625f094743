/**
 * simd.ts, the row-run SIMD kernel, on small cases against the float64 brute force of
 * test/support/smallAttention.ts, with both kernel variants: rows that pair (the second row longer,
 * the first longer, both the same), rows that must not pair (an earlier range differs in its start
 * or end, the last range starts elsewhere, another number of ranges), single and empty rows,
 * probabilities as CSR, heads [h0, h1) of more (NaN sentinels elsewhere), float32 overflow and
 * its float64 redo (rows counted: a head is read once, twice when redone), cancellation, the
 * d % 4 rule, and simdRowScorer.
 */
import { strict as assert } from 'assert';
import { allocateBuffers, CancelledError, QKV } from '../../src/core';
import { overflowed, simdAttentionHeads, simdAvailable, simdRowScorer } from '../../src/core/attention/simd';
import { recheckKernelVariants } from '../../src/core/attention/wasmModule';
import { RangeList } from '../../src/core/ranges';
import { countingMask, eachVariant, nanBuffers, overflowScores, overflowValues, rangesAllowed } from '../support/kernelCases';
import { Allowed, assertClose, assertProbs, bruteAttention, CAUSAL, DENSE, freshAttention, GAPPY, smallQkv } from '../support/smallAttention';

const TOLERANCE = 1e-5;
/** Row i sees [0, n - i): consecutive rows pair with the first one longer. */
const ANTI = (n: number): Allowed => (i, j) => j < n - i;

/**
 * n = 16. Rows 0/1: the earlier range differs in its start only; 2/3: in its end only; 4/5: the
 * last range starts elsewhere; 6/7 pair (7 longer); 8/9 pair (8 longer); 10/11 another number of
 * ranges; 12/13 empty; 14 one range and 15 three.
 */
const MIXED = rangesAllowed([
  [[0, 2], [5, 8]], [[1, 2], [5, 9]],
  [[0, 2], [5, 8]], [[0, 3], [5, 9]],
  [[0, 2], [5, 8]], [[0, 2], [6, 9]],
  [[0, 2], [5, 8]], [[0, 2], [5, 11]],
  [[0, 2], [5, 12]], [[0, 2], [5, 7]],
  [[0, 2], [5, 8]], [[0, 2], [4, 5], [7, 8]],
  [], [],
  [[3, 4]], [[0, 1], [3, 5], [9, 16]],
]);

function run(heads: Allowed[], input: QKV, withProbs: boolean, label: string) {
  const { mask, reads } = countingMask(input.n, heads);
  const buffers = nanBuffers(input);
  const probs = simdAttentionHeads(mask, input, 0, input.heads, buffers, { withProbs });
  const brute = bruteAttention(heads, input);
  assertClose(buffers.out, brute.out, TOLERANCE, `${label} out`);
  assertClose(buffers.lse, brute.lse, TOLERANCE, `${label} lse`);
  if (withProbs) assertProbs(probs, brute, TOLERANCE, `${label} probs`);
  else assert.deepEqual(probs, [], `${label}: no probabilities unless asked`);
  return reads;
}

const once = (reads: number[][]) => reads.forEach((row, h) => assert.deepEqual(row, row.map(() => 1), `head ${h}: each row read once (no float64 redo)`));

describe('SIMD row kernel (small cases)', () => {
  beforeEach(() => recheckKernelVariants());

  it('d must be a multiple of 4, and WebAssembly SIMD present', () => {
    assert.deepEqual([1, 3, 4, 5, 8, 12].map(simdAvailable), [false, false, true, false, true, true]);
    const input = smallQkv(1, 6, 3, 1);
    assert.throws(() => simdAttentionHeads(countingMask(6, [CAUSAL]).mask, input, 0, 1, allocateBuffers(input)), /^Error: the SIMD kernel needs WebAssembly SIMD and d divisible by 4$/);
    const { attention } = freshAttention(undefined);
    const four = smallQkv(1, 6, 4, 2);
    assert.equal(attention.simdAvailable(4), false);
    assert.throws(() => attention.simdAttentionHeads(countingMask(6, [CAUSAL]).mask, four, 0, 1, allocateBuffers(four)), /^Error: the SIMD kernel needs WebAssembly SIMD and d divisible by 4$/);
  });

  it('pairs, non-pairs, single and empty rows, with and without probabilities, d = 4, 8, 12', () => {
    eachVariant((variant) => {
      for (const d of [4, 8, 12]) {
        for (const withProbs of [false, true]) {
          const label = `${variant} d = ${d} probs ${withProbs}`;
          // Three heads: each head's rows start from the memory the previous one left.
          once(run([MIXED, GAPPY, ANTI(16)], smallQkv(3, 16, d, 10 + d), withProbs, `${label} mixed`));
          // n odd: the last row is single; causal rows pair with the second longer, dense ones with both the same.
          once(run([CAUSAL, DENSE, ANTI(13)], smallQkv(3, 13, d, 20 + d), withProbs, `${label} causal`));
        }
      }
    });
  });

  it('heads [h0, h1) of more: the others keep their sentinels', () => {
    const input = smallQkv(3, 10, 4, 3);
    const { mask, reads } = countingMask(10, [CAUSAL, GAPPY, DENSE]);
    const buffers = nanBuffers(input);
    assert.equal(simdAttentionHeads(mask, input, 1, 2, buffers, { withProbs: true }).length, 1);
    const brute = bruteAttention([CAUSAL, GAPPY, DENSE], input);
    assertClose(buffers.out.subarray(40, 80), brute.out.subarray(40, 80), TOLERANCE, 'head 1 out');
    assertClose(buffers.lse.subarray(10, 20), brute.lse.subarray(10, 20), TOLERANCE, 'head 1 lse');
    for (const [from, to] of [[0, 40], [80, 120]]) assert.ok(buffers.out.subarray(from, to).every(Number.isNaN), `out [${from}, ${to}) untouched`);
    for (const [from, to] of [[0, 10], [20, 30]]) assert.ok(buffers.lse.subarray(from, to).every(Number.isNaN), `lse [${from}, ${to}) untouched`);
    assert.deepEqual(reads.map((r) => r.reduce((a, b) => a + b)), [0, 10, 0]);
  });

  it('float32 overflow of scores or sums: that head is redone in float64, the others not', () => {
    eachVariant((variant) => {
      for (const withProbs of [false, true]) {
        // Head 1: a NaN float32 score in row 5 (key 2); head 2: value sums past 3.4e38.
        const input = smallQkv(3, 12, 4, 7);
        overflowScores(input, 1, 5, 2);
        overflowValues(input, 2);
        const reads = run([CAUSAL, CAUSAL, DENSE], input, withProbs, `${variant} probs ${withProbs}`);
        assert.deepEqual(reads.map((r) => r.reduce((a, b) => a + b)), [12, 24, 24], `${variant}: heads 1 and 2 read twice`);
      }
    });
  });

  it('the overflow check: NaN or ±Inf outputs, NaN or +Inf log-sum-exps, inside the window only', () => {
    const fresh = () => ({ out: new Float32Array(12), lse: new Float32Array(6) });
    assert.equal(overflowed(fresh(), 0, 12, 0, 6), false);
    const lseEmpty = fresh();
    lseEmpty.lse.fill(-Infinity);
    assert.equal(overflowed(lseEmpty, 0, 12, 0, 6), false, 'empty rows have lse -Inf');
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [4, 7]) {
        const b = fresh();
        b.out[at] = bad;
        assert.equal(overflowed(b, 4, 4, 0, 6), at === 4 || at === 7, `out[${at}] = ${bad} in [4, 8)`);
        assert.equal(overflowed(b, 5, 2, 0, 6), false, `out[${at}] outside [5, 7)`);
        assert.equal(overflowed(b, 0, 4, 0, 6), false, `out[${at}] outside [0, 4)`);
      }
    }
    for (const [bad, flagged] of [[NaN, true], [Infinity, true], [-Infinity, false]] as const) {
      for (const at of [2, 4]) {
        const b = fresh();
        b.lse[at] = bad;
        assert.equal(overflowed(b, 0, 12, 2, 3), flagged, `lse[${at}] = ${bad} in [2, 5)`);
        assert.equal(overflowed(b, 0, 12, 3, 1), false, `lse[${at}] outside [3, 4)`);
        assert.equal(overflowed(b, 0, 12, 0, 2), false, `lse[${at}] outside [0, 2)`);
      }
    }
  });

  it('cancellation is polled every 256 rows', () => {
    const input = smallQkv(1, 300, 4, 9);
    assert.throws(() => simdAttentionHeads(countingMask(300, [CAUSAL]).mask, input, 0, 1, allocateBuffers(input), { cancel: { cancelled: true } }), CancelledError);
    // Row 0 empty (single), rows 1 and 2, 3 and 4, ... in pairs: polls at rows 0, 1 and 257.
    // Cancelled from the third poll on: 300 rows stop at row 257, 200 rows finish.
    const late: Allowed = (i, j) => i > 0 && j <= i;
    const later = () => {
      let polls = 0;
      return { get cancelled() {
        return ++polls > 2;
      } };
    };
    assert.throws(() => simdAttentionHeads(countingMask(300, [late]).mask, input, 0, 1, allocateBuffers(input), { cancel: later() }), CancelledError);
    const short = smallQkv(1, 200, 4, 9);
    const buffers = allocateBuffers(short);
    simdAttentionHeads(countingMask(200, [late]).mask, short, 0, 1, buffers, { cancel: later() });
    assertClose(buffers.lse, bruteAttention([late], short).lse, TOLERANCE, '200 rows');
  });

  it('the softmax statistics sit at the end of the memory (n = 63, d = 64: exactly past one 64 KiB page)', () => {
    const input = smallQkv(1, 63, 64, 11);
    const { mask } = countingMask(63, [DENSE]);
    const buffers = allocateBuffers(input);
    simdAttentionHeads(mask, input, 0, 1, buffers);
    const brute = bruteAttention([DENSE], input);
    assertClose(buffers.out, brute.out, 1e-4, 'out');
    assertClose(buffers.lse, brute.lse, 1e-5, 'lse');
  });

  it('simdRowScorer: q_i·k_j/√d over ranges of keys, in order; undefined without the kernel', () => {
    eachVariant((variant) => {
      for (const [n, d] of [[9, 4], [1500, 4], [20, 8]]) {
        const input = smallQkv(2, n, d, n + d);
        const keys = new RangeList();
        keys.push(0, 2);
        keys.push(3, 4);
        keys.push(5, n);
        for (const head of [0, 1]) {
          const scorer = simdRowScorer(input, head)!;
          assert.ok(scorer, `${variant} n = ${n} d = ${d}`);
          for (const i of [0, n - 1]) {
            const expected: number[] = [];
            for (let j = 0; j < n; j++) {
              if (j === 2 || j === 4) continue;
              let dot = 0;
              for (let c = 0; c < d; c++) dot += input.q[(head * n + i) * d + c] * input.k[(head * n + j) * d + c];
              expected.push(dot / Math.sqrt(d));
            }
            assertClose(Array.from(scorer(i, keys)), expected, 1e-5, `${variant} n = ${n} d = ${d} head ${head} row ${i}`);
          }
        }
      }
    });
    assert.equal(simdRowScorer(smallQkv(1, 5, 3, 1), 0), undefined, 'd = 3');
    // Memory that cannot be reserved: undefined (the JS scorer serves instead).
    const api = (globalThis as unknown as { WebAssembly: Record<string, unknown> }).WebAssembly;
    const real = api.Memory;
    api.Memory = function () {
      throw new RangeError('no room');
    };
    try {
      assert.equal(simdRowScorer(smallQkv(1, 5, 4, 1), 0), undefined, 'no memory');
    } finally {
      api.Memory = real;
    }
  });
});
