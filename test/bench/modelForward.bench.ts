/**
 * The forward pass's cost on the CPU (not in `npm run bench` yet; run it with
 * `node --import tsx test/bench/modelForward.bench.ts`): the one matmul (`linear`, 128 × 768 → 3072,
 * median of 3) and the Q/K/V of layer 11 of a GPT-2-small-shaped model (d = 768, 12 heads,
 * 12 layers, seeded random weights) for n = 128 tokens, then its dense attention.
 */
import { denseAttention, loadModel, weightsInMemory } from '../../src/model';
import { matmul, packWeights } from '../../src/model/matmul';

function benchLinear(): void {
  const n = 128;
  const inDim = 768;
  const outDim = 3072;
  const x = Float32Array.from({ length: n * inDim }, (_, k) => Math.sin(k));
  const w = Float32Array.from({ length: outDim * inDim }, (_, k) => Math.cos(k));
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    matmul(x, n, packWeights(w, inDim, outDim, 'out-in'));
    times.push(performance.now() - t0);
  }
  const ms = times.sort((a, b) => a - b)[1];
  console.log(`linear ${n} x ${inDim} -> ${outDim}: ${ms.toFixed(0)} ms, ${((2 * n * inDim * outDim) / ms / 1e6).toFixed(2)} GFLOP/s`);
}

async function benchGpt2Small(): Promise<void> {
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
  const tokens = Array.from({ length: n }, (_, i) => (i * 7) % vocab);
  const t0 = performance.now();
  const qkv = await model.qkvAt(tokens, layers - 1);
  const t1 = performance.now();
  denseAttention(qkv);
  const t2 = performance.now();
  console.log(`GPT-2-small shape, n = ${n}: Q/K/V of layer ${layers - 1} in ${((t1 - t0) / 1000).toFixed(1)} s; its dense attention ${(t2 - t1).toFixed(0)} ms`);
}

benchLinear();
void benchGpt2Small();
