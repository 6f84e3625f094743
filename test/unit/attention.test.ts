import { strict as assert } from 'assert';
import { GPU } from 'gpu.js';
import { allocateBuffers, buildPattern, defaultConfig, FactorizedConfig, simdAttentionHeads, sparseAttentionHeads } from '../../src/core';
import type { nodeWebGpu } from '../../src/cli/nodeGpu';
import { sharedWebGpu } from '../support/webgpu';
import { gpuAttention } from '../../src/gpu/kernels';
import { assertMatchesReference, ATTENTION_CASES, randomQkv } from '../support/attentionCases';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

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
  let gpu: Awaited<ReturnType<typeof nodeWebGpu>> | undefined;
  before(async function () {
    const shared = sharedWebGpu();
    if (!shared) this.skip();
    gpu = await shared;
  });

  for (const [name, config] of ATTENTION_CASES) {
    it(`webgpu (WebGPUKernel) equals the float64 reference: ${name}`, async () => {
      const input = randomQkv(config.heads, config.n, 16, 6);
      const { result, info } = await gpuAttention(gpu!.gpu, buildPattern(config), input, { withProbs: true });
      assert.equal(info.kernelClass, 'WebGPUKernel');
      assert.match(gpu!.device, /swiftshader/i);
      assertMatchesReference(config, input, result, `webgpu ${name}`);
    });
  }
});
