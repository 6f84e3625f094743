/**
 * Sparse attention as three gpu.js gather kernels that touch only the allowed cells:
 * per-row log-sum-exp, per-cell probabilities, and per-row weighted sums of V. Outputs are
 * tiled so that no kernel exceeds the device's texture size or 2^22 cells (gpu.js thread
 * indices are f32 and exact only below 2^24).
 */
import type { GPU, IKernelRunShortcut, KernelOutput } from 'gpu.js';
import type { PatternMask } from '../core/mask';
import { AttentionResult, CancelledError, CancelToken, checkShapes, QKV, SparseProbs } from '../core/attention/types';
import { SpotCheck, spotCheck, SPOT_CHECK_TOLERANCE } from '../core/attention/spotCheck';
import { BackendMisbehaved } from './fallback';
import { headCsr } from './csr';
import { EXPECTED_KERNEL_CLASS, kernelClassOf } from './kernelClass';
import { ATTENTION_KERNELS, KernelSources } from './kernelSources';

/** Largest output dimension used: WebGL on SwiftShader (and some GPUs) stops at 8192. */
export const MAX_OUTPUT_SIDE = 8192;
/** Cells per kernel call; below 2^24 with margin. */
export const MAX_OUTPUT_CELLS = 1 << 22;
const EMPTY_ROW = -1e30; // a row with no allowed cell (e.g. early rows of a summary-only head)

export interface GpuRunInfo {
  /** The gpu.js mode that ran, and the kernel class it compiled to (a silent fallback shows here). */
  mode: string;
  kernelClass: string;
  timings: { upload: number; lse: number; probs: number; output: number; check: number };
  /** Rows recomputed in float64 after the run, and the worst error among them. */
  check: SpotCheck;
}

interface Kernels {
  lse: IKernelRunShortcut;
  probs: IKernelRunShortcut;
  output: IKernelRunShortcut;
}

function createKernels(gpu: GPU, d: number, maxRow: number, sources: KernelSources): Kernels {
  const settings = {
    dynamicOutput: true,
    dynamicArguments: true,
    asyncMode: true,
    tactic: 'precision' as const,
    precision: 'single' as const,
    loopMaxIterations: Math.max(1, maxRow),
    constants: { d },
    output: [1],
  };
  // Sources as text (see kernelSources.ts): what gpu.js translates is never what a minifier made.
  return {
    lse: gpu.createKernel(sources.lse, settings),
    probs: gpu.createKernel(sources.probs, settings),
    output: gpu.createKernel(sources.output, settings),
  };
}

function flat(result: KernelOutput): Float32Array {
  if (result instanceof Float32Array) return result;
  if (Array.isArray(result)) {
    const rows = result as Float32Array[];
    const width = rows[0]?.length ?? 0;
    const out = new Float32Array(rows.length * width);
    rows.forEach((row, y) => out.set(row, y * width));
    return out;
  }
  throw new Error(`unexpected kernel output ${Object.prototype.toString.call(result)}`);
}

