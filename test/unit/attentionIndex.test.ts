/**
 * index.ts, the CPU kernel choice and the scheduled units, on small cases against the float64
 * brute force of test/support/smallAttention.ts: heads of block form (block-GEMM path) next to heads
 * without (row kernels), d a multiple of 4 (SIMD rows) or not (JS rows), memory that cannot be
 * reserved (JS fallback and its note), another failure (not swallowed), and an engine without
 * WebAssembly (a fresh copy of the module loaded without it).
 */
import { strict as assert } from 'assert';
import { allocateBuffers, attendHeads, attendScheduled, buildPattern, cpuKernelFor, defaultConfig, FactorizedConfig, PatternMask, QKV, workUnits } from '../../src/core';
import { recheckKernelVariants } from '../../src/core/attention/wasmModule';
import { allowedOf, assertClose, assertProbs, bruteAttention, CAUSAL, cellMask, freshAttention, GAPPY, smallQkv } from '../support/smallAttention';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });
const TOLERANCE = 1e-5;
const MEMORY_NOTE = /^WebAssembly memory of \d+\.\d MiB could not be reserved \(no room; an address-space limit such as ulimit -v\?\): the JS loops ran$/;

/** Split mode: head 0 is of block form (l = 8), head 1 (summary columns only, empty rows) is not. */
const split = (n: number) => buildPattern(fixed({ n, stride: 8, c: 2, heads: 2, mode: 'split' }));

function sentinelBuffers(input: QKV) {
  const buffers = allocateBuffers(input);
  buffers.out.fill(7);
  buffers.lse.fill(7);
  return buffers;
}

/** Replaces one member of the engine's WebAssembly object while `body` runs. */
function stubbed<T>(name: 'Memory' | 'Instance', replacement: unknown, body: () => T): T {
  const api = (globalThis as unknown as { WebAssembly: Record<string, unknown> }).WebAssembly;
  const real = api[name];
  api[name] = replacement;
  try {
    return body();
  } finally {
    api[name] = real;
  }
}
const noMemory = function () {
  throw new RangeError('no room');
};
const noInstance = function () {
  throw new TypeError('no instance');
};

/** `next` handing out 0, 1, 2, ... or, reversed, count - 1 down to 0, then count. */
function counter(count: number, reversed = false): () => number {
  let i = 0;
  return () => (i < count ? (reversed ? count - 1 - i++ : i++) : count);
}

function checkAgainstBrute(mask: PatternMask, input: QKV, out: ArrayLike<number>, lse: ArrayLike<number>, label: string) {
  const brute = bruteAttention(allowedOf(mask), input);
  assertClose(out, brute.out, TOLERANCE, `${label} out`);
  assertClose(lse, brute.lse, TOLERANCE, `${label} lse`);
  return brute;
}

