/**
 * Attention weights max-pooled over a square viewport of the [n, n] matrix into size×size pixels
 * (-1 where the mask allows no cell). Pixel p covers the cells whose offset x from the view's
 * origin has floor(x·size/span) = p, so every cell lands in exactly one pixel and a lone allowed
 * cell is never lost. Two sources: stored probabilities (CSR), or Q/K/V with each row's
 * log-sum-exp, recomputing only the viewport's cells, so that no probabilities need to be kept.
 */
import type { PatternMask } from '../mask';
import { RangeList } from '../ranges';
import { simdRowScorer, type RowScorer } from './simd';
import type { QKV, SparseProbs } from './types';

export interface PoolView {
  row: number;
  col: number;
  span: number;
}

/** Row i's first stored entry with a column >= col (columns are sorted), or the row's end. */
export function firstColumnAtLeast(probs: SparseProbs, i: number, col: number): number {
  let lo = probs.rowPtr[i];
  let hi = probs.rowPtr[i + 1];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (probs.cols[mid] < col) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function poolProbs(probs: SparseProbs, view: PoolView, size: number): Float32Array {
  const pooled = new Float32Array(size * size).fill(-1);
  const { row, col, span } = view;
  // Stryker disable next-line EqualityOperator: row `row + span` lands in pixel row `size`, past the end of the pooled array (ignored; past the last row rowPtr[n + 1] is undefined and the loop is empty); `>=` is killed
  for (let i = row; i < row + span; i++) {
    const y = Math.floor(((i - row) * size) / span);
    for (let t = firstColumnAtLeast(probs, i, col); t < probs.rowPtr[i + 1] && probs.cols[t] < col + span; t++) {
      const p = y * size + Math.floor(((probs.cols[t] - col) * size) / span);
      // Stryker disable next-line EqualityOperator: `>=` assigns an equal maximum; `<=` is killed
      if (probs.values[t] > pooled[p]) pooled[p] = probs.values[t];
    }
  }
  return pooled;
}

/** Scores in plain JS, where the SIMD kernel cannot run (no WebAssembly SIMD, or d not a multiple of 4). */
function jsRowScorer(input: QKV, head: number): RowScorer {
  const { n, d, q, k } = input;
  const scale = 1 / Math.sqrt(d);
  const base = head * n * d;
  let scores = new Float32Array(256);
  return (i, keys) => {
    const count = keys.count();
    // Stryker disable next-line ConditionalExpression,EqualityOperator: reallocating more often gives the same scores (callers use them before the next call); `false` and `>=` are killed
    if (scores.length < count) scores = new Float32Array(count);
    const qi = base + i * d;
    let t = 0;
    // Stryker disable next-line EqualityOperator: a stale range past the list's length writes scores past `count`, outside the subarray returned; `>=` is killed
    for (let r = 0; r < keys.length; r++) {
      for (let j = keys.starts[r]; j < keys.ends[r]; j++) {
        const kj = base + j * d;
        let s = 0;
        for (let c = 0; c < d; c++) s += q[qi + c] * k[kj + c];
        scores[t++] = s * scale;
      }
    }
    return scores.subarray(0, count);
  };
}

/** Scores of chosen rows and keys of one head: the SIMD kernel's loop where it runs, else JS. */
export function rowScorer(input: QKV, head: number): RowScorer {
  return simdRowScorer(input, head) ?? jsRowScorer(input, head);
}

/**
 * Head `head`'s weights over the view from Q/K/V: p(i, j) = exp(q_i·k_j/√d − lse_i), for the
 * view's allowed cells only (cost: those cells × d, whatever n is). Pass a `scorer` to reuse one
 * across calls (it holds a copy of the head's Q and K).
 */
export function poolFromQkv(
  mask: PatternMask,
  input: QKV,
  lse: ArrayLike<number>,
  head: number,
  view: PoolView,
  size: number,
  scorer: RowScorer = rowScorer(input, head),
): Float32Array {
  const pooled = new Float32Array(size * size).fill(-1);
  const { row, col, span } = view;
  const list = new RangeList();
  const inView = new RangeList();
  // Stryker disable next-line EqualityOperator: row `row + span` lands in pixel row `size`, past the end of the pooled array (ignored); `>=` is killed
  for (let i = row; i < row + span; i++) {
    const y = Math.floor(((i - row) * size) / span) * size;
    const rowLse = lse[head * input.n + i];
    mask.heads[head].row(i, list);
    inView.clear();
    for (let r = 0; r < list.length; r++) {
      const start = Math.max(list.starts[r], col);
      const end = Math.min(list.ends[r], col + span);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: push() already ignores an empty range; `false` and `<=` are killed
      if (end > start) inView.push(start, end);
    }
    // Stryker disable next-line ConditionalExpression: `false` scores an empty list, which gives no scores and no pixels; `true` is killed
    if (!inView.length) continue;
    const scores = scorer(i, inView);
    let t = 0;
    // Stryker disable next-line EqualityOperator: a stale range past the list's length reads scores past the subarray (undefined, so NaN weights, never > a pixel); `>=` is killed
    for (let r = 0; r < inView.length; r++) {
      for (let j = inView.starts[r]; j < inView.ends[r]; j++) {
        const weight = Math.exp(scores[t++] - rowLse);
        const p = y + Math.floor(((j - col) * size) / span);
        // Stryker disable next-line EqualityOperator: `>=` assigns an equal maximum; `<=` is killed
        if (weight > pooled[p]) pooled[p] = weight;
      }
    }
  }
  return pooled;
}

/** One query row's weights over its allowed keys, from Q/K/V and the row's log-sum-exp (the row view). */
export function rowFromQkv(
  mask: PatternMask,
  input: QKV,
  lse: ArrayLike<number>,
  head: number,
  i: number,
  scorer: RowScorer = rowScorer(input, head),
): { cols: Int32Array; values: Float32Array } {
  const list = new RangeList();
  mask.heads[head].row(i, list);
  const scores = scorer(i, list);
  const cols = new Int32Array(scores.length);
  const values = new Float32Array(scores.length);
  let t = 0;
  // Stryker disable next-line EqualityOperator: a stale range past the list's length writes past the end of cols and values (typed arrays, ignored); `>=` is killed
  for (let r = 0; r < list.length; r++) {
    for (let j = list.starts[r]; j < list.ends[r]; j++, t++) {
      cols[t] = j;
      values[t] = Math.exp(scores[t] - lse[head * input.n + i]);
    }
  }
  return { cols, values };
}
