import { strict as assert } from 'assert';
import { GPU } from 'gpu.js';
import {
  allocateBuffers,
  AttentionResult,
  buildPattern,
  defaultConfig,
  DeepSpeedFixedConfig,
  FactorizedConfig,
  PatternConfig,
  QKV,
  referenceAttention,
  rowColumns,
  simdAttentionHeads,
  sparseAttentionHeads,
} from '../../src/core';
import { existsSync } from 'fs';
import { nodeWebGpu } from '../../src/cli/nodeGpu';
import { gpuAttention } from '../../src/gpu/kernels';
import { rng } from './brute';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

export const ATTENTION_CASES: Array<[string, PatternConfig]> = [
  ['fixed merged, 4 sub-blocks', fixed({ n: 96, stride: 16, c: 2, heads: 4, subblocks: 4 })],
  ['fixed split (rows with no allowed cell)', fixed({ n: 64, stride: 16, c: 4, heads: 2, mode: 'split' })],
  ['fixed bidirectional', fixed({ n: 80, stride: 16, c: 4, heads: 2, bidirectional: true })],
  ['strided', fixed({ pattern: 'strided', n: 70, stride: 8, heads: 2 })],
  ['deepspeed', { ...(defaultConfig('deepspeed-fixed') as DeepSpeedFixedConfig), n: 64, heads: 2, block: 8, numLocalBlocks: 2 }],
];

export function randomQkv(heads: number, n: number, d: number, seed: number): QKV {
  const random = rng(seed);
  const make = () => Float32Array.from({ length: heads * n * d }, () => random() * 4 - 2);
  return { heads, n, d, q: make(), k: make(), v: make() };
}

/** The bar: outputs within 1e-5, rows summing to 1 within 1e-6, nothing outside the mask. */
export function assertMatchesReference(config: PatternConfig, input: QKV, result: AttentionResult, label: string): void {
  const mask = buildPattern(config);
  const ref = referenceAttention(mask, input);
  let maxErr = 0;
  for (let x = 0; x < ref.out.length; x++) maxErr = Math.max(maxErr, Math.abs(ref.out[x] - result.out[x]));
  assert.ok(maxErr <= 1e-5, `${label}: max abs error ${maxErr}`);
  for (let x = 0; x < ref.lse.length; x++) {
    if (ref.lse[x] === -Infinity) assert.equal(result.lse[x], -Infinity, `${label}: empty row lse`);
    else assert.ok(Math.abs(ref.lse[x] - result.lse[x]) <= 1e-4, `${label}: lse ${x}`);
  }
  result.probs!.forEach((p, h) => {
    for (let i = 0; i < input.n; i++) {
      const from = p.rowPtr[i];
      const to = p.rowPtr[i + 1];
      assert.deepEqual(Array.from(p.cols.subarray(from, to)), rowColumns(mask.heads[h], i), `${label}: head ${h} row ${i} stores exactly the allowed cells`);
      if (to > from) {
        let sum = 0;
        for (let t = from; t < to; t++) sum += p.values[t];
        assert.ok(Math.abs(sum - 1) <= 1e-6, `${label}: head ${h} row ${i} sums to ${sum}`);
      }
    }
  });
}

describe('sparse attention on the CPU', () => {
  for (const [name, config] of ATTENTION_CASES) {
    for (const d of [64, 6]) {
      it(`plain JS kernel equals the float64 reference: ${name}, d=${d}`, () => {
        const input = randomQkv(config.heads, config.n, d, 1);
        const buffers = allocateBuffers(input);
        const probs = sparseAttentionHeads(buildPattern(config), input, 0, input.heads, buffers, { withProbs: true });
        assertMatchesReference(config, input, { ...buffers, probs }, name);
      });
    }
    it(`WebAssembly SIMD kernel equals the float64 reference: ${name}`, () => {
      const input = randomQkv(config.heads, config.n, 64, 2);
      const buffers = allocateBuffers(input);
      const probs = simdAttentionHeads(buildPattern(config), input, 0, input.heads, buffers, { withProbs: true });
      assertMatchesReference(config, input, { ...buffers, probs }, name);
    });
  }

  it('stops at the next row check when cancelled', () => {
    const config = fixed({ n: 2048, heads: 2 });
    const input = randomQkv(2, 2048, 16, 3);
    assert.throws(() => sparseAttentionHeads(buildPattern(config), input, 0, 2, allocateBuffers(input), { cancel: { cancelled: true } }), /cancelled/);
  });

  it('the committed kernel-wasm.ts is the assembled kernel.wat', async () => {
    const { assemble, render, KERNEL_TS } = require('../tools/wasm-kernel');
    const { readFileSync } = require('fs');
    assert.equal(readFileSync(KERNEL_TS, 'utf8'), render(await assemble()));
  });
});

describe('sparse attention with gpu.js kernels in Node', function () {
  this.timeout(120000);
  for (const [mode, kernelClass] of [
    ['webasm', 'WebAssemblyKernel'],
    ['cpu', 'CPUKernel'],
  ] as const) {
    for (const [name, config] of ATTENTION_CASES) {
      it(`${mode} (${kernelClass}) equals the float64 reference: ${name}`, async () => {
        const gpu = new GPU({ mode });
        try {
          const input = randomQkv(config.heads, config.n, 16, 4);
          const { result, info } = await gpuAttention(gpu, buildPattern(config), input, { withProbs: true });
          assert.equal(info.kernelClass, kernelClass, 'the backend asked for is the one that ran');
          assertMatchesReference(config, input, result, `${mode} ${name}`);
        } finally {
          gpu.destroy();
        }
      });
    }
  }
});

describe('sparse attention with gpu.js WebGPU in Node (Dawn on SwiftShader Vulkan)', function () {
  this.timeout(180000);
  const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
  for (const [name, config] of ATTENTION_CASES) {
    it(`webgpu (WebGPUKernel) equals the float64 reference: ${name}`, async function () {
      if (!existsSync(icd)) this.skip();
      process.env.VK_ICD_FILENAMES ??= icd;
      const gpu = await nodeWebGpu();
      try {
        const input = randomQkv(config.heads, config.n, 16, 6);
        const { result, info } = await gpuAttention(gpu.gpu, buildPattern(config), input, { withProbs: true });
        assert.equal(info.kernelClass, 'WebGPUKernel');
        assert.match(gpu.device, /swiftshader/i);
        assertMatchesReference(config, input, result, `webgpu ${name}`);
      } finally {
        gpu.dispose();
      }
    });
  }
});
