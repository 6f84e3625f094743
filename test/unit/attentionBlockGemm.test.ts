/**
 * blockGemm.ts, the block-GEMM kernel, on small cases with both kernel variants. The oracle is the
 * float64 brute force of test/support/smallAttention.ts over a predicate written from the block
 * form's definition (own block: causal triangle or full square; summary offsets of the earlier
 * blocks, or of every other block when bidirectional), not from summaryColumns; and, for masks of
 * buildPattern, over the mask's dense picture. Buffers start as NaN, so the rows a unit does not
 * write stay NaN; the mask counts its row reads, which only the float64 redo of overflowing rows
 * makes. Cases: l of 4 to 16 (not a multiple of 8 or 4), l > n, n not a multiple of l (a last
 * block that cuts a summary range), d of 1 to 16 (padded to 8 or not), several heads sharing or not
 * a structure, units out of order and by two instances over one buffer, head switching,
 * cancellation between blocks, overflow redone by unit, and many summary columns (two chunks).
 */
import { strict as assert } from 'assert';
import { allocateBuffers, BlockStructure, blockStructureOf, buildPattern, CancelledError, defaultConfig, FactorizedConfig, QKV, WasmMemoryError } from '../../src/core';
import { BlockGemm, blockGemmAvailable, blockGemmHeads } from '../../src/core/attention/blockGemm';
import { recheckKernelVariants } from '../../src/core/attention/wasmModule';
import { countingMask, eachVariant, nanBuffers, overflowScores, overflowValues } from '../support/kernelCases';
import { Allowed, allowedOf, assertClose, bruteAttention, freshAttention, smallQkv } from '../support/smallAttention';

const TOLERANCE = 1e-5;

/** The cells of a head of block form, from the definition. */
function blockAllowed(n: number, s: BlockStructure): Allowed {
  const l = Math.min(s.l, n);
  return (i, j) => {
    const bi = Math.floor(i / l);
    const bj = Math.floor(j / l);
    if (bi === bj) return s.bidirectional || j <= i;
    if (!s.bidirectional && bj > bi) return false;
    return s.sets.some((r) => r.from <= j - bj * l && j - bj * l < r.to);
  };
}

const S = (l: number, sets: Array<[number, number]>, bidirectional = false): BlockStructure => ({ l, sets: sets.map(([from, to]) => ({ from, to })), bidirectional });

type Unit = [head: number, b0: number, b1: number];

/**
 * Runs `units` with BlockGemm instances over one NaN-filled buffer (unit u on instance u % threads)
 * and checks every row of every unit against the brute force, the other rows still NaN, and no row read.
 */
function check(structures: BlockStructure[], input: QKV, units: Unit[], label: string, threads = 1): void {
  const { n, d } = input;
  const heads = structures.map((s) => blockAllowed(n, s));
  const { mask, calls } = countingMask(n, heads);
  const buffers = nanBuffers(input);
  const gemms = Array.from({ length: threads }, () => new BlockGemm(mask, input, structures, buffers, {}));
  units.forEach(([h, b0, b1], u) => gemms[u % threads].run(h, structures[h], b0, b1));
  const brute = bruteAttention(heads, input);
  const written = heads.map(() => new Array<boolean>(n).fill(false));
  for (const [h, b0, b1] of units) {
    const l = Math.min(structures[h].l, n);
    for (let i = b0 * l; i < Math.min(n, b1 * l); i++) written[h][i] = true;
  }
  written.forEach((rows, h) =>
    rows.forEach((w, i) => {
      const at = (h * n + i) * d;
      const out = buffers.out.subarray(at, at + d);
      if (w) {
        assertClose(out, brute.out.subarray(at, at + d), TOLERANCE, `${label}: head ${h} row ${i} out`);
        assertClose([buffers.lse[h * n + i]], [brute.lse[h * n + i]], TOLERANCE, `${label}: head ${h} row ${i} lse`);
      } else {
        assert.ok(out.every(Number.isNaN) && Number.isNaN(buffers.lse[h * n + i]), `${label}: head ${h} row ${i} not written`);
      }
    }),
  );
  assert.deepEqual(calls, [], `${label}: no float64 redo`);
}

const blocks = (n: number, s: BlockStructure) => Math.ceil(n / Math.min(s.l, n));
const whole = (n: number, structures: BlockStructure[]): Unit[] => structures.map((s, h) => [h, 0, blocks(n, s)]);

