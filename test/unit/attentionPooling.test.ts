/**
 * pooling.ts on small cases: the binary search on literal CSR rows, and pooled views against brute
 * force (every cell of the view, its pixel by the floor rule, the max of the float64 brute-force
 * probabilities of test/support/smallAttention.ts), from stored probabilities and from Q/K/V (the
 * JS score loop at d = 3, the SIMD one at d = 4 and 8, the JS one again on an engine without
 * WebAssembly); views with cells outside them on every side, pooled (size < span) and spread
 * (size > span); rows of more than 256 keys.
 */
import { strict as assert } from 'assert';
import { firstColumnAtLeast, poolFromQkv, poolProbs, rowFromQkv, rowScorer, SparseProbs } from '../../src/core';
import { recheckKernelVariants } from '../../src/core/attention/wasmModule';
import { Allowed, assertClose, Brute, bruteAttention, CAUSAL, cellMask, DENSE, freshAttention, GAPPY, smallQkv } from '../support/smallAttention';

type View = { row: number; col: number; span: number };

/** One head's brute-force probabilities as CSR (float64 values). */
function csrOf(brute: Brute, h: number): SparseProbs {
  const rows = brute.rows[h];
  const rowPtr = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => (rowPtr[i + 1] = rowPtr[i] + r.cols.length));
  return { rowPtr, cols: Int32Array.from(rows.flatMap((r) => r.cols)), values: Float64Array.from(rows.flatMap((r) => r.probs)) };
}

/** Every cell (i, j) of the view, its pixel by the floor rule, the max of the probabilities; -1 where none. */
function pooledByBrute(brute: Brute, h: number, view: View, size: number): number[] {
  const out = new Array<number>(size * size).fill(-1);
  for (let i = view.row; i < view.row + view.span; i++) {
    const { cols, probs } = brute.rows[h][i];
    cols.forEach((j, t) => {
      if (j < view.col || j >= view.col + view.span) return;
      const p = Math.floor(((i - view.row) * size) / view.span) * size + Math.floor(((j - view.col) * size) / view.span);
      out[p] = Math.max(out[p], probs[t]);
    });
  }
  return out;
}

const HEADS: Allowed[] = [GAPPY, CAUSAL];
const VIEWS: Array<[View, number]> = [
  [{ row: 0, col: 0, span: 12 }, 12],
  [{ row: 0, col: 0, span: 12 }, 5],
  [{ row: 3, col: 2, span: 7 }, 3],
  [{ row: 4, col: 1, span: 6 }, 13],
];

describe('pooled and single-row weights (small cases)', () => {
  // Under mutation testing every mutant runs in the same process: one that broke a compile leaves
  // null in the kernel module cache, which must not fail the tests of the mutants after it.
  beforeEach(() => recheckKernelVariants());

  it('the first stored column at or after col, by binary search', () => {
    const probs: SparseProbs = { rowPtr: Int32Array.from([0, 5, 5, 7]), cols: Int32Array.from([1, 3, 5, 8, 11, 0, 2]), values: new Float32Array(7) };
    const row0 = [0, 1, 2, 3, 4, 5, 8, 9, 11, 12].map((col) => firstColumnAtLeast(probs, 0, col));
    assert.deepEqual(row0, [0, 0, 1, 1, 2, 2, 3, 4, 4, 5]);
    assert.deepEqual([0, 3].map((col) => firstColumnAtLeast(probs, 1, col)), [5, 5], 'an empty row: its end');
    assert.deepEqual([0, 1, 2, 3].map((col) => firstColumnAtLeast(probs, 2, col)), [5, 6, 6, 7]);
  });

  it('from stored probabilities: the brute-force pooling of every view, pixel for pixel', () => {
    const input = smallQkv(2, 12, 3, 100);
    const brute = bruteAttention(HEADS, input);
    for (let h = 0; h < 2; h++) {
      for (const [view, size] of VIEWS) {
        const expected = pooledByBrute(brute, h, view, size).map(Math.fround);
        assert.deepEqual(Array.from(poolProbs(csrOf(brute, h), view, size)), expected, `head ${h} view ${JSON.stringify(view)} at ${size}`);
      }
    }
  });

  for (const d of [3, 4, 8]) {
    it(`from Q/K/V and the log-sum-exp: the same pooling (${d % 4 ? 'JS' : 'SIMD'} scores, d = ${d})`, () => {
      const input = smallQkv(2, 12, d, 110 + d);
      const brute = bruteAttention(HEADS, input);
      const mask = cellMask(12, HEADS);
      for (let h = 0; h < 2; h++) {
        const scorer = rowScorer(input, h);
        for (const [view, size] of VIEWS) {
          const expected = pooledByBrute(brute, h, view, size);
          const label = `head ${h} view ${JSON.stringify(view)} at ${size}`;
          const pooled = poolFromQkv(mask, input, brute.lse, h, view, size);
          assert.deepEqual(Array.from(pooled).map((x) => x < 0), expected.map((x) => x < 0), `${label}: the pixels holding allowed cells`);
          assertClose(pooled, expected, 1e-5, label);
          assertClose(poolFromQkv(mask, input, brute.lse, h, view, size, scorer), expected, 1e-5, `${label}, a scorer reused`);
        }
      }
    });

    it(`one row from Q/K/V: its columns and weights (d = ${d})`, () => {
      const input = smallQkv(2, 12, d, 120 + d);
      const brute = bruteAttention(HEADS, input);
      const mask = cellMask(12, HEADS);
      for (let h = 0; h < 2; h++) {
        for (const i of [0, 1, 3, 8, 11]) {
          const row = rowFromQkv(mask, input, brute.lse, h, i);
          assert.ok(row.cols instanceof Int32Array && row.values instanceof Float32Array);
          assert.deepEqual(Array.from(row.cols), brute.rows[h][i].cols, `head ${h} row ${i} columns`);
          assertClose(row.values, brute.rows[h][i].probs, 1e-5, `head ${h} row ${i}`);
        }
      }
    });
  }

  it('rows of 300 keys through the JS score loop (its buffer grows past 256)', () => {
    const input = smallQkv(1, 300, 3, 130);
    const brute = bruteAttention([DENSE], input);
    const mask = cellMask(300, [DENSE]);
    const row = rowFromQkv(mask, input, brute.lse, 0, 299);
    assertClose(row.values, brute.rows[0][299].probs, 1e-5, 'row 299');
    const view = { row: 290, col: 0, span: 10 };
    assertClose(poolFromQkv(mask, input, brute.lse, 0, view, 10), pooledByBrute(brute, 0, view, 10), 1e-5, 'pooled');
  });

  it('on an engine without WebAssembly the JS score loop serves d = 4', () => {
    const { attention } = freshAttention(undefined);
    const input = smallQkv(2, 12, 4, 140);
    const brute = bruteAttention(HEADS, input);
    const mask = cellMask(12, HEADS);
    const row = attention.rowFromQkv(mask, input, brute.lse, 1, 7);
    assertClose(row.values, brute.rows[1][7].probs, 1e-6, 'row 7');
    const [view, size] = VIEWS[2];
    assertClose(attention.poolFromQkv(mask, input, brute.lse, 0, view, size), pooledByBrute(brute, 0, view, size), 1e-6, 'pooled');
  });
});
