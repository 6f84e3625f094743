/**
 * Attention probabilities from a layer's Q/K/V, and how much of it a pattern keeps.
 * - denseAttention: the model's own attention, [heads, n, n] (causal or bidirectional as the model is).
 * - patternAttention: the same softmax over only the cells a pattern mask allows (intersected with
 *   the model's causal cut), zero elsewhere.
 * - coverage: per head, the share of the dense attention's probability mass that falls inside the
 *   pattern, averaged over rows, with the worst rows; and the layer mean.
 * Masks are the pattern engine's per-head row ranges (src/core/mask.ts), never n×n matrices.
 * (src/core/coverage.ts is another thing: the column-interval tree the statistics use.)
 */
import type { QKV } from '../core/attention/types';
import type { HeadMask, PatternMask } from '../core/mask';
import { RangeList } from '../core/ranges';
import type { LayerQkv } from './layerQkv';
import { matmul, packWeights } from './matmul';
import { ModelError } from './weights';

/** Probabilities [heads, n, n] float32, row-major; row i of head h sums to 1 (or is all zero when it may attend to nothing). */
export interface AttentionMaps {
  heads: number;
  n: number;
  probs: Float32Array;
}

/** One row's softmax over the columns in `allowed`, written into probs at `at` (scores in float64, in `scores` [n]). */
function softmaxRow(qkv: LayerQkv, h: number, i: number, allowed: RangeList, scores: Float64Array, probs: Float32Array, at: number): void {
  const { n, headDim: d, q, k, scale } = qkv;
  const qAt = (h * n + i) * d;
  let max = -Infinity;
  for (let r = 0; r < allowed.length; r++) {
    for (let j = allowed.starts[r]; j < allowed.ends[r]; j++) {
      const kAt = (h * n + j) * d;
      let s = 0;
      for (let c = 0; c < d; c++) s += q[qAt + c] * k[kAt + c];
      scores[j] = s * scale;
      if (scores[j] > max) max = scores[j];
    }
  }
  let sum = 0;
  for (let r = 0; r < allowed.length; r++) for (let j = allowed.starts[r]; j < allowed.ends[r]; j++) sum += scores[j] = Math.exp(scores[j] - max);
  for (let r = 0; r < allowed.length; r++) for (let j = allowed.starts[r]; j < allowed.ends[r]; j++) probs[at + j] = scores[j] / sum;
}

function attentionOver(qkv: LayerQkv, rowOf: (h: number, i: number, out: RangeList) => void): AttentionMaps {
  const { heads, n } = qkv;
  const probs = new Float32Array(heads * n * n);
  const allowed = new RangeList();
  const scores = new Float64Array(n);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < n; i++) {
      rowOf(h, i, allowed);
      softmaxRow(qkv, h, i, allowed, scores, probs, (h * n + i) * n);
    }
  }
  return { heads, n, probs };
}

/** The model's own attention: every key (bidirectional) or every key up to the query (causal). */
export function denseAttention(qkv: LayerQkv): AttentionMaps {
  return attentionOver(qkv, (_h, i, out) => {
    out.clear();
    out.push(0, qkv.causal ? i + 1 : qkv.n);
  });
}

function checkMaskFits(mask: PatternMask, heads: number, n: number, what: string): void {
  if (mask.n !== n) throw new ModelError(`the pattern is built for n = ${mask.n} but ${what} has ${n} tokens: build it with n = ${n}`);
  if (mask.heads.length !== heads) throw new ModelError(`the pattern has ${mask.heads.length} heads but ${what} has ${heads}: build it with heads = ${heads}`);
}

/** Row i of a pattern head, cut at the diagonal for a causal model. */
function patternRow(head: HeadMask, i: number, causal: boolean, out: RangeList): void {
  head.row(i, out);
  if (!causal) return;
  let kept = 0;
  for (let r = 0; r < out.length && out.starts[r] <= i; r++) {
    out.ends[r] = Math.min(out.ends[r], i + 1);
    kept = r + 1;
  }
  out.length = kept;
}

/** The model's softmax restricted to the pattern's cells (and, for a causal model, to keys j <= i). */
export function patternAttention(qkv: LayerQkv, mask: PatternMask): AttentionMaps {
  checkMaskFits(mask, qkv.heads, qkv.n, `layer ${qkv.layer}`);
  return attentionOver(qkv, (h, i, out) => patternRow(mask.heads[h], i, qkv.causal, out));
}