/** [structure, n]: causal and bidirectional; l of 4, 5, 6, 8, 16 and one block (l > n); last blocks that cut a summary range. */
const CASES: Array<[string, BlockStructure, number]> = [
  ['causal l = 8, summary 6..8, n = 37', S(8, [[6, 8]]), 37],
  ['bidirectional l = 6, summaries 1..3 and 4..5, n = 38 (the last block cuts 4..5)', S(6, [[1, 3], [4, 5]], true), 38],
  ['causal l = 6, summaries 1..3 and 4..5, n = 41', S(6, [[1, 3], [4, 5]]), 41],
  ['causal l = 4, no summaries, n = 30', S(4, []), 30],
  ['bidirectional l = 5, summary 0..2, n = 23', S(5, [[0, 2]], true), 23],
  ['causal l = 16, summaries 0..4 and 10..16, n = 50', S(16, [[0, 4], [10, 16]]), 50],
  ['causal l = 64 > n = 20 (one block)', S(64, [[60, 64]]), 20],
  ['bidirectional l = 64 > n = 20 (one block)', S(64, [[0, 4]], true), 20],
];

describe('block-GEMM kernel (small cases)', () => {
  beforeEach(() => recheckKernelVariants());

  for (const [name, structure, n] of CASES) {
    it(name, () => {
      eachVariant((variant) => {
        for (const d of [1, 3, 4, 5, 8, 12]) check([structure], smallQkv(1, n, d, n + d), whole(n, [structure]), `${variant} d = ${d}`);
      });
    });
  }

  it('many summary columns: the summaries span two chunks of 256 keys (causal and bidirectional)', () => {
    eachVariant((variant) => {
      for (const bidirectional of [false, true]) {
        const s = S(4, [[1, 4]], bidirectional);
        for (const d of [3, 8]) check([s], smallQkv(1, 360, d, d), whole(360, [s]), `${variant} bidirectional ${bidirectional} d = ${d}`);
      }
    });
  });

  it('heads sharing a structure or not (the memory sized by the longest block and the most summaries), units out of order, two instances', () => {
    const wide = S(4, [[1, 4]]);
    const long = S(16, [[15, 16]], true);
    const structures = [wide, long, wide, S(8, [[0, 3]])];
    const n = 60;
    eachVariant((variant) => {
      for (const d of [3, 8, 12]) {
        const input = smallQkv(4, n, d, 50 + d);
        check(structures, input, whole(n, structures), `${variant} d = ${d} in order`);
        // Units of two blocks, last first, heads interleaved, on one and on two instances.
        const units: Unit[] = [];
        structures.forEach((s, h) => {
          for (let b0 = 0; b0 < blocks(n, s); b0 += 2) units.push([h, b0, Math.min(blocks(n, s), b0 + 2)]);
        });
        units.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
        check(structures, input, units, `${variant} d = ${d} out of order`);
        check(structures, input, units, `${variant} d = ${d} two instances`, 2);
        // Some units only: the others' rows stay NaN.
        check(structures, input, units.filter((_, u) => u % 3 === 1), `${variant} d = ${d} some units`, 2);
      }
    });
  });

  it('the memory\'s last panels end just past a 64 KiB page (the staging rows; the scores of a 256-key chunk)', () => {
    // One block of 48 rows at d = 57: the staged keys and queries cross 64 KiB. l = 32, d = 17,
    // n = 315, summaries 1..32: blocks from the 10th on read 256-key chunks of summaries, whose
    // scores end past 64 KiB.
    eachVariant((variant) => {
      for (const [s, n, d] of [[S(48, [[46, 48]]), 48, 57], [S(32, [[1, 32]]), 315, 17]] as const) {
        check([s], smallQkv(1, n, d, 3), whole(n, [s]), `${variant} l = ${s.l} n = ${n} d = ${d}`);
      }
    });
  });

  it('padding columns of the summary panels are zeroed per head: a non-finite value an earlier head left there weighs nothing', () => {
    // Head 0 (summaries 1..4 of l = 4: 18 columns) gathers keys 9 and 10 as its columns 6 and 7,
    // which are padding columns of head 1 (summary 3..4: 6 columns). Head 0's keys and values there are NaN
    // (its rows that see them are NaN, as in the brute force); head 1 must come out finite, unredone.
    const wide = S(4, [[1, 4]]);
    const narrow = S(4, [[3, 4]]);
    const n = 24;
    for (const d of [3, 8]) {
      const input = smallQkv(2, n, d, 5 + d);
      for (const j of [9, 10]) for (const a of [input.k, input.v]) a.fill(NaN, j * d, (j + 1) * d);
      const heads = [blockAllowed(n, wide), blockAllowed(n, narrow)];
      const { mask, reads } = countingMask(n, heads);
      const buffers = nanBuffers(input);
      const gemm = new BlockGemm(mask, input, [wide, narrow], buffers, {});
      gemm.run(0, wide, 0, 6);
      gemm.run(1, narrow, 0, 6);
      const brute = bruteAttention(heads, input);
      assertClose(buffers.out, brute.out, TOLERANCE, `d = ${d} out`);
      assertClose(buffers.lse, brute.lse, TOLERANCE, `d = ${d} lse`);
      assert.ok(buffers.out.subarray(n * d).every(Number.isFinite), `d = ${d}: head 1 finite`);
      assert.deepEqual(reads[1], new Array(n).fill(0), `d = ${d}: head 1 not redone`);
    }
  });

  it('a structure equal to one given to the constructor but not the same object', () => {
    const s = S(6, [[2, 4]]);
    const input = smallQkv(2, 30, 5, 1);
    const { mask } = countingMask(30, [blockAllowed(30, s), blockAllowed(30, s)]);
    const buffers = nanBuffers(input);
    const gemm = new BlockGemm(mask, input, [s], buffers, {});
    gemm.run(1, { ...s }, 0, 5);
    gemm.run(0, s, 0, 5);
    const brute = bruteAttention([blockAllowed(30, s), blockAllowed(30, s)], input);
    assertClose(buffers.out, brute.out, TOLERANCE, 'out');
    assertClose(buffers.lse, brute.lse, TOLERANCE, 'lse');
  });

  it('blockGemmHeads: the listed heads, whole; masks of buildPattern against their dense picture', () => {
    const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });
    for (const config of [fixed({ n: 45, stride: 8, c: 2, heads: 3, subblocks: 3 }), fixed({ n: 45, stride: 6, c: 2, heads: 2, subblocks: 1, bidirectional: true })]) {
      const mask = buildPattern(config);
      const structures = mask.heads.map((head) => blockStructureOf(head)!);
      assert.ok(structures.every(Boolean));
      for (const d of [3, 8]) {
        const input = smallQkv(config.heads, 45, d, d);
        const buffers = nanBuffers(input);
        const heads = config.heads === 3 ? [2, 0] : [1];
        blockGemmHeads(mask, input, heads, heads.map((h) => structures[h]), buffers);
        const brute = bruteAttention(allowedOf(mask), input);
        for (let h = 0; h < config.heads; h++) {
          const out = buffers.out.subarray(h * 45 * d, (h + 1) * 45 * d);
          const lse = buffers.lse.subarray(h * 45, (h + 1) * 45);
          if (heads.includes(h)) {
            assertClose(out, brute.out.subarray(h * 45 * d, (h + 1) * 45 * d), TOLERANCE, `head ${h} out`);
            assertClose(lse, brute.lse.subarray(h * 45, (h + 1) * 45), TOLERANCE, `head ${h} lse`);
          } else assert.ok(out.every(Number.isNaN) && lse.every(Number.isNaN), `head ${h} untouched`);
        }
      }
    }
  });

  it('float32 overflow: the unit\'s rows, and only they, are redone in float64', () => {
    const s = S(8, [[6, 8]]);
    const n = 40;
    eachVariant((variant) => {
      for (const d of [4, 5, 8]) {
        const input = smallQkv(4, n, d, 70 + d);
        overflowScores(input, 1, 19, 14); // row 19 (block 2) against summary column 14 of block 1
        overflowValues(input, 2);
        // Head 3: queries 0, value sums past 3.4e38 only where keys 22 and 23 are both seen: rows
        // 23 (own block) and 24 on (summary columns of block 2), not rows 0 to 22.
        overflowValues(input, 3);
        for (let j = 0; j < n; j++) if (j !== 22 && j !== 23) input.v[(3 * n + j) * d] = 1;
        const heads = [0, 1, 2, 3].map(() => blockAllowed(n, s));
        const { mask, reads, calls } = countingMask(n, heads);
        const buffers = nanBuffers(input);
        const gemm = new BlockGemm(mask, input, [s, s, s, s], buffers, {});
        for (const [h, b0, b1] of [[0, 0, 5], [1, 0, 2], [1, 2, 4], [1, 4, 5], [2, 1, 3], [3, 0, 2], [3, 2, 3], [3, 3, 5]]) gemm.run(h, s, b0, b1);
        const brute = bruteAttention(heads, input);
        for (const h of [0, 1, 3]) {
          assertClose(buffers.out.subarray(h * n * d, (h + 1) * n * d), brute.out.subarray(h * n * d, (h + 1) * n * d), TOLERANCE, `${variant} d = ${d} head ${h} out`);
          assertClose(buffers.lse.subarray(h * n, (h + 1) * n), brute.lse.subarray(h * n, (h + 1) * n), TOLERANCE, `${variant} d = ${d} head ${h} lse`);
        }
        assertClose(buffers.out.subarray((2 * n + 8) * d, (2 * n + 24) * d), brute.out.subarray((2 * n + 8) * d, (2 * n + 24) * d), TOLERANCE, `${variant} d = ${d} head 2 out`);
        assert.ok(buffers.out.subarray(2 * n * d, (2 * n + 8) * d).every(Number.isNaN) && buffers.out.subarray((2 * n + 24) * d, 3 * n * d).every(Number.isNaN), 'head 2 outside its unit');
        const redone = (h: number, i: number) => (h === 1 && i >= 16 && i < 32) || (h === 2 && i >= 8 && i < 24) || (h === 3 && i >= 16);
        const expected = [0, 1, 2, 3].map((h) => Array.from({ length: n }, (_, i) => (redone(h, i) ? 1 : 0)));
        assert.deepEqual(reads, expected, `${variant} d = ${d}: the overflowing units' rows read once each`);
        assert.equal(calls.length, 56, `${variant} d = ${d}: no other row read`);
      }
    });
  });

  it('cancellation between blocks', () => {
    const s = S(4, [[3, 4]]);
    const input = smallQkv(1, 20, 3, 2);
    const { mask } = countingMask(20, [blockAllowed(20, s)]);
    assert.throws(() => new BlockGemm(mask, input, [s], nanBuffers(input), { cancel: { cancelled: true } }).run(0, s, 0, 5), CancelledError);
    let polls = 0;
    const buffers = nanBuffers(input);
    const cancel = { get cancelled() {
      return ++polls > 2;
    } };
    assert.throws(() => new BlockGemm(mask, input, [s], buffers, { cancel }).run(0, s, 1, 5), CancelledError);
    assert.equal(polls, 3, 'polled before each block');
    const brute = bruteAttention([blockAllowed(20, s)], input);
    assertClose(buffers.out.subarray(12, 36), brute.out.subarray(12, 36), TOLERANCE, 'blocks 1 and 2');
    assert.ok(buffers.out.subarray(0, 12).every(Number.isNaN) && buffers.out.subarray(36).every(Number.isNaN), 'blocks 0, 3 and 4 not written');
  });

  it('without WebAssembly SIMD: unavailable, and the constructor says why; memory that cannot be reserved: WasmMemoryError', () => {
    assert.equal(blockGemmAvailable(), true);
    const { attention } = freshAttention(undefined);
    assert.equal(attention.blockGemmAvailable(), false);
    const s = S(4, []);
    const input = smallQkv(1, 8, 4, 1);
    const { mask } = countingMask(8, [blockAllowed(8, s)]);
    assert.throws(() => new attention.BlockGemm(mask, input, [s], allocateBuffers(input), {}), /^Error: the block-GEMM path needs WebAssembly SIMD$/);
    const api = (globalThis as unknown as { WebAssembly: Record<string, unknown> }).WebAssembly;
    const real = api.Memory;
    api.Memory = function () {
      throw new RangeError('no room');
    };
    try {
      assert.throws(() => new BlockGemm(mask, input, [s], allocateBuffers(input), {}), WasmMemoryError);
    } finally {
      api.Memory = real;
    }
    // A copy loaded afresh with the engine's WebAssembly computes the same (module-level code).
    const again = freshAttention(api).attention;
    const s2 = S(6, [[4, 6]]);
    const input2 = smallQkv(1, 20, 3, 4);
    const buffers = nanBuffers(input2);
    new again.BlockGemm(countingMask(20, [blockAllowed(20, s2)]).mask, input2, [s2], buffers, {}).run(0, s2, 0, 4);
    const brute = bruteAttention([blockAllowed(20, s2)], input2);
    assertClose(buffers.out, brute.out, TOLERANCE, 'fresh copy out');
    assertClose(buffers.lse, brute.lse, TOLERANCE, 'fresh copy lse');
  });
});