describe('CPU kernel choice and scheduled units (small cases)', () => {
  // Under mutation testing every mutant runs in the same process: one that broke a compile leaves
  // null in the kernel module cache, which must not fail the tests of the mutants after it.
  beforeEach(() => recheckKernelVariants());

  it('the SIMD row kernel for d a multiple of 4, the JS loops otherwise', () => {
    assert.deepEqual([1, 3, 4, 6, 8].map(cpuKernelFor), ['js', 'js', 'wasm-simd', 'js', 'wasm-simd']);
  });

  for (const [d, kernel] of [[4, 'wasm-simd'], [3, 'js']] as const) {
    it(`with probabilities every head takes the row kernel (${kernel} at d = ${d})`, () => {
      const mask = split(24);
      const input = smallQkv(2, 24, d, 30 + d);
      const buffers = allocateBuffers(input);
      const run = attendHeads(mask, input, 0, 2, buffers, { withProbs: true });
      assert.equal(run.kernel, kernel);
      assert.equal(run.note, undefined);
      const brute = checkAgainstBrute(mask, input, buffers.out, buffers.lse, kernel);
      assertProbs(run.probs, brute, TOLERANCE, kernel);
    });
  }

  it('without probabilities a head of block form takes the block-GEMM path (any d), the others the row kernel', () => {
    for (const d of [3, 4]) {
      const mask = split(24);
      const input = smallQkv(2, 24, d, 40 + d);
      const buffers = allocateBuffers(input);
      assert.deepEqual(attendHeads(mask, input, 0, 2, buffers), { kernel: 'wasm-simd', probs: [] });
      checkAgainstBrute(mask, input, buffers.out, buffers.lse, `d = ${d}`);
    }
    // Head 1 alone (no block form): the row kernel's name; head 0 is left alone.
    const input = smallQkv(2, 24, 3, 5);
    const buffers = sentinelBuffers(input);
    assert.deepEqual(attendHeads(split(24), input, 1, 2, buffers), { kernel: 'js', probs: [] });
    assert.ok(buffers.out.subarray(0, 72).every((x) => x === 7) && buffers.lse.subarray(0, 24).every((x) => x === 7), 'head 0 untouched');
    const brute = bruteAttention(allowedOf(split(24)), input);
    assertClose(buffers.out.subarray(72), brute.out.subarray(72), TOLERANCE, 'head 1 out');
    // Heads with no block form at all, d = 4: the SIMD rows.
    const rows = cellMask(9, [GAPPY, CAUSAL]);
    const four = smallQkv(2, 9, 4, 6);
    const all = allocateBuffers(four);
    assert.deepEqual(attendHeads(rows, four, 0, 2, all), { kernel: 'wasm-simd', probs: [] });
    assertClose(all.out, bruteAttention([GAPPY, CAUSAL], four).out, TOLERANCE, 'rows out');
  });

  it('memory that cannot be reserved: the JS loops compute the same heads, and the note says why', () => {
    stubbed('Memory', noMemory, () => {
      for (const withProbs of [true, false]) {
        const mask = split(24);
        const input = smallQkv(2, 24, 4, 50);
        const buffers = allocateBuffers(input);
        const run = attendHeads(mask, input, 0, 2, buffers, { withProbs });
        assert.equal(run.kernel, 'js');
        assert.match(run.note!, MEMORY_NOTE);
        const brute = checkAgainstBrute(mask, input, buffers.out, buffers.lse, `withProbs ${withProbs}`);
        if (withProbs) assertProbs(run.probs, brute, TOLERANCE, 'probs');
        else assert.deepEqual(run.probs, []);
      }
    });
  });

  it('another failure of the WebAssembly path is not swallowed', () => {
    stubbed('Instance', noInstance, () => {
      const input = smallQkv(2, 24, 4, 51);
      assert.throws(() => attendHeads(split(24), input, 0, 2, allocateBuffers(input), { withProbs: true }), /no instance/);
      assert.throws(() => attendHeads(split(24), input, 0, 2, allocateBuffers(input)), /no instance/);
      // Block form only: the BlockGemm is the only WebAssembly user.
      const merged = buildPattern(fixed({ n: 24, stride: 8, c: 2, heads: 2, subblocks: 1 }));
      assert.throws(() => attendScheduled(merged, input, allocateBuffers(input), counter(2)), /no instance/);
    });
  });

  it('units: a head of block form in runs of 1024 rows\' worth of blocks (at least one block), other heads whole', () => {
    const mask = split(40);
    const [structure] = [workUnits(mask, 40)[0].structure];
    assert.deepEqual(workUnits(mask, 40), [
      { head: 0, structure, b0: 0, b1: 5 },
      { head: 1, b0: 0, b1: 0 },
    ]);
    assert.equal(structure!.l, 8);
    // l = 24: 88 blocks, 42 per unit (1024 / 24 = 42.7).
    const long = buildPattern(fixed({ n: 2100, stride: 24, c: 2, heads: 1, subblocks: 1 }));
    assert.deepEqual(workUnits(long, 2100).map((u) => [u.head, u.b0, u.b1]), [[0, 0, 42], [0, 42, 84], [0, 84, 88]]);
    // l = 2048 > 1024: one block per unit.
    const wide = buildPattern(fixed({ n: 4100, stride: 2048, c: 8, heads: 1, subblocks: 1 }));
    assert.deepEqual(workUnits(wide, 4100).map((u) => [u.head, u.b0, u.b1]), [[0, 0, 1], [0, 1, 2], [0, 2, 3]]);
  });

  it('scheduled: block-GEMM units and whole heads; the kernel named is the one that ran', () => {
    for (const d of [3, 4]) {
      const mask = split(24);
      const input = smallQkv(2, 24, d, 60 + d);
      const buffers = allocateBuffers(input);
      assert.deepEqual(attendScheduled(mask, input, buffers, counter(2)), { kernel: 'wasm-simd', note: undefined });
      checkAgainstBrute(mask, input, buffers.out, buffers.lse, `d = ${d}`);
    }
    for (const [d, kernel] of [[3, 'js'], [4, 'wasm-simd']] as const) {
      const mask = cellMask(9, [GAPPY, CAUSAL]);
      const input = smallQkv(2, 9, d, 70 + d);
      const buffers = allocateBuffers(input);
      assert.deepEqual(attendScheduled(mask, input, buffers, counter(2)), { kernel, note: undefined });
      checkAgainstBrute(mask, input, buffers.out, buffers.lse, `no block form, d = ${d}`);
    }
  });

  it('scheduled, memory that cannot be reserved: each unit\'s rows by the JS loops (units taken last first)', () => {
    // l = 16, n = 1100: 69 blocks, units [0, 64) and [64, 69) per head; the last ends at row 1104 > n.
    const mask = buildPattern(fixed({ n: 1100, stride: 16, c: 2, heads: 2, subblocks: 2 }));
    const input = smallQkv(2, 1100, 1, 80);
    assert.equal(workUnits(mask, 1100).length, 4);
    stubbed('Memory', noMemory, () => {
      const buffers = allocateBuffers(input);
      const run = attendScheduled(mask, input, buffers, counter(4, true));
      assert.equal(run.kernel, 'js');
      assert.match(run.note!, MEMORY_NOTE);
      checkAgainstBrute(mask, input, buffers.out, buffers.lse, 'fallback');
      // The fallback keeps the caller's options: a cancelled run stops.
      assert.throws(() => attendScheduled(mask, input, allocateBuffers(input), counter(4), { cancel: { cancelled: true } }), /cancelled/);
    });
  });

  it('an engine without WebAssembly: JS kernels everywhere, whole-head units', () => {
    const { attention } = freshAttention(undefined);
    assert.deepEqual([3, 4, 8].map(attention.cpuKernelFor), ['js', 'js', 'js']);
    const mask = split(24);
    assert.deepEqual(workUnits(mask, 24).length, 2);
    assert.deepEqual(attention.workUnits(mask, 24), [
      { head: 0, b0: 0, b1: 0 },
      { head: 1, b0: 0, b1: 0 },
    ]);
    const input = smallQkv(2, 24, 4, 90);
    const buffers = allocateBuffers(input);
    assert.deepEqual(attention.attendHeads(mask, input, 0, 2, buffers), { kernel: 'js', probs: [] });
    checkAgainstBrute(mask, input, buffers.out, buffers.lse, 'attendHeads');
    const scheduled = allocateBuffers(input);
    assert.deepEqual(attention.attendScheduled(mask, input, scheduled, counter(2)), { kernel: 'js', note: undefined });
    checkAgainstBrute(mask, input, scheduled.out, scheduled.lse, 'attendScheduled');
  });
});
