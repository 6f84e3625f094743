/**
 * Attention weights for the maps: max-pooling over a viewport on the CPU (the GPU painter does the
 * same in a shader) and the weight of one cell. Masked cells pool to -1 so that they keep the
 * background, while an allowed-but-tiny cell still gets a palette colour.
 */
import type { SparseProbs } from '../src/core';
import type { Viewport } from './maps';

export type WeightScale = 'log' | 'linear';

/** Max-pooled weights per pixel of the viewport; -1 where no allowed cell falls in the pixel. */
export function poolWeights(probs: SparseProbs, view: Viewport, size: number): Float32Array {
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

/** Allowed cells whose weight is under the threshold: a neutral grey, never the masked background. */
export const BELOW_THRESHOLD: [number, number, number] = [128, 128, 128];

/** Weight of (i, j) in the CSR row, or undefined when masked (binary search over sorted columns). */
export function weightAt(probs: SparseProbs, i: number, j: number): number | undefined {
  let lo = probs.rowPtr[i];
  let hi = probs.rowPtr[i + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (probs.cols[mid] === j) return probs.values[mid];
    if (probs.cols[mid] < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
