/** Sparse attention on the CPU: the SIMD kernel where it can run, plain JS loops otherwise. */
import type { PatternMask } from '../mask';
import { AttentionBuffers, CpuAttentionOptions, sparseAttentionHeads } from './cpu';
import { simdAttentionHeads, simdAvailable } from './simd';
import type { QKV, SparseProbs } from './types';

export * from './types';
export { referenceAttention } from './reference';
export { firstColumnAtLeast, poolFromQkv, poolProbs, rowFromQkv, rowScorer } from './pooling';
export type { RowScorer } from './simd';
export type { PoolView } from './pooling';
export { allocateBuffers, sparseAttentionHeads } from './cpu';
export type { AttentionBuffers, CpuAttentionOptions } from './cpu';
export { simdAttentionHeads, simdAvailable } from './simd';

export type CpuKernelName = 'wasm-simd' | 'js';

export function cpuKernelFor(d: number): CpuKernelName {
  return simdAvailable(d) ? 'wasm-simd' : 'js';
}

/** Heads [h0, h1) with the best CPU kernel; the unit of work a worker takes. */
export function attendHeads(
  mask: PatternMask,
  input: QKV,
  h0: number,
  h1: number,
  buffers: AttentionBuffers,
  options: CpuAttentionOptions = {},
): { kernel: CpuKernelName; probs: SparseProbs[] } {
  const kernel = cpuKernelFor(input.d);
  const run = kernel === 'wasm-simd' ? simdAttentionHeads : sparseAttentionHeads;
  return { kernel, probs: run(mask, input, h0, h1, buffers, options) };
}
export { syntheticQkv, resolveInput, SYNTHETIC_D } from './synthetic';
export type { AttentionInput, EmbeddingRows } from './synthetic';
