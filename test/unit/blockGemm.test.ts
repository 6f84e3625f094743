import { strict as assert } from 'assert';
import { attendHeads, attendScheduled, allocateBuffers, blockStructureOf, buildPattern, defaultConfig, FactorizedConfig, PatternConfig, QKV, referenceAttention } from '../../src/core';
import { randomQkv } from '../support/attentionCases';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

/** The bar of issue 12: within 2e-6 of float64, relative to the largest |v| (outputs are weighted means of V rows). */
const RELATIVE = 2e-6;

/** Heads [0, heads) the way a worker computes them; `compute` defaults to attendHeads. */
type Compute = (mask: ReturnType<typeof buildPattern>, input: QKV, buffers: ReturnType<typeof allocateBuffers>) => void;

function assertCloseToReference(config: PatternConfig, input: QKV, label: string, compute: Compute = (m, i, b) => attendHeads(m, i, 0, i.heads, b), lseRelative = RELATIVE): void {
  const mask = buildPattern(config);
  const buffers = allocateBuffers(input);
  compute(mask, input, buffers);
  const ref = referenceAttention(mask, input, false);
  let vMax = 0;
  for (const x of input.v) vMax = Math.max(vMax, Math.abs(x));
  let worst = 0;
  for (let x = 0; x < ref.out.length; x++) {
    assert.ok(Number.isFinite(buffers.out[x]), `${label}: output ${x} is ${buffers.out[x]}`);
    worst = Math.max(worst, Math.abs(ref.out[x] - buffers.out[x]));
  }
  assert.ok(worst <= RELATIVE * vMax, `${label}: max abs error ${worst} (max |v| ${vMax})`);
  for (let x = 0; x < ref.lse.length; x++) {
    const expected = Math.fround(ref.lse[x]);
    if (!Number.isFinite(expected)) assert.equal(buffers.lse[x], expected, `${label}: lse ${x}`);
    else assert.ok(Math.abs(expected - buffers.lse[x]) <= lseRelative * Math.max(1, Math.abs(expected)), `${label}: lse ${x}: ${buffers.lse[x]} vs ${expected}`);
  }
}

// Two threads taking units in turn: each switches heads and starts mid-head.
const twoThreads: Compute = (mask, input, buffers) => {
  for (const first of [0, 1]) {
    let next = first - 2;
    attendScheduled(mask, input, buffers, () => (next += 2));
  }
};

const CASES: Array<[string, FactorizedConfig]> = [
  ['merged, n not a multiple of l', fixed({ n: 300, stride: 32, c: 4, heads: 2, subblocks: 1 })],
  ['c = 1', fixed({ n: 200, stride: 16, c: 1, heads: 1, subblocks: 1 })],
  ['c = l (every earlier block whole)', fixed({ n: 70, stride: 8, c: 8, heads: 1, subblocks: 1 })],
  ['bidirectional, 2 sub-blocks', fixed({ n: 100, stride: 16, c: 4, heads: 2, subblocks: 2, bidirectional: true })],
  ['4 heads, 4 sub-blocks', fixed({ n: 96, stride: 16, c: 2, heads: 4, subblocks: 4 })],
  ['l = 6 (not a multiple of the tile)', fixed({ n: 50, stride: 6, c: 2, heads: 1, subblocks: 1 })],
  ['one block spans n', fixed({ n: 20, stride: 32, c: 4, heads: 1, subblocks: 1 })],
  ['split: block heads here, summary heads on the row-run path', fixed({ n: 80, stride: 16, c: 4, heads: 4, mode: 'split' })],
  ['many blocks (summary chunks past 128 keys)', fixed({ n: 2100, stride: 32, c: 8, heads: 2, subblocks: 1 })],
  ['bidirectional, many blocks', fixed({ n: 1100, stride: 16, c: 3, heads: 1, subblocks: 1, bidirectional: true })],
];

