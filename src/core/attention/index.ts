/** Sparse attention on the CPU: the SIMD kernel where it can run, plain JS loops otherwise. */
import type { PatternMask } from '../mask';
import { AttentionBuffers, CpuAttentionOptions, sparseAttentionHeads } from './cpu';
import { simdAttentionHeads, simdAvailable, WasmMemoryError } from './simd';
import { blockGemmAvailable, blockGemmHeads } from './blockGemm';
import { BlockStructure, blockStructureOf } from './blockStructure';
import type { QKV, SparseProbs } from './types';

export * from './types';
export { referenceAttention } from './reference';
export { spotCheck, SPOT_CHECK_TOLERANCE } from './spotCheck';
export type { SpotCheck } from './spotCheck';
export { firstColumnAtLeast, poolFromQkv, poolProbs, rowFromQkv, rowScorer } from './pooling';
export type { RowScorer } from './simd';
export type { PoolView } from './pooling';
export { allocateBuffers, sparseAttentionHeads } from './cpu';
export type { AttentionBuffers, CpuAttentionOptions } from './cpu';
export { simdAttentionHeads, simdAvailable, WasmMemoryError } from './simd';
export { blockGemmAvailable, blockGemmHeads } from './blockGemm';
export { blockStructureOf } from './blockStructure';
export type { BlockStructure } from './blockStructure';

export type CpuKernelName = 'wasm-simd' | 'js';

/** Every CPU kernel takes heads [h0, h1) the same way, so they are interchangeable. */
export type HeadsKernel = typeof sparseAttentionHeads;
const KERNELS: Record<CpuKernelName, HeadsKernel> = { 'wasm-simd': simdAttentionHeads, js: sparseAttentionHeads };

export function cpuKernelFor(d: number): CpuKernelName {
  return simdAvailable(d) ? 'wasm-simd' : 'js';
}

/**
 * Heads [h0, h1) with the best CPU kernel; the unit of work a worker takes. Heads of block form
 * take the block-GEMM path unless probabilities are wanted. Where the SIMD
 * kernel's memory cannot be reserved, the JS loops compute the same heads and `note` says why.
 */
export function attendHeads(
  mask: PatternMask,
  input: QKV,
  h0: number,
  h1: number,
  buffers: AttentionBuffers,
  options: CpuAttentionOptions = {},
): { kernel: CpuKernelName; probs: SparseProbs[]; note?: string } {
  const kernel = cpuKernelFor(input.d);
  try {
    if (!options.withProbs && blockGemmAvailable()) {
      const blockHeads: number[] = [];
      const structures: BlockStructure[] = [];
      for (let h = h0; h < h1; h++) {
        const structure = blockStructureOf(mask.heads[h]);
        if (structure) {
          blockHeads.push(h);
          structures.push(structure);
        } else KERNELS[kernel](mask, input, h, h + 1, buffers, options);
      }
      if (blockHeads.length) {
        blockGemmHeads(mask, input, blockHeads, structures, buffers, options);
        return { kernel: 'wasm-simd', probs: [] };
      }
      return { kernel, probs: [] };
    }
    return { kernel, probs: KERNELS[kernel](mask, input, h0, h1, buffers, options) };
  } catch (e) {
    if (!(e instanceof WasmMemoryError)) throw e;
    return { kernel: 'js', probs: sparseAttentionHeads(mask, input, h0, h1, buffers, options), note: `${e.message}: the JS loops ran` };
  }
}
export { attentionInputFor, syntheticQkv, resolveInput, SYNTHETIC_D } from './synthetic';
export type { AttentionInput, EmbeddingRows, SequenceInput } from './synthetic';