/** Runs every head through the kernels of `gpu` (any gpu.js mode). */
export async function gpuAttention(
  gpu: GPU,
  mask: PatternMask,
  input: QKV,
  options: { withProbs?: boolean; cancel?: CancelToken; /** Other kernel sources (tests inject a broken one). */ sources?: KernelSources } = {},
): Promise<{ result: AttentionResult; info: GpuRunInfo }> {
  checkShapes(input);
  const { heads, n, d } = input;
  const scale = 1 / Math.sqrt(d);
  const out = new Float32Array(heads * n * d);
  const lseAll = new Float32Array(heads * n);
  const probs: SparseProbs[] = [];
  const timings = { upload: 0, lse: 0, probs: 0, output: 0, check: 0 };
  let kernels: Kernels | undefined;
  let maxRowSeen = 0;
  const rowChunk = Math.max(1, Math.min(MAX_OUTPUT_SIDE, Math.floor(MAX_OUTPUT_CELLS / d)));
  for (let h = 0; h < heads; h++) {
    if (options.cancel?.cancelled) throw new CancelledError();
    let t0 = performance.now();
    const csr = headCsr(mask.heads[h]);
    // Kernels index with floats (exact below 2^24): every backend then takes the same arrays.
    const rowPtr = Float32Array.from(csr.rowPtr);
    const cols = Float32Array.from(csr.cols);
    const rowOf = Float32Array.from(csr.rowOf);
    const slice = (a: Float32Array) => a.subarray(h * n * d, (h + 1) * n * d);
    const [q, k, v] = [slice(input.q), slice(input.k), slice(input.v)];
    if (!kernels || csr.maxRow > maxRowSeen) {
      // Loop bounds are compiled in: rebuild when a head has longer rows.
      kernels = createKernels(gpu, d, csr.maxRow, options.sources ?? ATTENTION_KERNELS);
      maxRowSeen = csr.maxRow;
    }
    timings.upload += performance.now() - t0;

    t0 = performance.now();
    const lse = new Float32Array(n);
    for (let r0 = 0; r0 < n; r0 += MAX_OUTPUT_CELLS) {
      const rows = Math.min(MAX_OUTPUT_CELLS, n - r0);
      kernels.lse.setOutput([rows]);
      lse.set(flat(await kernels.lse(q, k, rowPtr, cols, scale, r0)), r0);
    }
    timings.lse += performance.now() - t0;

    t0 = performance.now();
    const nnz = csr.cols.length;
    const p = new Float32Array(nnz);
    for (let c0 = 0; c0 < nnz; c0 += MAX_OUTPUT_CELLS) {
      const cells = Math.min(MAX_OUTPUT_CELLS, nnz - c0);
      kernels.probs.setOutput([cells]);
      p.set(flat(await kernels.probs(q, k, cols, rowOf, lse, scale, c0)).subarray(0, cells), c0);
    }
    timings.probs += performance.now() - t0;

    t0 = performance.now();
    for (let r0 = 0; r0 < n; r0 += rowChunk) {
      const rows = Math.min(rowChunk, n - r0);
      // Only the probabilities of these rows travel to the kernel.
      const c0 = csr.rowPtr[r0];
      const chunk = p.subarray(c0, Math.max(c0 + 1, csr.rowPtr[r0 + rows]));
      kernels.output.setOutput([d, rows]);
      out.set(flat(await kernels.output(chunk, v, rowPtr, cols, r0, c0)), h * n * d + r0 * d);
    }
    timings.output += performance.now() - t0;

    for (let i = 0; i < n; i++) lseAll[h * n + i] = lse[i] <= EMPTY_ROW / 2 ? -Infinity : lse[i];
    if (options.withProbs) probs.push({ rowPtr: csr.rowPtr, cols: csr.cols, values: p });
  }
  const kernelClass = kernelClassOf((kernels?.lse as unknown as { kernel?: object })?.kernel);
  const mode = gpu.mode ?? 'unknown';
  const expected = EXPECTED_KERNEL_CLASS[mode];
  // gpu.js replaces a kernel it cannot build with its CPU kernel and only warns: that is a failure here.
  if (expected && kernelClass !== expected) throw new BackendMisbehaved('gpu.js fell back to its CPU kernel', `gpu.js ran ${kernelClass} instead of ${expected}`);
  const t0 = performance.now();
  const check = spotCheck(mask, input, out);
  timings.check = performance.now() - t0;
  if (!(check.maxError <= SPOT_CHECK_TOLERANCE)) {
    throw new BackendMisbehaved('wrong results', `${mode} results differ from float64 by ${check.maxError.toPrecision(3)} (relative to |V|) on ${check.rows} checked rows`);
  }
  return { result: { out, lse: lseAll, probs: options.withProbs ? probs : undefined }, info: { mode, kernelClass, timings, check } };
}
