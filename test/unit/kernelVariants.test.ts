/**
 * The block-GEMM kernel in both variants: with fused multiply-adds (relaxed SIMD, which the CLI
 * turns on in Node 20) and plain SIMD. FMA rounds differently; both must stay within issue 12's
 * 2e-6 of float64 (relative to the largest |v|).
 */
import { strict as assert } from 'assert';
import { allocateBuffers, attendHeads, buildPattern, defaultConfig, FactorizedConfig, referenceAttention } from '../../src/core';
import { kernelVariant, KernelVariant, preferKernelVariant } from '../../src/core/attention/wasmModule';
import { enableRelaxedSimd } from '../../src/cli/relaxedSimd';
import { randomQkv } from '../support/attentionCases';

const { withoutRelaxed } = require('../tools/wasm-kernel');

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });
const RELATIVE = 2e-6;

function run(variant: KernelVariant, config: FactorizedConfig, d: number) {
  preferKernelVariant(variant);
  try {
    assert.equal(kernelVariant(), variant, `the ${variant} kernel is the one that runs`);
    const input = randomQkv(config.heads, config.n, d, 17);
    const buffers = allocateBuffers(input);
    assert.equal(attendHeads(buildPattern(config), input, 0, config.heads, buffers).kernel, 'wasm-simd');
    return { input, buffers };
  } finally {
    preferKernelVariant('auto');
  }
}

describe('block-GEMM kernel variants (relaxed-SIMD FMA and plain SIMD)', () => {
  before(() => assert.ok(enableRelaxedSimd(), 'Node 20+ has relaxed SIMD (behind a flag on Node 20)'));

  it('takes the FMA kernel by default once relaxed SIMD is on', () => {
    assert.equal(kernelVariant(), 'relaxed');
  });

  for (const [name, config] of [
    ['merged, n not a multiple of l', fixed({ n: 300, stride: 32, c: 4, heads: 2, subblocks: 1 })],
    ['bidirectional, many blocks', fixed({ n: 1100, stride: 16, c: 3, heads: 1, subblocks: 1, bidirectional: true })],
    ['summary chunks past 256 keys', fixed({ n: 2100, stride: 32, c: 8, heads: 1, subblocks: 1 })],
  ] as const) {
    for (const d of [3, 64]) {
      it(`both variants equal float64 within 2e-6: ${name}, d=${d}`, () => {
        const ref = referenceAttention(buildPattern(config), randomQkv(config.heads, config.n, d, 17), false);
        const results = (['relaxed', 'plain'] as const).map((variant) => run(variant, config, d));
        let vMax = 0;
        for (const x of results[0].input.v) vMax = Math.max(vMax, Math.abs(x));
        results.forEach(({ buffers }, i) => {
          let worst = 0;
          for (let x = 0; x < ref.out.length; x++) worst = Math.max(worst, Math.abs(ref.out[x] - buffers.out[x]));
          assert.ok(worst <= RELATIVE * vMax, `${i ? 'plain' : 'FMA'}: max abs error ${worst}`);
          for (let x = 0; x < ref.lse.length; x++) assert.ok(Math.abs(ref.lse[x] - buffers.lse[x]) <= RELATIVE * Math.max(1, Math.abs(ref.lse[x])), `lse ${x}`);
        });
      });
    }
  }

  it('the plain variant spells each relaxed_madd as a multiply and an add, nested ones too', () => {
    const source = '(local.set $a (f32x4.relaxed_madd (local.get $w) (v128.load (local.get $p)) (f32x4.relaxed_madd (local.get $x) (local.get $y) (local.get $z))))';
    assert.equal(
      withoutRelaxed(source),
      '(local.set $a (f32x4.add (f32x4.mul (local.get $w) (v128.load (local.get $p))) (f32x4.add (f32x4.mul (local.get $x) (local.get $y)) (local.get $z))))',
    );
    assert.throws(() => withoutRelaxed('(f32x4.relaxed_madd (local.get $w) (local.get $k))'), /3 operands, got 2/);
  });
});