describe('block-GEMM CPU path for the fixed family', () => {
  for (const [name, config] of CASES) {
    for (const d of [1, 3, 64, 128]) {
      it(`equals the float64 reference within 2e-6: ${name}, d=${d}`, () => {
        assertCloseToReference(config, randomQkv(config.heads, config.n, d, 11), `${name}, d=${d}`);
      });
    }
  }

  it('recognises the fixed heads that have block form, and no others', () => {
    const merged = buildPattern(fixed({ n: 96, stride: 16, c: 2, heads: 4, subblocks: 4 }));
    mergedHeadsAsExpected(merged.heads.map(blockStructureOf));
    const split = buildPattern(fixed({ n: 96, stride: 16, c: 4, heads: 2, mode: 'split' }));
    assert.deepEqual(blockStructureOf(split.heads[0]), { l: 16, sets: [], bidirectional: false });
    assert.equal(blockStructureOf(split.heads[1]), undefined, 'a summary-only head is not of block form');
    assert.equal(blockStructureOf(buildPattern(fixed({ pattern: 'strided', n: 96, stride: 8, heads: 1 })).heads[0]), undefined);
    const bidi = buildPattern(fixed({ n: 64, stride: 16, c: 4, heads: 1, subblocks: 1, bidirectional: true }));
    assert.deepEqual(blockStructureOf(bidi.heads[0]), { l: 16, sets: [{ from: 12, to: 16 }], bidirectional: true });
  });

  it('runs for any d in WebAssembly (d = 3 reports the SIMD kernel), and the row-run kernels when probabilities are wanted', () => {
    const config = fixed({ n: 64, stride: 16, c: 4, heads: 2, subblocks: 1 });
    const input = randomQkv(2, 64, 3, 4);
    assert.equal(attendHeads(buildPattern(config), input, 0, 2, allocateBuffers(input)).kernel, 'wasm-simd');
    const withProbs = attendHeads(buildPattern(config), input, 0, 2, allocateBuffers(input), { withProbs: true });
    assert.equal(withProbs.kernel, 'js');
    assert.equal(withProbs.probs.length, 2);
  });

  // Issue 10: any finite float32 input gives a finite output. Float32 scores that overflow send
  // the head to the float64 loops. Integer Q and K make the float32 scores exact, so that a sharp
  // softmax (scores spread over hundreds) tests exp far down its range, not rounded scores.
  const integers = (a: Float32Array, scale: number) => a.map((x) => Math.round(x * 1.5) * scale);
  for (const [label, qOf, kOf, vScale, lseRelative] of [
    // The log-sum-exp here is a score of about 1e17, and a float32 dot product of 64 terms that
    // cancel is only good to about 1e-5 of that: outputs are held to 2e-6, lse to 1e-4.
    ['K x 1e19', (q: Float32Array) => q, (k: Float32Array) => k.map((x) => x * 1e19), 1, 1e-4],
    ['Q, K x 1e20 (float32 scores overflow)', (q: Float32Array) => q.map((x) => x * 1e20), (k: Float32Array) => k.map((x) => x * 1e20), 1, RELATIVE],
    ['exact scores spread over hundreds (weights down to exp(-500))', (q: Float32Array) => integers(q, 10), (k: Float32Array) => integers(k, 1), 1, RELATIVE],
    ['V x 1e30', (q: Float32Array) => q, (k: Float32Array) => k, 1e30, RELATIVE],
  ] as const) {
    it(`stays finite and close to float64 for extreme finite inputs: ${label}`, () => {
      // Two units per head (69 blocks of 16): the float64 redo covers a unit's rows only.
      const config = fixed({ n: 1100, stride: 16, c: 2, heads: 2, subblocks: 1 });
      const input = randomQkv(2, 1100, 64, 5);
      input.q = qOf(input.q);
      input.k = kOf(input.k);
      input.v = input.v.map((x) => x * vScale);
      assert.ok([input.q, input.k, input.v].every((a) => a.every(Number.isFinite)));
      assertCloseToReference(config, input, label, undefined, lseRelative);
      assertCloseToReference(config, input, `${label}, scheduled in units`, twoThreads, lseRelative);
    });
  }

  for (const [name, config] of [
    ['merged, units of 32 blocks', fixed({ n: 2100, stride: 16, c: 2, heads: 3, subblocks: 2 })],
    ['split: row-run heads as whole units', fixed({ n: 300, stride: 16, c: 4, heads: 4, mode: 'split' })],
    ['strided: no block form at all', fixed({ pattern: 'strided', n: 200, stride: 8, heads: 2 })],
  ] as const) {
    it(`units shared by two threads give the same result: ${name}`, () => {
      assertCloseToReference(config, randomQkv(config.heads, config.n, 16, 8), name, twoThreads);
    });
  }

  it('stops at the next block when cancelled', () => {
    const config = fixed({ n: 256, stride: 32, c: 4, heads: 1, subblocks: 1 });
    const input = randomQkv(1, 256, 8, 3);
    assert.throws(() => attendHeads(buildPattern(config), input, 0, 1, allocateBuffers(input), { cancel: { cancelled: true } }), /cancelled/);
  });
});

function mergedHeadsAsExpected(found: ReturnType<typeof blockStructureOf>[]): void {
  // Head h uses sub-block k = h mod 4: offsets [l - (k+1)c, l - kc) with l = 16, c = 2.
  found.forEach((s, h) => assert.deepEqual(s, { l: 16, sets: [{ from: 16 - (h + 1) * 2, to: 16 - h * 2 }], bidirectional: false }, `head ${h}`));
}
