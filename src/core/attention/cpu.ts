/**
 * The fast CPU path: per head, per row, only the allowed columns, read as contiguous ranges of
 * K and V rows (the own-block triangle and each summary strip are runs of consecutive keys).
 * Scores and accumulators are JS doubles; storage is float32. No n×n buffer exists.
 */
import type { HeadMask, PatternMask } from '../mask';
import { RangeList } from '../ranges';
import { CancelledError, CancelToken, checkShapes, QKV, SparseProbs } from './types';

export interface CpuAttentionOptions {
  withProbs?: boolean;
  cancel?: CancelToken;
  /** Only rows [from, to) of each head (no probabilities then): a scheduled unit's fallback. */
  rows?: { from: number; to: number };
}

/** Output buffers; they may be views of shared memory written by several workers. */
export interface AttentionBuffers {
  out: Float32Array;
  lse: Float32Array;
}

export function allocateBuffers(input: QKV): AttentionBuffers {
  return { out: new Float32Array(input.heads * input.n * input.d), lse: new Float32Array(input.heads * input.n) };
}

/** Computes heads [h0, h1) into `buffers`; returns their probabilities when asked. */
export function sparseAttentionHeads(
  mask: PatternMask,
  input: QKV,
  h0: number,
  h1: number,
  buffers: AttentionBuffers,
  options: CpuAttentionOptions = {},
): SparseProbs[] {
  checkShapes(input);
  const probs: SparseProbs[] = [];
  for (let h = h0; h < h1; h++) {
    const p = attendHead(mask.heads[h], input, h, buffers, options);
    if (p) probs.push(p);
  }
  return probs;
}

function attendHead(head: HeadMask, input: QKV, h: number, buffers: AttentionBuffers, options: CpuAttentionOptions): SparseProbs | undefined {
  const { n, d, q, k, v } = input;
  const { out, lse } = buffers;
  const scale = 1 / Math.sqrt(d);
  const base = h * n * d;
  const list = new RangeList();
  let scores = new Float64Array(256);
  const acc = new Float64Array(d);
  const rowPtr = options.withProbs ? new Int32Array(n + 1) : undefined;
  const cols: number[] = [];
  const values: number[] = [];
  const rows = options.withProbs ? { from: 0, to: n } : (options.rows ?? { from: 0, to: n });
  for (let i = rows.from; i < rows.to; i++) {
    if ((i & 255) === 0 && options.cancel?.cancelled) throw new CancelledError();
    head.row(i, list);
    const count = list.count();
    // Stryker disable next-line EqualityOperator,ArithmeticOperator: growing at equality, or to exactly `count`, only changes when memory is taken; `Math.min` and `<=` are killed
    if (count > scores.length) scores = new Float64Array(Math.max(count, scores.length * 2));
    const qo = base + i * d;
    // Pass 1: scaled scores over the allowed keys, and their maximum.
    let t = 0;
    let max = -Infinity;
    for (let r = 0; r < list.length; r++) {
      for (let j = list.starts[r], ko = base + j * d; j < list.ends[r]; j++, ko += d) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let c = 0;
        // Stryker disable next-line ConditionalExpression: `false` leaves every term to the tail loop: the same dot product summed in another order (rounding only); `true` is killed
        for (; c + 3 < d; c += 4) {
          s0 += q[qo + c] * k[ko + c];
          s1 += q[qo + c + 1] * k[ko + c + 1];
          s2 += q[qo + c + 2] * k[ko + c + 2];
          s3 += q[qo + c + 3] * k[ko + c + 3];
        }
        for (; c < d; c++) s0 += q[qo + c] * k[ko + c];
        const s = (s0 + s1 + s2 + s3) * scale;
        scores[t++] = s;
        // Stryker disable next-line EqualityOperator: `>=` assigns an equal maximum; `<=` is killed
        if (s > max) max = s;
      }
    }
    // Pass 2: weights and the weighted sum of V rows, normalized once at the end.
    acc.fill(0);
    let sum = 0;
    t = 0;
    for (let r = 0; r < list.length; r++) {
      for (let j = list.starts[r], vo = base + j * d; j < list.ends[r]; j++, vo += d) {
        const w = Math.exp(scores[t] - max);
        scores[t++] = w;
        sum += w;
        // Stryker disable next-line EqualityOperator: `c <= d` adds into acc[d], past the end of the typed array (ignored); `>=` is killed
        for (let c = 0; c < d; c++) acc[c] += w * v[vo + c];
      }
    }
    const oo = base + i * d;
    const inv = count ? 1 / sum : 0;
    for (let c = 0; c < d; c++) out[oo + c] = acc[c] * inv;
    lse[h * n + i] = count ? max + Math.log(sum) : -Infinity;
    if (rowPtr) {
      t = 0;
      for (let r = 0; r < list.length; r++) {
        for (let j = list.starts[r]; j < list.ends[r]; j++) {
          cols.push(j);
          values.push(scores[t++] * inv);
        }
      }
      rowPtr[i + 1] = cols.length;
    }
  }
  return rowPtr ? { rowPtr, cols: Int32Array.from(cols), values: Float32Array.from(values) } : undefined;
}
