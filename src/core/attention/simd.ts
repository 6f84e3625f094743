/**
 * The CPU path with its d-wide loops in WebAssembly SIMD (kernel.wat): JS walks rows and
 * ranges; the module computes scores, their softmax (a vectorised exp) and weighted sums of V rows
 * four lanes at a time. Falls back to the plain JS loops (cpu.ts) where SIMD or the shape does not allow it.
 */
import type { HeadMask, PatternMask } from '../mask';
import { RangeList } from '../ranges';
import { AttentionBuffers, CpuAttentionOptions, sparseAttentionHeads } from './cpu';
import { CancelledError, QKV, SparseProbs } from './types';
import { kernelModule, reserveMemory, wasm, WasmMemoryError } from './wasmModule';

export { WasmMemoryError };

interface KernelExports {
  scores(q: number, k: number, ranges: number, nranges: number, d: number, scale: number, out: number): number;
  scores2(q1: number, q2: number, k: number, ranges: number, nranges: number, d: number, scale: number, out1: number, out2: number): void;
  axpy(v: number, ranges: number, nranges: number, d: number, weights: number, out: number): void;
  axpy2(v: number, ranges: number, nranges: number, d: number, w1: number, w2: number, out1: number, out2: number): void;
  scale(out: number, d: number, inv: number): void;
  softmax(ptr: number, count: number, stats: number): void;
}

export function simdAvailable(d: number): boolean {
  return d % 4 === 0 && kernelModule() !== null;
}

/** Computes heads [h0, h1) into `buffers` with the SIMD kernel; d must be a multiple of 4. */
export function simdAttentionHeads(
  mask: PatternMask,
  input: QKV,
  h0: number,
  h1: number,
  buffers: AttentionBuffers,
  options: CpuAttentionOptions = {},
): SparseProbs[] {
  const module = kernelModule();
  if (!module || input.d % 4 !== 0) throw new Error('the SIMD kernel needs WebAssembly SIMD and d divisible by 4');
  const { n, d } = input;
  const headFloats = n * d;
  // Layout (bytes): q | k | v | out for one head, then the ranges of a row, a one-range tail,
  // the weights of two rows, and the softmax's max and sum (8-byte aligned for the f64 sum).
  const at: Pointers = { qPtr: 0, kPtr: headFloats * 4, vPtr: 2 * headFloats * 4, outPtr: 3 * headFloats * 4, rangesPtr: 0, tailPtr: 0, weightsPtr: 0, weights2Ptr: 0, statsPtr: 0 };
  at.rangesPtr = at.outPtr + headFloats * 4;
  at.tailPtr = at.rangesPtr + n * 8;
  at.weightsPtr = at.tailPtr + 16;
  at.weights2Ptr = at.weightsPtr + n * 4;
  // Stryker disable next-line ArithmeticOperator: `/ 8` → `* 8` puts the statistics 64 times further out in a memory reserved to match (more memory, same results); the other arithmetic mutants of the line are killed
  at.statsPtr = Math.ceil((at.weights2Ptr + n * 4) / 8) * 8;
  const memory = reserveMemory(at.statsPtr + 16);
  const kernel = new wasm!.Instance(module, { env: { memory } }).exports as KernelExports;
  const floats = new Float32Array(memory.buffer);
  const ints = new Int32Array(memory.buffer);
  const probs: SparseProbs[] = [];
  for (let h = h0; h < h1; h++) {
    const offset = h * headFloats;
    // Stryker disable next-line ArithmeticOperator: qPtr is 0, so `qPtr * 4` is `qPtr / 4`; `offset - headFloats` is killed
    floats.set(input.q.subarray(offset, offset + headFloats), at.qPtr / 4);
    floats.set(input.k.subarray(offset, offset + headFloats), at.kPtr / 4);
    floats.set(input.v.subarray(offset, offset + headFloats), at.vPtr / 4);
    const p = new HeadRun(mask.heads[h], n, d, kernel, floats, ints, at, h, buffers, options).run();
    buffers.out.set(floats.subarray(at.outPtr / 4, at.outPtr / 4 + headFloats), offset);
    // Stryker disable next-line ArithmeticOperator: `h / n` only misplaces the log-sum-exp window, and no row has a bad lse with a finite output (an infinite or NaN score makes its weight, and so the output, NaN), so the output window flags every such head
    if (overflowed(buffers, offset, headFloats, h * n, n)) {
      // float32 scores or sums overflowed (|q·k| beyond 3.4e38, or huge V): the JS loops
      // compute in float64, where any finite float32 input stays finite. Rare, so per head.
      probs.push(...sparseAttentionHeads(mask, input, h, h + 1, buffers, options));
      continue;
    }
    if (p) probs.push(p);
  }
  return probs;
}

