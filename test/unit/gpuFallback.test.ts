/**
 * A gpu.js backend that fails moves the run to the CPU path with one sentence: a shader that
 * does not compile (real Dawn compiler, the redeclaration the minified build produced), and a
 * kernel that compiles and returns wrong numbers (real gpu.js WebAssembly, caught by the float64
 * spot check).
 */
import { strict as assert } from 'assert';
import { GPU } from 'gpu.js';
import { buildPattern, defaultConfig, FactorizedConfig, spotCheck } from '../../src/core';
import { attendWithFallback } from '../../src/cli/attend';
import { backendFailure, BackendFailure, fallbackSentence, failureStage } from '../../src/gpu/fallback';
import { REDECLARED, WRONG_LSE } from '../support/brokenKernels';
import { gpuAttention } from '../../src/gpu/kernels';
import { nodeWebAssembly } from '../../src/cli/nodeGpu';
import { assertMatchesReference, randomQkv } from '../support/attentionCases';
import { sharedWebGpu } from '../support/webgpu';

const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 64, stride: 16, c: 2, heads: 2, subblocks: 2 };

describe('a failing gpu.js backend falls back to the CPU path', function () {
  this.timeout(180000);

  it('says what failed in one sentence, and names every failure in order', () => {
    const webgpu = new BackendFailure('webgpu', 'shader compile', 'the whole WGSL');
    assert.equal(fallbackSentence([webgpu], 'cpu'), 'WebGPU failed (shader compile), used the CPU path');
    const webgl2 = new BackendFailure('webgl2', 'device lost', '');
    assert.equal(fallbackSentence([webgpu, webgl2], 'cpu'), 'WebGPU failed (shader compile) and WebGL2 failed (device lost), used the CPU path');
    assert.equal(fallbackSentence([webgpu], 'webgl2'), 'WebGPU failed (shader compile), used WebGL2');
    assert.equal(fallbackSentence([], 'cpu'), '');
    assert.equal(failureStage(new Error("ERROR: 0:12: 'user_Oe' : redefinition")), 'shader compile');
    assert.equal(failureStage(new Error('gpu.js [webgpu]: device lost: GPU hung')), 'device lost');
    assert.equal(failureStage(new Error('something else')), 'kernel run');
    assert.equal(backendFailure('webasm', new Error('boom')).message, 'gpu.js WebAssembly failed (kernel run)');
  });

  it('WebGPU (Dawn) with a kernel that does not compile: the CPU path runs, the compiler text is kept', async function () {
    const shared = sharedWebGpu();
    if (!shared) this.skip();
    const gpu = await shared!;
    const input = randomQkv(config.heads, config.n, 16, 21);
    // The broken kernel really fails on its own (not a pretend failure).
    await assert.rejects(gpuAttention(gpu.gpu, buildPattern(config), input, { sources: REDECLARED }), /redeclaration|compil/i);
    const run = await attendWithFallback({
      config,
      mask: buildPattern(config),
      input,
      withProbs: true,
      threads: 1,
      gpu,
      signal: new AbortController().signal,
      sources: REDECLARED,
    });
    assert.equal(run.fallback, 'WebGPU failed (shader compile), used the CPU path');
    assert.match(run.line, /^cpu \(.*kernel( with relaxed-SIMD FMA)?, 1 thread\); WebGPU failed \(shader compile\), used the CPU path$/);
    assert.match(run.details.join('\n'), /redeclaration of 'user_[a-z]'/, 'the compiler text is there for --verbose / the output channel');
    assertMatchesReference(config, input, run.result, 'after the fallback');
  });

  it('gpu.js WebAssembly with a kernel that computes wrong numbers: the spot check catches it, the CPU path runs', async () => {
    const gpu = nodeWebAssembly();
    try {
      const input = randomQkv(config.heads, config.n, 16, 22);
      await assert.rejects(gpuAttention(gpu.gpu, buildPattern(config), input, { sources: WRONG_LSE }), /differ from float64/);
      const run = await attendWithFallback({ config, mask: buildPattern(config), input, withProbs: false, threads: 1, gpu, signal: new AbortController().signal, sources: WRONG_LSE });
      assert.equal(run.fallback, 'gpu.js WebAssembly failed (wrong results), used the CPU path');
      assert.ok(spotCheck(buildPattern(config), input, run.result.out).maxError < 1e-5);
    } finally {
      gpu.dispose();
    }
  });

  it('a cancelled run is not a failure: no fallback, the cancel reaches the caller', async () => {
    const gpu = new GPU({ mode: 'cpu' });
    const controller = new AbortController();
    controller.abort();
    const input = randomQkv(config.heads, config.n, 16, 23);
    await assert.rejects(
      attendWithFallback({ config, mask: buildPattern(config), input, withProbs: false, threads: 1, gpu: { gpu, device: 'cpu', software: true, dispose: () => gpu.destroy() }, signal: controller.signal }),
      /cancelled/,
    );
    gpu.destroy();
  });
});
