/**
 * The block-GEMM path for heads of block form (blockStructure.ts): per head, the summary keys and
 * values are gathered once into panels; per query block, its own keys join them, and the kernel's
 * blockQueries (one call per query block) runs 4 queries at a time over column chunks:
 * register-tiled scores, an online (running-max) softmax with a vectorised exp, and register-tiled
 * weights x V; with fused multiply-adds where the engine has relaxed SIMD (wasmModule.ts). Every width is
 * padded to the tile (d to 8, keys to 8, queries to 4) and the padding masked, so any d works.
 *
 * The key panel is packed by 8 columns (d x 8 transposed keys each, contiguous: the kernel streams
 * them). Panel columns: [0, lPad) the own block, then [lPad, lPad + G) the gathered summary columns of
 * every block in order. Causal queries of block b use the prefix of the summaries (blocks < b);
 * bidirectional ones all of them but their own block's (which the own block already holds).
 */
import type { PatternMask } from '../mask';
import { AttentionBuffers, CpuAttentionOptions, sparseAttentionHeads } from './cpu';
import { BlockStructure } from './blockStructure';
import { overflowed } from './simd';
import { CancelledError, QKV } from './types';
import { instantiate, kernelModule, reserveMemory } from './wasmModule';

interface BlockTileKernel {
  blockQueries(
    q: number, d: number, kt: number, v: number, dPad: number, scale: number, s: number, o: number, state: number,
    rows: number, len: number, lPad: number, causal: number, gapLo: number, gapHi: number, sumHi: number, chunk: number,
  ): void;
  packKeys(src: number, rows: number, d: number, dst: number): void;
  packQueries(src: number, rows: number, d: number, dst: number): void;
}

/** Keys per blockTileRows pass: a chunk of the K and V panels (64 KiB each at d = 64) stays in cache across a block's queries. */
const CHUNK = 256;

// Stryker disable next-line ArithmeticOperator: `x * m` rounds x to x·m², still a multiple of m: every padding grows (masked or dropped, as before), so only memory and time grow; `/ m` is killed
const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

export function blockGemmAvailable(): boolean {
  return kernelModule() !== null;
}

/** Byte offsets of one call's panels in its WebAssembly memory. */
interface Layout {
  state: number;
  kt: number;
  v: number;
  q: number;
  o: number;
  s: number;
  /** A block's keys (then its queries) as they come, before packKeys (packQueries) packs them. */
  stage: number;
  end: number;
}

/** Gathered summary columns of every block, in block order, and where each block's start ([blocks + 1]). */
function summaryColumns(n: number, { l, sets }: BlockStructure): { columns: Int32Array; starts: Int32Array } {
  // Stryker disable next-line ArithmeticOperator: `n * l` counts blocks past the sequence, whose columns are all clipped to n (none), so starts ends with the same total
  const blocks = Math.ceil(n / l);
  const starts = new Int32Array(blocks + 1);
  const columns: number[] = [];
  // Stryker disable next-line EqualityOperator: `<=` adds a block past the sequence with no columns: starts[blocks] is the same total; `>=` is killed
  for (let b = 0; b < blocks; b++) {
    starts[b] = columns.length;
    for (const s of sets) for (let x = Math.min(n, b * l + s.from); x < Math.min(n, b * l + s.to); x++) columns.push(x);
  }
  starts[blocks] = columns.length;
  return { columns: Int32Array.from(columns), starts };
}

/**
 * The listed heads, each of block form `structures[i]`, into `buffers`. No probabilities: callers
 * that want them take the row-run kernels.
 */
export function blockGemmHeads(
  mask: PatternMask,
  input: QKV,
  heads: number[],
  structures: BlockStructure[],
  buffers: AttentionBuffers,
  options: CpuAttentionOptions = {},
): void {
  const gemm = new BlockGemm(mask, input, structures, buffers, options);
  heads.forEach((h, i) => gemm.run(h, structures[i], 0, gemm.blockCount(structures[i])));
}

/**
 * One WebAssembly memory sized for the given structures, serving any number of (head, query
 * blocks) units; a head's summaries are gathered when a unit of another head comes.
 */
export class BlockGemm {
  private readonly kernel: BlockTileKernel;
  private readonly floats: Float32Array;
  private readonly doubles: Float64Array;
  private readonly at: Layout;
  private readonly dPad: number;
  private readonly gathered = new Map<BlockStructure, { columns: Int32Array; starts: Int32Array }>();
  private current?: { h: number; run: BlockHeadRun };