/** Whether a head's output holds NaN or ±Inf, or its log-sum-exp NaN or +Inf (empty rows are -Inf). */
export function overflowed(buffers: AttentionBuffers, outOffset: number, outLength: number, lseOffset: number, rows: number): boolean {
  for (let x = outOffset; x < outOffset + outLength; x++) if (!Number.isFinite(buffers.out[x])) return true;
  for (let i = lseOffset; i < lseOffset + rows; i++) if (Number.isNaN(buffers.lse[i]) || buffers.lse[i] === Infinity) return true;
  return false;
}

interface Pointers {
  qPtr: number;
  kPtr: number;
  vPtr: number;
  outPtr: number;
  rangesPtr: number;
  tailPtr: number;
  weightsPtr: number;
  weights2Ptr: number;
  statsPtr: number;
}

/** Two consecutive rows pair up when their ranges agree except for where the last one ends (causal blocks). */
// Stryker disable next-line BlockStatement: never pairing (undefined is falsy) runs every row alone: same results up to float32 rounding order (see equivalent.md)
function pairable(a: RangeList, b: RangeList): boolean {
  // Stryker disable next-line ArithmeticOperator: `a.length + 1` also compares the last ranges' ends and stale entries: pairs fewer rows (the same up to rounding), never more
  const last = a.length - 1;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: `true`, `last <= 0` pair fewer rows (the same up to rounding); `last < 0` → `false`, `>= 0` pair two empty rows, whose NaN counts are falsy: both come out empty rows. The length and last-start tests → `false` or `===` are killed
  if (last < 0 || b.length !== a.length || a.starts[last] !== b.starts[last]) return false;
  // Stryker disable next-line EqualityOperator,ConditionalExpression: `r <= last` and the test → `true` pair fewer rows (the same up to rounding); the loop bound → `false` and either test → `===` pair rows that differ and are killed
  for (let r = 0; r < last; r++) if (a.starts[r] !== b.starts[r] || a.ends[r] !== b.ends[r]) return false;
  // Stryker disable next-line BooleanLiteral: never pairing runs every row alone: the same up to rounding
  return true;
}

/** One head, row by row; rows that share their keys go two at a time so K and V rows load once. */
class HeadRun {
  private readonly scaleFactor: number;
  private readonly rowPtr?: Int32Array;
  private readonly cols: number[] = [];
  private readonly values: number[] = [];
  private readonly doubles: Float64Array;

  constructor(
    private readonly head: HeadMask,
    private readonly n: number,
    private readonly d: number,
    private readonly kernel: KernelExports,
    private readonly floats: Float32Array,
    private readonly ints: Int32Array,
    private readonly at: Pointers,
    private readonly h: number,
    private readonly buffers: AttentionBuffers,
    private readonly options: CpuAttentionOptions,
  ) {
    this.scaleFactor = 1 / Math.sqrt(d);
    this.doubles = new Float64Array(floats.buffer);
    if (options.withProbs) this.rowPtr = new Int32Array(n + 1);
  }

