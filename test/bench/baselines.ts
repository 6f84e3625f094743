/** What users run today, for the benchmark: dense masked attention in plain JS and in tfjs-wasm. */
import type { PatternMask, QKV } from '../../src/core';
import { toDense } from '../../src/core';

/** The n×n scores, masked, softmaxed, times V: the straightforward JS a notebook port would write. */
export function denseMaskedJs(mask: PatternMask, input: QKV): Float32Array {
  const { n, d, q, k, v } = input;
  const allowed = toDense(mask);
  const scale = 1 / Math.sqrt(d);
  const scores = new Float32Array(n * n);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += q[i * d + c] * k[j * d + c];
      s = allowed[i * n + j] ? s * scale : -Infinity;
      scores[i * n + j] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += scores[i * n + j] = Math.exp(scores[i * n + j] - max);
    for (let j = 0; j < n; j++) {
      const p = scores[i * n + j] / sum;
      if (p !== 0) for (let c = 0; c < d; c++) out[i * d + c] += p * v[j * d + c];
    }
  }
  return out;
}

let tfReady: Promise<typeof import('@tensorflow/tfjs-core')> | undefined;

async function tensorflow() {
  tfReady ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })();
  return tfReady;
}

/** Dense masked attention with tfjs on its WebAssembly backend (a peer users reach for). */
export async function tfjsDenseMasked(mask: PatternMask, input: QKV): Promise<Float32Array> {
  const tf = await tensorflow();
  const { n, d } = input;
  const allowed = tf.tensor2d(toDense(mask), [n, n], 'bool');
  const result = tf.tidy(() => {
    const q = tf.tensor2d(input.q.subarray(0, n * d), [n, d]);
    const k = tf.tensor2d(input.k.subarray(0, n * d), [n, d]);
    const v = tf.tensor2d(input.v.subarray(0, n * d), [n, d]);
    const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
    const masked = tf.where(allowed, scores, tf.fill([n, n], -Infinity));
    return tf.matMul(tf.softmax(masked), v);
  });
  const data = (await result.data()) as Float32Array;
  result.dispose();
  allowed.dispose();
  return data;
}
