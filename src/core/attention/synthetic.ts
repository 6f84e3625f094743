/**
 * Q, K, V without a checkpoint, reproducible: each token (or position, without a sequence) gets an
 * embedding from a hash of its text and position, or the user's pasted embedding row (projected to
 * d by a seeded W_in when its width differs); fixed seeded projections W_q, W_k, W_v map it to each
 * head. The same text (or numbers) always gives the same maps.
 */
import type { PatternConfig } from '../config';
import { qkvForConfig } from '../pastedQkv';
import type { QKV } from './types';

export const SYNTHETIC_D = 64;

/** 32-bit FNV-1a, then a xorshift stream: small, fast, and identical everywhere. */
function stream(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let k = 0; k < seed.length; k++) h = Math.imul(h ^ seed.charCodeAt(k), 0x01000193);
  let s = h >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 4294967296) * 2 - 1;
  };
}

/** Pasted embeddings, row-major [rows, dim]; positions beyond the rows fall back to the hash. */
export interface EmbeddingRows {
  dim: number;
  values: ArrayLike<number>;
}

function embeddingFor(rows: EmbeddingRows, i: number, inProjection: Float32Array | undefined, out: Float32Array): void {
  const d = out.length;
  const base = i * rows.dim;
  if (!inProjection) {
    // Stryker disable next-line EqualityOperator: `c <= d` writes out[d], past the end of the typed array (ignored); `>=` is killed
    for (let c = 0; c < d; c++) out[c] = rows.values[base + c];
    return;
  }
  // Stryker disable next-line EqualityOperator: `c <= d` writes out[d], past the end of the typed array (ignored); `>=` is killed
  for (let c = 0; c < d; c++) {
    let s = 0;
    for (let e = 0; e < rows.dim; e++) s += rows.values[base + e] * inProjection[e * d + c];
    out[c] = s;
  }
}

export function syntheticQkv(heads: number, n: number, tokens: string[] = [], d = SYNTHETIC_D, embeddings?: EmbeddingRows): QKV {
  const projections = ['q', 'k', 'v'].map((name) => {
    const random = stream(`W_${name}`);
    return Float32Array.from({ length: heads * d * d }, () => random() / Math.sqrt(d));
  });
  const rowCount = embeddings ? embeddings.values.length / embeddings.dim : 0;
  const inRandom = stream('W_in');
  const inProjection =
    embeddings && embeddings.dim !== d ? Float32Array.from({ length: embeddings.dim * d }, () => inRandom() / Math.sqrt(embeddings.dim)) : undefined;
  const embedding = new Float32Array(d);
  const [q, k, v] = [0, 1, 2].map(() => new Float32Array(heads * n * d));
  for (let i = 0; i < n; i++) {
    if (embeddings && i < rowCount) embeddingFor(embeddings, i, inProjection, embedding);
    else {
      const random = stream(`${tokens[i] ?? ''}\u0000${i}`);
      // Stryker disable next-line EqualityOperator: `c <= d` writes embedding[d], past the end (ignored), from this position's own stream; `>=` is killed
      for (let c = 0; c < d; c++) embedding[c] = random();
    }
    [q, k, v].forEach((target, m) => {
      const w = projections[m];
      // Stryker disable next-line EqualityOperator: head `heads` writes from (heads·n + i)·d on, past the end of the typed array (ignored); `>=` is killed
      for (let h = 0; h < heads; h++) {
        const o = (h * n + i) * d;
        for (let c = 0; c < d; c++) {
          let s = 0;
          for (let e = 0; e < d; e++) s += embedding[e] * w[(h * d + e) * d + c];
          target[o + c] = s;
        }
      }
    });
  }
  return { heads, n, d, q, k, v };
}

/** Q/K/V given, or made from the sequence where the compute runs (the worker, for the CPU path). */
export type AttentionInput = QKV | { synthetic: { tokens: string[]; embeddings?: EmbeddingRows } };

/** What a sequence brings to attention: its tokens, and pasted embeddings or Q/K/V. */
export interface SequenceInput {
  tokens: string[];
  embeddings?: EmbeddingRows;
  qkv?: { heads: number; d: number; q: ArrayLike<number>; k: ArrayLike<number>; v: ArrayLike<number> };
}

/**
 * The attention input for a config and its sequence: the pasted Q/K/V (throws a QkvError saying
 * what to change when they do not fit), else the synthetic Q/K/V of the first n tokens, left to
 * be made where the compute runs.
 */
export function attentionInputFor(config: PatternConfig, sequence?: SequenceInput): AttentionInput {
  if (sequence?.qkv) return qkvForConfig(sequence.qkv, config.heads, config.n);
  return { synthetic: { tokens: sequence?.tokens.slice(0, config.n) ?? [], embeddings: sequence?.embeddings } };
}

export function resolveInput(config: PatternConfig, input: AttentionInput): QKV {
  return 'synthetic' in input ? syntheticQkv(config.heads, config.n, input.synthetic.tokens, SYNTHETIC_D, input.synthetic.embeddings) : input;
}