  run(): SparseProbs | undefined {
    let current = new RangeList();
    let next = new RangeList();
    // Stryker disable next-line UnaryOperator: the first row is 0, never 1, so a start value of 1 is as unused as -1
    let nextRow = -1;
    for (let i = 0; i < this.n; ) {
      if ((i & 254) === 0 && this.options.cancel?.cancelled) throw new CancelledError();
      if (nextRow === i) [current, next] = [next, current];
      else this.head.row(i, current);
      // Stryker disable next-line ConditionalExpression,BlockStatement: no lookahead runs every row alone: the same up to rounding; `true` is killed
      if (i + 1 < this.n) {
        this.head.row(i + 1, next);
        nextRow = i + 1;
        // Stryker disable next-line ConditionalExpression,BlockStatement: not pairing runs every row alone: the same up to rounding; `true` is killed
        if (pairable(current, next)) {
          this.pair(i, current, next);
          // Stryker disable next-line UnaryOperator: after a pair i is at least 2, so 1 never matches i either
          nextRow = -1;
          i += 2;
          continue;
        }
      }
      this.single(i, current);
      i += 1;
    }
    const { rowPtr, cols, values } = this;
    return rowPtr ? { rowPtr, cols: Int32Array.from(cols), values: Float32Array.from(values) } : undefined;
  }

  private writeRanges(list: RangeList, lastEnd: number): number {
    const base = this.at.rangesPtr / 4;
    // Stryker disable next-line EqualityOperator: `<=` writes one stale range more, inside the n ranges' room; the kernel reads only the `list.length` returned
    for (let r = 0; r < list.length; r++) {
      this.ints[base + 2 * r] = list.starts[r];
      this.ints[base + 2 * r + 1] = r === list.length - 1 ? lastEnd : list.ends[r];
    }
    return list.length;
  }

  private rowBytes(i: number): number {
    return i * this.d * 4;
  }

  /** exp(s - max) in place over `count` scores at `ptr` (in the kernel); returns [max, sum]. */
  private softmaxWeights(ptr: number, count: number): [number, number] {
    const { statsPtr } = this.at;
    this.kernel.softmax(ptr, count, statsPtr);
    return [this.floats[statsPtr / 4], this.doubles[statsPtr / 8 + 1]];
  }

  private finish(i: number, list: RangeList, weightsPtr: number, max: number, sum: number, count: number): void {
    const inv = count ? 1 / sum : 0;
    this.kernel.scale(this.at.outPtr + this.rowBytes(i), this.d, inv);
    this.buffers.lse[this.h * this.n + i] = count ? max + Math.log(sum) : -Infinity;
    if (!this.rowPtr) return;
    let t = weightsPtr / 4;
    for (let r = 0; r < list.length; r++) {
      for (let j = list.starts[r]; j < list.ends[r]; j++) {
        this.cols.push(j);
        this.values.push(this.floats[t++] * inv);
      }
    }
    this.rowPtr[i + 1] = this.cols.length;
  }

  private single(i: number, list: RangeList): void {
    const { kernel, at, d } = this;
    const last = list.length - 1;
    // Stryker disable next-line ConditionalExpression: for an empty row lastEnd is unused (no range is written)
    const nr = this.writeRanges(list, last >= 0 ? list.ends[last] : 0);
    const out = at.outPtr + this.rowBytes(i);
    this.floats.fill(0, out / 4, out / 4 + d);
    kernel.scores(at.qPtr + this.rowBytes(i), at.kPtr, at.rangesPtr, nr, d, this.scaleFactor, at.weightsPtr);
    const count = list.count();
    const [max, sum] = this.softmaxWeights(at.weightsPtr, count);
    kernel.axpy(at.vPtr, at.rangesPtr, nr, d, at.weightsPtr, out);
    this.finish(i, list, at.weightsPtr, max, sum, count);
  }

