/**
 * The forward pass's arithmetic on float32 row-major arrays besides the matmul (matmul.ts): norms,
 * activations, heads and RoPE. Sums run in float64 and are stored as float32; plain loops, since
 * these are linear in the activations' size and take little of the time.
 */
import { ModelError } from './weights';

/** [rows, cols] → [cols, rows]. */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

/** nn.LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · weight + bias, biased variance. */
export function layerNorm(x: Float32Array, n: number, d: number, weight: Float32Array, bias: Float32Array, eps: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let mean = 0;
    for (let c = 0; c < d; c++) mean += x[row + c];
    mean /= d;
    let variance = 0;
    for (let c = 0; c < d; c++) variance += (x[row + c] - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / d + eps);
    for (let c = 0; c < d; c++) y[row + c] = (x[row + c] - mean) * inv * weight[c] + bias[c];
  }
  return y;
}

/** Llama's RMSNorm: x / sqrt(mean(x²) + eps) · weight. */
export function rmsNorm(x: Float32Array, n: number, d: number, weight: Float32Array, eps: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let squares = 0;
    for (let c = 0; c < d; c++) squares += x[row + c] * x[row + c];
    const inv = 1 / Math.sqrt(squares / d + eps);
    for (let c = 0; c < d; c++) y[row + c] = x[row + c] * inv * weight[c];
  }
  return y;
}

/** a += b, elementwise (the residual stream). */
export function addInPlace(a: Float32Array, b: Float32Array): Float32Array {
  for (let k = 0; k < a.length; k++) a[k] += b[k];
  return a;
}

/** erf to about 1e-7 relative (Numerical Recipes' Chebyshev fit of erfc): exact GELU needs it. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc : erfc - 1;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Hugging Face's activation names (ACT2FN) that the forward pass computes. */
const ACTIVATIONS: Record<string, (x: number) => number> = {
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_new: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  gelu_pytorch_tanh: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  gelu_fast: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * x * (1 + 0.044715 * x * x))),
  quick_gelu: (x) => x / (1 + Math.exp(-1.702 * x)),
  relu: (x) => (x > 0 ? x : 0),
  silu: (x) => x / (1 + Math.exp(-x)),
  swish: (x) => x / (1 + Math.exp(-x)),
};

/** The activation called `name` in config.json (hidden_act / activation_function). */
export function activation(name: string): (x: number) => number {
  const f = ACTIVATIONS[name];
  if (!f) throw new ModelError(`config.json's activation "${name}" is not one the forward pass computes (${Object.keys(ACTIVATIONS).join(', ')})`);
  return f;
}

export function mapInPlace(x: Float32Array, f: (x: number) => number): Float32Array {
  for (let k = 0; k < x.length; k++) x[k] = f(x[k]);
  return x;
}

/**
 * Heads [heads, n, headDim] from rows [n, width]: head h is columns offset + h·stride + [0, headDim)
 * (stride = headDim for separate Q/K/V; GPT-NeoX's fused rows interleave q, k, v per head: stride 3·headDim).
 */
export function splitHeads(x: Float32Array, n: number, width: number, heads: number, headDim: number, offset = 0, stride = headDim): Float32Array {
  const out = new Float32Array(heads * n * headDim);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < n; i++) {
      const from = i * width + offset + h * stride;
      out.set(x.subarray(from, from + headDim), (h * n + i) * headDim);
    }
  }
  return out;
}

/** Rows [n, heads·headDim] from heads [heads, n, headDim] (the attention output before o_proj). */
export function mergeHeads(x: Float32Array, heads: number, n: number, headDim: number): Float32Array {
  const out = new Float32Array(n * heads * headDim);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < n; i++) out.set(x.subarray((h * n + i) * headDim, (h * n + i + 1) * headDim), (i * heads + h) * headDim);
  }
  return out;
}

/** Grouped-query K/V [kvHeads, n, d] repeated per query head (repeat_kv): query head h reads kv head h div group. */
export function repeatHeads(x: Float32Array, kvHeads: number, group: number, n: number, headDim: number): Float32Array {
  if (group === 1) return x;
  const size = n * headDim;
  const out = new Float32Array(kvHeads * group * size);
  for (let h = 0; h < kvHeads * group; h++) out.set(x.subarray(Math.floor(h / group) * size, (Math.floor(h / group) + 1) * size), h * size);
  return out;
}

/** RoPE's inverse frequencies 1 / theta^(2i / dims) for the first `dims` dimensions of a head. */
export function ropeFrequencies(dims: number, theta: number): Float64Array {
  const inv = new Float64Array(dims / 2);
  for (let i = 0; i < dims / 2; i++) inv[i] = 1 / theta ** ((2 * i) / dims);
  return inv;
}

/**
 * RoPE in place on heads [heads, n, headDim], Hugging Face's rotate_half convention: dimension i
 * pairs with i + dims/2 (not 2i with 2i+1, as Meta's original code did), over the first `dims`
 * dimensions of each head (all of them for Llama; GPT-NeoX rotates a share). Position of row i is i.
 */
export function applyRope(x: Float32Array, heads: number, n: number, headDim: number, inv: Float64Array): void {
  const half = inv.length;
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < half; f++) {
      // torch computes the angle in float32, then cos/sin: the same rounding keeps far positions exact.
      const angle = Math.fround(i * Math.fround(inv[f]));
      const cos = Math.fround(Math.cos(angle));
      const sin = Math.fround(Math.sin(angle));
      for (let h = 0; h < heads; h++) {
        const at = (h * n + i) * headDim;
        const a = x[at + f];
        const b = x[at + f + half];
        x[at + f] = a * cos - b * sin;
        x[at + f + half] = b * cos + a * sin;
      }
    }
  }
}
