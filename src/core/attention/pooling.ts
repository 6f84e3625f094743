/**
 * Attention weights max-pooled over a square viewport of the [n, n] matrix into size×size pixels
 * (-1 where the mask allows no cell). Pixel p covers the cells whose offset x from the view's
 * origin has floor(x·size/span) = p, so every cell lands in exactly one pixel and a lone allowed
 * cell is never lost. Two sources: stored probabilities (CSR), or Q/K/V with each row's
 * log-sum-exp, recomputing only the viewport's cells, so that no probabilities need to be kept.
 */
import type { PatternMask } from '../mask';
import { RangeList } from '../ranges';
import type { QKV, SparseProbs } from './types';

export interface PoolView {
  row: number;
  col: number;
  span: number;
}

export function poolProbs(probs: SparseProbs, view: PoolView, size: number): Float32Array {
  const pooled = new Float32Array(size * size).fill(-1);
  const { row, col, span } = view;
  for (let i = row; i < row + span; i++) {
    const y = Math.floor(((i - row) * size) / span);
    // Columns are sorted: skip to the first one inside the viewport.
    let lo = probs.rowPtr[i];
    let hi = probs.rowPtr[i + 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (probs.cols[mid] < col) lo = mid + 1;
      else hi = mid;
    }
    for (let t = lo; t < probs.rowPtr[i + 1] && probs.cols[t] < col + span; t++) {
      const p = y * size + Math.floor(((probs.cols[t] - col) * size) / span);
      if (probs.values[t] > pooled[p]) pooled[p] = probs.values[t];
    }
  }
  return pooled;
}

/**
 * Head `head`'s weights over the view from Q/K/V: p(i, j) = exp(q_i·k_j/√d − lse_i), for the
 * view's allowed cells only (cost: those cells × d, whatever n is).
 */
export function poolFromQkv(mask: PatternMask, input: QKV, lse: ArrayLike<number>, head: number, view: PoolView, size: number): Float32Array {
  const { n, d, q, k } = input;
  const pooled = new Float32Array(size * size).fill(-1);
  const { row, col, span } = view;
  const scale = 1 / Math.sqrt(d);
  const base = head * n * d;
  const list = new RangeList();
  for (let i = row; i < row + span; i++) {
    const y = Math.floor(((i - row) * size) / span);
    const rowLse = lse[head * n + i];
    const qi = base + i * d;
    mask.heads[head].row(i, list);
    for (let r = 0; r < list.length; r++) {
      const end = Math.min(list.ends[r], col + span);
      for (let j = Math.max(list.starts[r], col); j < end; j++) {
        const kj = base + j * d;
        let s = 0;
        for (let c = 0; c < d; c++) s += q[qi + c] * k[kj + c];
        const weight = Math.exp(s * scale - rowLse);
        const p = y * size + Math.floor(((j - col) * size) / span);
        if (weight > pooled[p]) pooled[p] = weight;
      }
    }
  }
  return pooled;
}

/** One query row's weights over its allowed keys, from Q/K/V and the row's log-sum-exp (the row view). */
export function rowFromQkv(mask: PatternMask, input: QKV, lse: ArrayLike<number>, head: number, i: number): { cols: Int32Array; values: Float32Array } {
  const { n, d, q, k } = input;
  const list = new RangeList();
  mask.heads[head].row(i, list);
  const cols: number[] = [];
  const values: number[] = [];
  const qi = (head * n + i) * d;
  for (let r = 0; r < list.length; r++) {
    for (let j = list.starts[r]; j < list.ends[r]; j++) {
      const kj = (head * n + j) * d;
      let s = 0;
      for (let c = 0; c < d; c++) s += q[qi + c] * k[kj + c];
      cols.push(j);
      values.push(Math.exp(s / Math.sqrt(d) - lse[head * n + i]));
    }
  }
  return { cols: Int32Array.from(cols), values: Float32Array.from(values) };
}
