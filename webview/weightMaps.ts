/**
 * Attention weights for the maps: the scale, the threshold colour, the weight of one cell and the
 * largest weight under a pixel (for hover).
 * (Pooling is in src/core/attention/pooling.ts, and in a shader for the GPU painter.)
 */
import { firstColumnAtLeast, type SparseProbs } from '../src/core';

export type WeightScale = 'log' | 'linear';

/** Allowed cells whose weight is under the threshold: a neutral grey, never the masked background. */
export const BELOW_THRESHOLD: [number, number, number] = [128, 128, 128];

/** Weight of (i, j) in the CSR row, or undefined when masked (binary search over sorted columns). */
export function weightAt(probs: SparseProbs, i: number, j: number): number | undefined {
  const t = firstColumnAtLeast(probs, i, j);
  return t < probs.rowPtr[i + 1] && probs.cols[t] === j ? probs.values[t] : undefined;
}

/** The largest weight in rows [i0, i1) and columns [j0, j1) (the cells under one pixel); undefined if all are masked. */
export function maxWeightIn(probs: SparseProbs, i0: number, i1: number, j0: number, j1: number): number | undefined {
  let best: number | undefined;
  for (let i = i0; i < i1; i++) {
    for (let t = firstColumnAtLeast(probs, i, j0); t < probs.rowPtr[i + 1] && probs.cols[t] < j1; t++) if (best === undefined || probs.values[t] > best) best = probs.values[t];
  }
  return best;
}
