import { strict as assert } from 'assert';
import { GPU } from 'gpu.js';
import { allocateBuffers, buildPattern, defaultConfig, FactorizedConfig, referenceAttention, simdAttentionHeads, sparseAttentionHeads } from '../../src/core';
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

  // Finite float32 inputs whose float32 scores overflow (|q·k| > 3.4e38) used to give NaN on
  // the SIMD kernel while the JS kernel stayed finite.
  for (const [label, qScale, kScale] of [['K x 1e19', 1, 1e19], ['K x 1e20', 1, 1e20], ['Q, K x 1e20', 1e20, 1e20]] as const) {
    it(`stays finite and equals float64 for huge finite inputs (${label}), on both CPU kernels`, () => {
      const config = fixed({ n: 64, heads: 2 });
      const input = randomQkv(2, 64, 64, 5);
      input.q = input.q.map((x) => x * qScale);
      input.k = input.k.map((x) => x * kScale);
      assert.ok(input.q.every(Number.isFinite) && input.k.every(Number.isFinite));
      const ref = referenceAttention(buildPattern(config), input);
      for (const kernel of [simdAttentionHeads, sparseAttentionHeads]) {
        const buffers = allocateBuffers(input);
        kernel(buildPattern(config), input, 0, 2, buffers, { withProbs: true });
        let worst = 0;
        for (let x = 0; x < ref.out.length; x++) worst = Math.max(worst, Math.abs(ref.out[x] - buffers.out[x]));
        assert.ok(worst <= 1e-5, `${kernel.name}: max abs error ${worst}`);
        for (let x = 0; x < ref.lse.length; x++) {
          // The log-sum-exp is stored as float32: beyond its range it can only be ±Inf.
          const expected = Math.fround(ref.lse[x]);
          if (!Number.isFinite(expected)) assert.equal(buffers.lse[x], expected, `${kernel.name}: lse ${x}`);
          else assert.ok(Math.abs(expected - buffers.lse[x]) <= 1e-6 * Math.abs(expected) + 1e-4, `${kernel.name}: lse ${x}`);
        }
      }
    });
  }

  it('stops at the next row check when cancelled', () => {
    const config = fixed({ n: 2048, heads: 2 });
    const input = randomQkv(2, 2048, 16, 3);
    assert.throws(() => sparseAttentionHeads(buildPattern(config), input, 0, 2, allocateBuffers(input), { cancel: { cancelled: true } }), /cancelled/);
  });

  it('the committed kernel-wasm.ts is the assembled kernel.wat', async () => {
    const { renderKernel, KERNEL_TS } = require('../tools/wasm-kernel');
    const { readFileSync } = require('fs');
    assert.equal(readFileSync(KERNEL_TS, 'utf8'), await renderKernel());
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
