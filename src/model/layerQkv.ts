/** What the forward pass hands out for one layer. */

/** Per-head Q, K and V of one layer for n tokens, each [heads, n, headDim] float32, row-major. */
export interface LayerQkv {
  layer: number;
  n: number;
  /** Query heads. */
  heads: number;
  headDim: number;
  /**
   * K/V heads in the checkpoint. With grouped-query attention (kvHeads < heads) `k` and `v` are
   * already repeated per query head (Hugging Face's repeat_kv: query head h reads kv head
   * h div (heads / kvHeads)), so every array here has `heads` heads.
   */
  kvHeads: number;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  /** What the model multiplies q·k by before the softmax (1/sqrt(headDim) unless its config says otherwise). */
  scale: number;
  /** Causal (GPT-2, Llama, GPT-NeoX) or bidirectional (BERT). */
  causal: boolean;
}
