/**
 * The forward pass's one matrix product, y[n, k] = x[n, d] · W[d, k] + b, which is nearly all of its
 * time. W is packed once when read (packWeights) into panels of 8 columns, each panel's d rows
 * contiguous, so that a tile of 4 x rows × 8 columns streams one panel from the start to the end.
 * The WebAssembly SIMD kernel (matmulSimd.ts) computes it where the runtime has SIMD; otherwise a
 * JavaScript kernel with the same tiling does. The SIMD kernel sums in float32 (as PyTorch does), the
 * JavaScript one in float64; both store float32.
 */
import { matmulSimd } from './matmulSimd';
import { ModelError } from './weights';

/** Columns per panel: two f32x4 lanes. */
export const PANEL_WIDTH = 8;

/** W [d, k] packed: panel p holds W[c, 8p .. 8p+7] for c = 0 .. d-1, zeros past column k. */
export interface PackedWeights {
  readonly inDim: number;
  readonly outDim: number;
  readonly panels: number;
  /** [panels, inDim, 8] float32. */
  readonly data: Float32Array;
}

/** How a weight is stored: nn.Linear's [out, in] or Conv1D's (and a plain x·W's) [in, out]. */
export type WeightLayout = 'out-in' | 'in-out';

/** W as stored (`layout`) packed for matmul in one pass: no transposed copy in between. */
export function packWeights(w: Float32Array, inDim: number, outDim: number, layout: WeightLayout): PackedWeights {
  if (w.length !== inDim * outDim) throw new ModelError(`a weight of ${w.length} values is not [${layout === 'out-in' ? `${outDim}, ${inDim}` : `${inDim}, ${outDim}`}]`);
  const panels = Math.ceil(outDim / PANEL_WIDTH);
  const data = new Float32Array(panels * inDim * PANEL_WIDTH);
  // Loops in the order that reads W sequentially (or in 8 sequential streams) and writes runs of 8.
  if (layout === 'in-out') {
    const panelSize = inDim * PANEL_WIDTH;
    for (let c = 0; c < inDim; c++) {
      const from = c * outDim;
      let at = c * PANEL_WIDTH;
      let o = 0;
      for (; o + PANEL_WIDTH <= outDim; o += PANEL_WIDTH, at += panelSize) {
        data[at] = w[from + o];
        data[at + 1] = w[from + o + 1];
        data[at + 2] = w[from + o + 2];
        data[at + 3] = w[from + o + 3];
        data[at + 4] = w[from + o + 4];
        data[at + 5] = w[from + o + 5];
        data[at + 6] = w[from + o + 6];
        data[at + 7] = w[from + o + 7];
      }
      // The last, partial panel.
      for (let lane = 0; o < outDim; o++, lane++) data[at + lane] = w[from + o];
    }
  } else {
    for (let p = 0; p < panels; p++) {
      const lanes = Math.min(PANEL_WIDTH, outDim - p * PANEL_WIDTH);
      const to = p * inDim * PANEL_WIDTH;
      for (let j = 0; j < lanes; j++) {
        const from = (p * PANEL_WIDTH + j) * inDim;
        for (let c = 0; c < inDim; c++) data[to + c * PANEL_WIDTH + j] = w[from + c];
      }
    }
  }
  return { inDim, outDim, panels, data };
}

/** Which kernel computes a product: 'auto' is SIMD where available, else JavaScript. */
export type MatmulPath = 'auto' | 'simd' | 'js';

let defaultPath: MatmulPath = 'auto';

/** The path matmul takes when its caller names none (the whole forward pass): benches and tests time and check each. */
export function setDefaultMatmulPath(path: MatmulPath): void {
  defaultPath = path;
}

/**
 * y [n, outDim] = x [n, inDim] · W + bias (bias [outDim], optional). `path` 'simd' fails where the
 * SIMD kernel cannot run (tests ask for each path by name).
 */