  constructor(
    private readonly mask: PatternMask,
    private readonly input: QKV,
    structures: BlockStructure[],
    private readonly buffers: AttentionBuffers,
    private readonly options: CpuAttentionOptions,
  ) {
    const module = kernelModule();
    if (!module) throw new Error('the block-GEMM path needs WebAssembly SIMD');
    const { n, d } = input;
    this.dPad = roundUp(d, 8);
    // Stryker disable next-line ConditionalExpression: `true` gathers a shared structure again, to equal columns; `false` is killed
    for (const s of structures) if (!this.gathered.has(s)) this.gathered.set(s, summaryColumns(n, s));
    // Stryker disable next-line MethodExpression: the inner `Math.max(s.l, n)` sizes for blocks of n rows at least, more than any block: only memory grows; the outer `Math.min` is killed
    const maxL = Math.max(...structures.map((s) => Math.min(s.l, n)));
    const maxG = Math.max(...[...this.gathered.values()].map((g) => g.columns.length));
    const widthMax = roundUp(maxL, 8) + roundUp(maxG, 8);
    const rowsPad = roundUp(maxL, 4);
    const at: Layout = { state: 0, kt: 0, v: 0, q: 0, o: 0, s: 0, stage: 0, end: 0 };
    at.kt = rowsPad * 16;
    at.v = at.kt + d * widthMax * 4;
    at.q = at.v + widthMax * this.dPad * 4;
    at.o = at.q + rowsPad * d * 4;
    at.s = at.o + rowsPad * this.dPad * 4;
    at.stage = at.s + 4 * CHUNK * 4;
    at.end = at.stage + rowsPad * d * 4;
    this.at = at;
    const memory = reserveMemory(at.end);
    this.kernel = instantiate<BlockTileKernel>(module, memory);
    this.floats = new Float32Array(memory.buffer);
    this.doubles = new Float64Array(memory.buffer);
  }

  blockCount(structure: BlockStructure): number {
    return Math.ceil(this.input.n / Math.min(structure.l, this.input.n));
  }

  /** Query blocks [b0, b1) of head h; rows whose float32 arithmetic overflowed are redone in float64. */
  run(h: number, structure: BlockStructure, b0: number, b1: number): void {
    // Stryker disable next-line ConditionalExpression: `true` starts a new head run (gathering the same summaries again) for every unit: only time; `false` is killed
    if (this.current?.h !== h) {
      const gathered = this.gathered.get(structure) ?? summaryColumns(this.input.n, structure);
      this.current = { h, run: new BlockHeadRun(this.input, h, structure, gathered, this.kernel, this.floats, this.doubles, this.at, this.dPad, this.buffers, this.options) };
    }
    const { n, d } = this.input;
    const l = Math.min(structure.l, n);
    const from = b0 * l;
    const to = Math.min(n, b1 * l);
    this.current.run.blocks(b0, b1);
    // Stryker disable next-line ArithmeticOperator: `h / n` in the log-sum-exp window only: no row has a bad lse with a finite output (simd.ts), so the output window flags every overflow; the output window's mutants and `to + from` are killed
    if (overflowed(this.buffers, (h * n + from) * d, (to - from) * d, h * n + from, to - from)) {
      // float32 scores or sums overflowed: the JS loops compute these rows in float64 (see simd.ts).
      sparseAttentionHeads(this.mask, this.input, h, h + 1, this.buffers, { ...this.options, withProbs: false, rows: { from, to } });
    }
  }
}

class BlockHeadRun {
  private readonly l: number;
  private readonly lPad: number;
  /** Panel width in floats: own block plus every gathered summary column, padded to 8. */
  private readonly width: number;

  constructor(
    private readonly input: QKV,
    private readonly h: number,
    private readonly structure: BlockStructure,
    private readonly gathered: { columns: Int32Array; starts: Int32Array },
    private readonly kernel: BlockTileKernel,
    private readonly floats: Float32Array,
    private readonly doubles: Float64Array,
    private readonly at: Layout,
    private readonly dPad: number,
    private readonly buffers: AttentionBuffers,
    private readonly options: CpuAttentionOptions,
  ) {
    this.l = Math.min(structure.l, input.n);
    this.lPad = roundUp(this.l, 8);
    this.width = this.lPad + roundUp(gathered.columns.length, 8);
    this.fillSummaries();
  }

