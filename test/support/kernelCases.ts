/**
 * Helpers of the small kernel specs (attentionSimd, attentionBlockGemm): heads that count the rows
 * read from them (a kernel reads each row once; a float64 redo reads its rows again), masks from
 * explicit range lists, buffers filled with NaN sentinels, inputs that overflow float32, and both
 * kernel variants.
 */
import type { HeadMask, PatternMask, QKV } from '../../src/core';
import { preferKernelVariant, recheckKernelVariants } from '../../src/core/attention/wasmModule';
import { enableRelaxedSimd } from '../../src/cli/relaxedSimd';
import { Allowed, cellHead } from './smallAttention';

/**
 * A mask whose heads count their row() calls: reads[h][i] is how often row i of head h was read;
 * `calls` lists every call, also those for rows that are no integer in [0, n).
 */
export function countingMask(n: number, heads: Allowed[]): { mask: PatternMask; reads: number[][]; calls: Array<[number, number]> } {
  const reads = heads.map(() => new Array<number>(n).fill(0));
  const calls: Array<[number, number]> = [];
  const wrapped: HeadMask[] = heads.map((allowed, h) => {
    const head = cellHead(n, allowed);
    return {
      n,
      storedElements: 0,
      row(i, out) {
        calls.push([h, i]);
        reads[h][i]++;
        head.row(i, out);
      },
    };
  });
  return { mask: { n, heads: wrapped, warnings: [] }, reads, calls };
}

/** The predicate of rows given as lists of half-open column ranges (non-touching, sorted). */
export function rangesAllowed(rows: Array<Array<[number, number]>>): Allowed {
  return (i, j) => (rows[i] ?? []).some(([a, b]) => a <= j && j < b);
}

/** Output buffers full of NaN: whatever a kernel does not write stays NaN. */
export function nanBuffers(input: QKV): { out: Float32Array; lse: Float32Array } {
  return { out: new Float32Array(input.heads * input.n * input.d).fill(NaN), lse: new Float32Array(input.heads * input.n).fill(NaN) };
}

/**
 * Makes the float32 score of query row `i` against key row `j` of head h NaN (+1e39 and -1e39 in
 * two lanes) while the float64 one is exactly 0 (the products cancel); row i's other scores are
 * about 1e20 · k, large but finite in both. Needs d >= 2.
 */
export function overflowScores(input: QKV, h: number, i: number, j: number): void {
  const { n, d, q, k } = input;
  for (let c = 0; c < d; c++) {
    q[(h * n + i) * d + c] = c < 2 ? 1e20 : 0;
    k[(h * n + j) * d + c] = c === 0 ? 1e19 : c === 1 ? -1e19 : 0;
  }
}

/**
 * Makes every query of head h zero (all scores 0: equal weights) and column 0 of every value row
 * 3e38: the float32 weighted sum of two or more of them overflows, their float64 mean is 3e38.
 */
export function overflowValues(input: QKV, h: number): void {
  const { n, d, q, v } = input;
  for (let x = h * n * d; x < (h + 1) * n * d; x++) q[x] = 0;
  for (let j = 0; j < n; j++) v[(h * n + j) * d] = 3e38;
}

export const VARIANTS = ['relaxed', 'plain'] as const;

/**
 * Runs `body` with each kernel variant preferred, then restores 'auto'. Relaxed SIMD needs a flag
 * on Node 20 (src/cli/relaxedSimd.ts).
 */
export function eachVariant(body: (variant: (typeof VARIANTS)[number]) => void): void {
  enableRelaxedSimd();
  try {
    for (const variant of VARIANTS) {
      recheckKernelVariants();
      preferKernelVariant(variant);
      body(variant);
    }
  } finally {
    preferKernelVariant('auto');
  }
}