/** The weighted sum of V per head: [heads, n, headDim] (what a block feeds to its output projection). */
export function attentionOutput(maps: AttentionMaps, v: Float32Array, headDim: number): Float32Array {
  const { heads, n, probs } = maps;
  const out = new Float32Array(heads * n * headDim);
  const row = new Float64Array(headDim);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < n; i++) {
      row.fill(0);
      const pAt = (h * n + i) * n;
      for (let j = 0; j < n; j++) {
        const p = probs[pAt + j];
        if (p === 0) continue;
        const vAt = (h * n + j) * headDim;
        for (let c = 0; c < headDim; c++) row[c] += p * v[vAt + c];
      }
      out.set(row, (h * n + i) * headDim);
    }
  }
  return out;
}

/**
 * What a block passes on from its attention: the weighted sum of V per head, [heads, n, headDim],
 * through the matmul kernel (scores = Q · Kᵀ, the softmax cut at the diagonal for a causal model,
 * then P · V) rather than the row loops of denseAttention and attentionOutput, which stay for the
 * probabilities the reports show. Dense: the causal half computed and then zeroed costs less than
 * the kernel saves.
 */
export function blockAttentionOutput(qkv: LayerQkv): Float32Array {
  const { heads, n, headDim: d, q, k, v, scale, causal } = qkv;
  const out = new Float32Array(heads * n * d);
  for (let h = 0; h < heads; h++) {
    const at = h * n * d;
    // K [n, d] is Kᵀ's nn.Linear layout (out = n keys, in = d); V [n, d] is P · V's [in, out].
    const probs = matmul(q.subarray(at, at + n * d), n, packWeights(k.subarray(at, at + n * d), d, n, 'out-in'));
    for (let i = 0; i < n; i++) {
      const row = i * n;
      const end = causal ? i + 1 : n;
      let max = -Infinity;
      for (let j = 0; j < end; j++) max = Math.max(max, probs[row + j] * scale);
      let sum = 0;
      for (let j = 0; j < end; j++) sum += probs[row + j] = Math.exp(probs[row + j] * scale - max);
      for (let j = 0; j < end; j++) probs[row + j] /= sum;
      probs.fill(0, row + end, row + n);
    }
    out.set(matmul(probs, n, packWeights(v.subarray(at, at + n * d), n, d, 'in-out')), at);
  }
  return out;
}

/**
 * The layer's Q/K/V in the form the project's sparse kernels take (src/core/attention: CPU, SIMD,
 * gpu.js). They scale scores by 1/sqrt(d); Q is rescaled here so that they compute the model's own
 * scale (GPT-2's scale_attn_by_inverse_layer_idx divides further by layer + 1). Their masks are the
 * pattern's own: give a causal pattern for a causal model.
 */
export function sparseKernelInput(qkv: LayerQkv): QKV {
  const factor = qkv.scale * Math.sqrt(qkv.headDim);
  const q = factor === 1 ? qkv.q : qkv.q.map((x) => x * factor);
  return { heads: qkv.heads, n: qkv.n, d: qkv.headDim, q, k: qkv.k, v: qkv.v };
}

export interface RowShare {
  row: number;
  /** The share of the row's probability mass inside the pattern, in [0, 1]. */
  share: number;
}

export interface HeadCoverage {
  head: number;
  /** The mean over rows of each row's share inside the pattern. */
  mean: number;
  /** The rows keeping the least, least first (ties: lower row first). */
  worst: RowShare[];
}

export interface LayerCoverage {
  heads: HeadCoverage[];
  /** The mean of the heads' means. */
  mean: number;
}

/**
 * How much of the dense attention's probability mass each head keeps under the pattern: per row,
 * the sum of the probabilities on the pattern's cells; per head, their mean and the `worstRows`
 * smallest; for the layer, the mean over heads.
 */
export function coverage(dense: AttentionMaps, mask: PatternMask, worstRows = 3): LayerCoverage {
  const { heads, n, probs } = dense;
  checkMaskFits(mask, heads, n, 'the attention');
  const list = new RangeList();
  const result: HeadCoverage[] = [];
  for (let h = 0; h < heads; h++) {
    const shares: RowShare[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      mask.heads[h].row(i, list);
      const at = (h * n + i) * n;
      let share = 0;
      for (let r = 0; r < list.length; r++) for (let j = list.starts[r]; j < list.ends[r]; j++) share += probs[at + j];
      shares.push({ row: i, share });
      total += share;
    }
    shares.sort((a, b) => a.share - b.share || a.row - b.row);
    result.push({ head: h, mean: total / n, worst: shares.slice(0, worstRows) });
  }
  return { heads: result, mean: result.reduce((s, c) => s + c.mean, 0) / heads };
}
