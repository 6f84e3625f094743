/** Inputs and outputs of sparse attention, shared by every backend. */

/** Q, K, V as float32 [heads, n, d], row-major. */
export interface QKV {
  heads: number;
  n: number;
  d: number;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
}

/** One head's probabilities in compact (CSR) form: row i holds cols/values[rowPtr[i] .. rowPtr[i+1]). */
export interface SparseProbs {
  rowPtr: Int32Array;
  cols: Int32Array;
  values: Float32Array | Float64Array;
}

export interface AttentionResult {
  /** [heads, n, d] */
  out: Float32Array | Float64Array;
  /** Per-row log-sum-exp of the scaled scores, [heads, n]; -Infinity for a row with no allowed cell. */
  lse: Float32Array | Float64Array;
  /** Per head, when requested. */
  probs?: SparseProbs[];
}

/** Checked between rows so that a long compute can be abandoned. */
export interface CancelToken {
  readonly cancelled: boolean;
}

export class CancelledError extends Error {
  constructor() {
    super('attention compute cancelled');
    this.name = 'CancelledError';
  }
}

export function checkShapes(input: QKV): void {
  const size = input.heads * input.n * input.d;
  for (const name of ['q', 'k', 'v'] as const) {
    if (input[name].length !== size) {
      throw new Error(`${name} has ${input[name].length} values; [${input.heads}, ${input.n}, ${input.d}] needs ${size}`);
    }
  }
}

/** Dense [heads, n, n] float32 probabilities from the compact form (exports only, small n). */
export function probsToDense(probs: SparseProbs[], n: number): Float32Array {
  const dense = new Float32Array(probs.length * n * n);
  probs.forEach((p, h) => fillDenseProbs(p, n, dense, h * n * n));
  return dense;
}

/** One head's CSR probabilities written into `dense` at `offset` (an [n, n] block; zeros stay). */
export function fillDenseProbs(p: SparseProbs, n: number, dense: Float32Array, offset: number): void {
  for (let i = 0; i < n; i++) for (let t = p.rowPtr[i]; t < p.rowPtr[i + 1]; t++) dense[offset + i * n + p.cols[t]] = p.values[t];
}
