/**
 * The forward pass's cost on the CPU (part of `npm run bench`; alone:
 * `node --import tsx test/bench/modelForward.bench.ts`): the matmul (128 × 768 → 3072, the MLP's
 * first product at GPT-2 small's width, best of 5) on each path, then the Q/K/V of layer 11 of a
 * GPT-2-small-shaped model (d = 768, 12 heads, 12 layers, seeded random weights) for n = 128
 * tokens, with the time per layer and tokens per second, on each path; then its dense attention.
 */
import { denseAttention, loadModel, weightsInMemory } from '../../src/model';
import type { Model } from '../../src/model';
import { matmul, MatmulPath, packWeights, setDefaultMatmulPath } from '../../src/model/matmul';
import { simdMatmulAvailable } from '../../src/model/matmulSimd';

const PATHS: Array<Exclude<MatmulPath, 'auto'>> = simdMatmulAvailable() ? ['simd', 'js'] : ['js'];

function benchMatmul(path: MatmulPath): void {
  const [n, inDim, outDim] = [128, 768, 3072];
  const x = Float32Array.from({ length: n * inDim }, (_, k) => Math.sin(k));
  const w = packWeights(Float32Array.from({ length: outDim * inDim }, (_, k) => Math.cos(k)), inDim, outDim, 'out-in');
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    matmul(x, n, w, undefined, path);
    times.push(performance.now() - t0);
  }
  const ms = Math.min(...times);
  console.log(`matmul ${n} x ${inDim} -> ${outDim} (${path}): ${ms.toFixed(1)} ms, ${((2 * n * inDim * outDim) / ms / 1e6).toFixed(2)} GFLOP/s`);
}

async function gpt2Small(): Promise<{ model: Model; tokens: number[]; layers: number }> {
  const [d, heads, layers, vocab, positions, n] = [768, 12, 12, 1000, 1024, 128];
  let seed = 1;
  const random = (shape: number[]) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let k = 0; k < data.length; k++) {
      seed = (seed * 16807) % 2147483647;
      data[k] = (seed / 2147483647 - 0.5) * 0.1;
    }
    return { shape, data };
  };
  const tensors = new Map([['wte.weight', random([vocab, d])], ['wpe.weight', random([positions, d])]]);
  for (let l = 0; l < layers; l++) {
    const sizes: Array<[string, number[]]> = [
      ['ln_1.weight', [d]], ['ln_1.bias', [d]], ['ln_2.weight', [d]], ['ln_2.bias', [d]],
      ['attn.c_attn.weight', [d, 3 * d]], ['attn.c_attn.bias', [3 * d]], ['attn.c_proj.weight', [d, d]], ['attn.c_proj.bias', [d]],
      ['mlp.c_fc.weight', [d, 4 * d]], ['mlp.c_fc.bias', [4 * d]], ['mlp.c_proj.weight', [4 * d, d]], ['mlp.c_proj.bias', [d]],
    ];
    for (const [name, shape] of sizes) tensors.set(`h.${l}.${name}`, random(shape));
  }
  const config = { model_type: 'gpt2', n_embd: d, n_head: heads, n_layer: layers, n_positions: positions, vocab_size: vocab };
  const model = await loadModel(config, weightsInMemory(tensors));
  return { model, tokens: Array.from({ length: n }, (_, i) => (i * 7) % vocab), layers };
}

async function benchForward(path: MatmulPath, { model, tokens, layers }: Awaited<ReturnType<typeof gpt2Small>>): Promise<void> {
  setDefaultMatmulPath(path);
  const blockTimes: number[] = [];
  let last = 0;
  const t0 = performance.now();
  const qkv = await model.qkvAt(tokens, layers - 1, {
    onProgress: ({ what }) => {
      const now = performance.now();
      if (what.startsWith('layer ')) blockTimes.push(now - last);
      last = now;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const perLayer = blockTimes.reduce((a, b) => a + b, 0) / blockTimes.length;
  console.log(`GPT-2-small shape (${path}), n = ${tokens.length}: Q/K/V of layer ${layers - 1} in ${seconds.toFixed(2)} s, ${perLayer.toFixed(0)} ms per layer, ${(tokens.length / seconds).toFixed(0)} tokens/s`);
  setDefaultMatmulPath('auto');
  const t1 = performance.now();
  denseAttention(qkv);
  if (path === PATHS[0]) console.log(`its dense attention (the probabilities reported): ${(performance.now() - t1).toFixed(0)} ms`);
}

async function main(): Promise<void> {
  for (const path of PATHS) benchMatmul(path);
  const model = await gpt2Small();
  for (const path of PATHS) await benchForward(path, model);
}

void main();
