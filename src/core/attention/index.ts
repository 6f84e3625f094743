/** Sparse attention on the CPU: the SIMD kernel where it can run, plain JS loops otherwise. */
import type { PatternMask } from '../mask';
import { AttentionBuffers, CpuAttentionOptions, sparseAttentionHeads } from './cpu';
import { simdAttentionHeads, simdAvailable, WasmMemoryError } from './simd';
import { BlockGemm, blockGemmAvailable, blockGemmHeads } from './blockGemm';
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
export { BlockGemm, blockGemmAvailable, blockGemmHeads } from './blockGemm';
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
/** Scheduled work: query blocks [b0, b1) of a block-form head, or (no structure) a whole head. */
export interface WorkUnit {
  head: number;
  structure?: BlockStructure;
  b0: number;
  b1: number;
}

/** Rows per unit of a block-form head: enough to amortise a unit, few enough to balance two threads. */
const UNIT_ROWS = 1024;

/** The units of every head, in head order (the same list in every thread). */
export function workUnits(mask: PatternMask, n: number): WorkUnit[] {
  const units: WorkUnit[] = [];
  mask.heads.forEach((head, h) => {
    const structure = blockGemmAvailable() ? blockStructureOf(head) : undefined;
    if (!structure) {
      units.push({ head: h, b0: 0, b1: 0 });
      return;
    }
    const l = Math.min(structure.l, n);
    const blocks = Math.ceil(n / l);
    const step = Math.max(1, Math.floor(UNIT_ROWS / l));
    for (let b0 = 0; b0 < blocks; b0 += step) units.push({ head: h, structure, b0, b1: Math.min(blocks, b0 + step) });
  });
  return units;
}

/**
 * Every head, in units taken one at a time through `next` (an index shared by the threads that
 * work together: dynamic scheduling, so a thread on a busy core takes fewer units, and two
 * threads share a head). No probabilities.
 */
export function attendScheduled(mask: PatternMask, input: QKV, buffers: AttentionBuffers, next: () => number, options: CpuAttentionOptions = {}): { kernel: CpuKernelName; note?: string } {
  const units = workUnits(mask, input.n);
  const rowKernel = cpuKernelFor(input.d);
  let gemm: BlockGemm | undefined;
  let note: string | undefined;
  let usedGemm = false;
  for (let i = next(); i < units.length; i = next()) {
    const unit = units[i];
    if (!unit.structure) {
      attendHeads(mask, input, unit.head, unit.head + 1, buffers, options);
      continue;
    }
    // Stryker disable next-line ConditionalExpression,LogicalOperator: building the BlockGemm again for a unit (or retrying after a failure, which fails the same way) computes the same; `false` is killed
    if (!gemm && !note) {
      try {
        gemm = new BlockGemm(mask, input, units.flatMap((u) => (u.structure ? [u.structure] : [])), buffers, options);
      } catch (e) {
        if (!(e instanceof WasmMemoryError)) throw e;
        note = `${e.message}: the JS loops ran`;
      }
    }
    if (gemm) {
      gemm.run(unit.head, unit.structure, unit.b0, unit.b1);
      usedGemm = true;
    } else {
      // Stryker disable next-line MethodExpression: l <= n always (blockStructure.ts); `Math.max` makes l = n, so a head's first unit computes every row and the others none: the same outputs
      const l = Math.min(unit.structure.l, input.n);
      // Stryker disable next-line ArithmeticOperator: `b0 / l` starts earlier, recomputing rows to the same values; `b1 * l` → `/` and `head + 1` → `-` are killed
      sparseAttentionHeads(mask, input, unit.head, unit.head + 1, buffers, { ...options, rows: { from: unit.b0 * l, to: Math.min(input.n, unit.b1 * l) } });
    }
  }
  return { kernel: note ? 'js' : usedGemm ? 'wasm-simd' : rowKernel, note };
}
export { attentionInputFor, syntheticQkv, resolveInput, SYNTHETIC_D } from './synthetic';
export type { AttentionInput, EmbeddingRows, SequenceInput } from './synthetic';