export function matmul(x: Float32Array, n: number, w: PackedWeights, bias?: Float32Array, path: MatmulPath = defaultPath): Float32Array {
  const { inDim, outDim, panels } = w;
  if (x.length !== n * inDim) throw new ModelError(`the input has ${x.length} values, not [${n}, ${inDim}] as the weight needs`);
  if (bias && bias.length !== outDim) throw new ModelError(`a bias of ${bias.length} values does not fit a weight with ${outDim} outputs`);
  const y = new Float32Array(n * outDim);
  if (n === 0 || outDim === 0) return y;
  const padded = new Float32Array(panels * PANEL_WIDTH);
  if (bias) padded.set(bias);
  if (path !== 'js' && matmulSimd(x, n, inDim, w.data, panels, padded, y, outDim)) return y;
  if (path === 'simd') throw new Error('the WebAssembly SIMD matmul cannot run here (no SIMD, or its memory could not be reserved)');
  matmulJs(x, n, inDim, w.data, panels, padded, y, outDim);
  return y;
}

/** Stores up to 4 consecutive outputs of one row (fewer at the last panel's edge). */
function put(y: Float32Array, at: number, count: number, a: number, b: number, c: number, d: number): void {
  if (count >= 4) {
    y[at] = a;
    y[at + 1] = b;
    y[at + 2] = c;
    y[at + 3] = d;
    return;
  }
  y[at] = a;
  if (count > 1) y[at + 1] = b;
  if (count > 2) y[at + 2] = c;
}

/** The JavaScript kernel: tiles of 4 rows × 4 columns (half a panel), 16 sums in locals. */
function matmulJs(x: Float32Array, n: number, d: number, w: Float32Array, panels: number, bias: Float32Array, y: Float32Array, outDim: number): void {
  for (let p = 0; p < panels; p++) {
    for (let half = 0; half < PANEL_WIDTH; half += 4) {
      const col = p * PANEL_WIDTH + half;
      if (col >= outDim) break;
      const count = Math.min(4, outDim - col);
      const [b0, b1, b2, b3] = [bias[col], bias[col + 1], bias[col + 2], bias[col + 3]];
      const start = p * d * PANEL_WIDTH + half;
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        let [s00, s01, s02, s03, s10, s11, s12, s13] = [b0, b1, b2, b3, b0, b1, b2, b3];
        let [s20, s21, s22, s23, s30, s31, s32, s33] = [b0, b1, b2, b3, b0, b1, b2, b3];
        const r0 = i * d;
        const r1 = r0 + d;
        const r2 = r1 + d;
        const r3 = r2 + d;
        for (let c = 0, k = start; c < d; c++, k += PANEL_WIDTH) {
          const w0 = w[k];
          const w1 = w[k + 1];
          const w2 = w[k + 2];
          const w3 = w[k + 3];
          const x0 = x[r0 + c];
          const x1 = x[r1 + c];
          const x2 = x[r2 + c];
          const x3 = x[r3 + c];
          s00 += x0 * w0;
          s01 += x0 * w1;
          s02 += x0 * w2;
          s03 += x0 * w3;
          s10 += x1 * w0;
          s11 += x1 * w1;
          s12 += x1 * w2;
          s13 += x1 * w3;
          s20 += x2 * w0;
          s21 += x2 * w1;
          s22 += x2 * w2;
          s23 += x2 * w3;
          s30 += x3 * w0;
          s31 += x3 * w1;
          s32 += x3 * w2;
          s33 += x3 * w3;
        }
        put(y, i * outDim + col, count, s00, s01, s02, s03);
        put(y, (i + 1) * outDim + col, count, s10, s11, s12, s13);
        put(y, (i + 2) * outDim + col, count, s20, s21, s22, s23);
        put(y, (i + 3) * outDim + col, count, s30, s31, s32, s33);
      }
      for (; i < n; i++) {
        let [s0, s1, s2, s3] = [b0, b1, b2, b3];
        const r = i * d;
        for (let c = 0, k = start; c < d; c++, k += PANEL_WIDTH) {
          const xc = x[r + c];
          s0 += xc * w[k];
          s1 += xc * w[k + 1];
          s2 += xc * w[k + 2];
          s3 += xc * w[k + 3];
        }
        put(y, i * outDim + col, count, s0, s1, s2, s3);
      }
    }
  }
}