  /** Query blocks [b0, b1). */
  blocks(b0: number, b1: number): void {
    const { n } = this.input;
    for (let b = b0; b < b1; b++) {
      if (this.options.cancel?.cancelled) throw new CancelledError();
      const r0 = b * this.l;
      this.block(b, r0, Math.min(this.l, n - r0));
    }
  }

  /** The gathered summary keys (transposed) and values, once per head; padding columns are zeroed. */
  private fillSummaries(): void {
    const { d, k, v, n } = this.input;
    const { floats, width, lPad, dPad } = this;
    const kt = this.at.kt / 4;
    const vp = this.at.v / 4;
    const base = this.h * n * d;
    const columns = this.gathered.columns;
    // Stryker disable next-line ArithmeticOperator: the key panel's padding columns need no zeros: the kernel masks them by select (-inf whatever they hold, NaN too); the value panel's zeroing (next line) is tested
    floats.fill(0, kt, kt + d * width);
    floats.fill(0, vp, vp + width * dPad);
    for (let g = 0; g < columns.length; g++) {
      const from = base + columns[g] * d;
      const row = vp + (lPad + g) * dPad;
      const x = lPad + g;
      const packed = kt + (x >> 3) * 8 * d + (x & 7);
      for (let c = 0; c < d; c++) {
        floats[packed + 8 * c] = k[from + c];
        floats[row + c] = v[from + c];
      }
    }
  }

  private block(b: number, r0: number, len: number): void {
    const { d, k, v, q, n } = this.input;
    const { floats, doubles, lPad, dPad, at, kernel } = this;
    const base = this.h * n * d;
    const vp = at.v / 4;
    floats.set(k.subarray(base + r0 * d, base + (r0 + len) * d), at.stage / 4);
    kernel.packKeys(at.stage, len, d, at.kt);
    // Stryker disable next-line ConditionalExpression: at dPad = d the row-by-row copy below writes the same floats; `true` is killed
    if (dPad === d) floats.set(v.subarray(base + r0 * d, base + (r0 + len) * d), vp);
    else for (let x = 0; x < len; x++) floats.set(v.subarray(base + (r0 + x) * d, base + (r0 + x + 1) * d), vp + x * dPad);
    const rows = roundUp(len, 4);
    floats.set(q.subarray(base + r0 * d, base + (r0 + len) * d), at.stage / 4);
    // Stryker disable next-line ArithmeticOperator: the zeros only feed padding queries (rows len..rows of the last tile), whose outputs and statistics are never read, and each query row is its own softmax
    floats.fill(0, at.stage / 4 + len * d, at.stage / 4 + rows * d);
    kernel.packQueries(at.stage, rows, d, at.q);
    const causal = !this.structure.bidirectional;
    const { starts } = this.gathered;
    const sumHi = lPad + (causal ? starts[b] : starts[starts.length - 1]);
    const gapLo = causal ? sumHi : lPad + starts[b];
    const gapHi = causal ? sumHi : lPad + starts[b + 1];
    kernel.blockQueries(at.q, d, at.kt, at.v, dPad, 1 / Math.sqrt(d), at.s, at.o, at.state, rows, len, lPad, causal ? 1 : 0, gapLo, gapHi, sumHi, CHUNK);
    const { out, lse } = this.buffers;
    // Stryker disable next-line ConditionalExpression: at dPad = d the row-by-row copy below reads the same floats; `true` is killed
    if (dPad === d) out.set(floats.subarray(at.o / 4, at.o / 4 + len * d), base + r0 * d);
    else for (let x = 0; x < len; x++) out.set(floats.subarray(at.o / 4 + x * dPad, at.o / 4 + x * dPad + d), base + (r0 + x) * d);
    // Per tile of 4 rows, 48 bytes: the 4 f32 maxima, then the 4 f64 sums (kernel.wat, blockTile).
    for (let x = 0; x < len; x++) {
      const tile = x >> 2;
      // Stryker disable next-line ArithmeticOperator: at.state is 0, so `at.state * 4` and `* 8` are `/ 4` and `/ 8`; the other arithmetic mutants of the line are killed
      lse[this.h * n + r0 + x] = floats[at.state / 4 + 12 * tile + (x & 3)] + Math.log(doubles[at.state / 8 + 6 * tile + 2 + (x & 3)]);
    }
  }
}