  private pair(i: number, a: RangeList, b: RangeList): void {
    const { kernel, at, d } = this;
    const last = a.length - 1;
    const endA = a.ends[last];
    const endB = b.ends[last];
    const sharedEnd = Math.min(endA, endB);
    const nr = this.writeRanges(a, sharedEnd);
    const sharedCount = a.count() - (endA - sharedEnd);
    const outA = at.outPtr + this.rowBytes(i);
    const outB = at.outPtr + this.rowBytes(i + 1);
    this.floats.fill(0, outA / 4, outA / 4 + 2 * d);
    kernel.scores2(at.qPtr + this.rowBytes(i), at.qPtr + this.rowBytes(i + 1), at.kPtr, at.rangesPtr, nr, d, this.scaleFactor, at.weightsPtr, at.weights2Ptr);
    // The longer row's extra keys, after the shared ones in its own weight buffer.
    // Stryker disable next-line EqualityOperator: at endA = endB there is no tail, so which row's buffers would take it does not matter; `<` is killed
    const longer = endB > endA ? 1 : 0;
    const tailEnd = Math.max(endA, endB);
    const tailWeights = (longer ? at.weights2Ptr : at.weightsPtr) + sharedCount * 4;
    const tailQuery = at.qPtr + this.rowBytes(i + longer);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: at tailEnd = sharedEnd the tail range is empty: the kernel scores no key; `false` and `<` are killed
    if (tailEnd > sharedEnd) {
      this.ints[at.tailPtr / 4] = sharedEnd;
      this.ints[at.tailPtr / 4 + 1] = tailEnd;
      kernel.scores(tailQuery, at.kPtr, at.tailPtr, 1, d, this.scaleFactor, tailWeights);
    }
    const countA = sharedCount + (endA - sharedEnd);
    const countB = sharedCount + (endB - sharedEnd);
    const [maxA, sumA] = this.softmaxWeights(at.weightsPtr, countA);
    const [maxB, sumB] = this.softmaxWeights(at.weights2Ptr, countB);
    kernel.axpy2(at.vPtr, at.rangesPtr, nr, d, at.weightsPtr, at.weights2Ptr, outA, outB);
    if (tailEnd > sharedEnd) kernel.axpy(at.vPtr, at.tailPtr, 1, d, tailWeights, longer ? outB : outA);
    this.finish(i, a, at.weightsPtr, maxA, sumA, countA);
    this.finish(i + 1, b, at.weights2Ptr, maxB, sumB, countB);
  }
}

/** Scaled scores q_i·k_j/√d of one head's query row against ranges of keys, in visiting order. */
export type RowScorer = (i: number, keys: RangeList) => Float32Array;

/**
 * The SIMD kernel's score loop for one head, for callers that need scores of chosen rows and keys
 * only (the viewport pooling); undefined where the SIMD kernel cannot run.
 */
export function simdRowScorer(input: QKV, head: number): RowScorer | undefined {
  const module = kernelModule();
  const { n, d } = input;
  if (!module || d % 4 !== 0) return undefined;
  const headFloats = n * d;
  const qPtr = 0;
  const kPtr = headFloats * 4;
  const rangesPtr = 2 * headFloats * 4;
  const scoresPtr = rangesPtr + n * 8;
  let memory;
  try {
    memory = reserveMemory(scoresPtr + n * 4);
  } catch {
    return undefined; // the JS scorer serves instead
  }
  const kernel = new wasm!.Instance(module, { env: { memory } }).exports as KernelExports;
  const floats = new Float32Array(memory.buffer);
  const ints = new Int32Array(memory.buffer);
  // Stryker disable next-line ArithmeticOperator: qPtr is 0, so `qPtr * 4` is `qPtr / 4`; the others are killed
  floats.set(input.q.subarray(head * headFloats, (head + 1) * headFloats), qPtr / 4);
  floats.set(input.k.subarray(head * headFloats, (head + 1) * headFloats), kPtr / 4);
  const scale = 1 / Math.sqrt(d);
  return (i, keys) => {
    // Stryker disable next-line EqualityOperator: `<=` writes one range more before the scores area, which the kernel overwrites or never reads (it reads `keys.length` ranges)
    for (let r = 0; r < keys.length; r++) {
      ints[rangesPtr / 4 + 2 * r] = keys.starts[r];
      ints[rangesPtr / 4 + 2 * r + 1] = keys.ends[r];
    }
    kernel.scores(qPtr + i * d * 4, kPtr, rangesPtr, keys.length, d, scale, scoresPtr);
    return floats.subarray(scoresPtr / 4, scoresPtr / 4 + keys.count());
  };
}
