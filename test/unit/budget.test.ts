/**
 * The inspector's budget (src/core/budget.ts), in-process: the tile estimate of every kind of preset
 * (the closed form of the factorized ones, worked out by hand below; the scaled sample build of the
 * block ones, against buildPattern itself), the limits at their exact boundaries, and the messages
 * the form shows.
 */
import * as assert from 'assert';
import {
  ATTENTION_MAX_BYTES,
  attentionMemory,
  buildPattern,
  defaultConfig,
  estimateTiles,
  INSPECTOR_MAX_N,
  INSPECTOR_MAX_TILES,
  inspectorIssues,
  PatternConfig,
  PatternName,
  validateConfig,
} from '../../src/core';

function config(pattern: PatternName, overrides: object): PatternConfig {
  const c = { ...defaultConfig(pattern), ...overrides } as PatternConfig;
  // The form asks for the budget only of a valid config: so do these tests.
  assert.deepStrictEqual(validateConfig(c), [], `${pattern} ${JSON.stringify(overrides)} is valid`);
  return c;
}

/** Tiles a built pattern stores over its distinct heads: what the estimate stands for. */
function storedTiles(c: PatternConfig): number {
  return Array.from(new Set(buildPattern(c).heads)).reduce((s, h) => s + h.storedElements, 0);
}

describe('budget: estimateTiles', () => {
  // n = 1000 and l = 32: 32 blocks (ceil). K = 3 summary sub-blocks over 4 heads: 3 sets for fixed.
  const base = { n: 1000, heads: 4, stride: 32, c: 4, subblocks: 3 };
  const factorized: [string, PatternName, object, number][] = [
    // merged: sets × blocks × (A1 + one strip per direction)
    ['fixed, merged', 'fixed', {}, 3 * 32 * 2],
    ['fixed, merged, bidirectional', 'fixed', { bidirectional: true }, 3 * 32 * 3],
    ['fixed, one set per head when K > heads', 'fixed', { heads: 2 }, 2 * 32 * 2],
    // split: blocks × (1 + min(ceil(heads / 2), sets) × strips)
    ['fixed, split', 'fixed', { mode: 'split' }, 32 * (1 + 2 * 1)],
    ['fixed, split, bidirectional', 'fixed', { mode: 'split', bidirectional: true }, 32 * (1 + 2 * 2)],
    ['fixed, split, fewer sets than half the heads', 'fixed', { mode: 'split', heads: 8 }, 32 * (1 + 3 * 1)],
    // interleaved: even layers store A1 (one tile a block), odd layers A2 (sets × strips a block)
    ['fixed, interleaved, layer 0', 'fixed', { mode: 'interleaved', layer: 0, bidirectional: true }, 32],
    ['fixed, interleaved, layer 1', 'fixed', { mode: 'interleaved', layer: 1, bidirectional: true }, 32 * 3 * 2],
    ['fixed, interleaved, layer 2', 'fixed', { mode: 'interleaved', layer: 2, bidirectional: true }, 32],
    ['fixed, interleaved, layer 3, causal', 'fixed', { mode: 'interleaved', layer: 3 }, 32 * 3 * 1],
    // the ports of fixed have the paper's two sets, whatever K
    ['lra-fixed', 'lra-fixed', { subblocks: 1 }, 2 * 32 * 2],
    ['jukebox-summary', 'jukebox-summary', { n: 1024, subblocks: 1 }, 2 * 32 * 2],
    ['fairseq-fixed', 'fairseq-fixed', { n: 1024, subblocks: 1 }, 2 * 32 * 2],
    // strided, local and dense store a few shaped tiles per distinct head (at most two distinct heads)
    ['strided, 4 heads', 'strided', {}, 8],
    ['strided, 1 head', 'strided', { heads: 1 }, 4],
    ['local, 3 heads', 'local', { heads: 3 }, 8],
    ['dense, 4 heads', 'dense', {}, 8],
    ['dense, 1 head', 'dense', { heads: 1 }, 4],
  ];

  it('gives the closed form of every factorized preset, never below what the build stores', () => {
    for (const [what, pattern, overrides, expected] of factorized) {
      const c = config(pattern, { ...base, ...overrides });
      assert.strictEqual(estimateTiles(c), expected, what);
      // The budget refuses before any work: it must not promise less than the build then stores.
      assert.ok(storedTiles(c) <= expected, `${what}: ${storedTiles(c)} stored <= ${expected} estimated`);
    }
  });

  it('counts blocks with a partial last one and scales with n', () => {
    const c = (n: number) => config('fixed', { ...base, n, subblocks: 1 });
    // 1 set, causal: 2 tiles a block
    assert.strictEqual(estimateTiles(c(32)), 2);
    assert.strictEqual(estimateTiles(c(33)), 4);
    assert.strictEqual(estimateTiles(c(1 << 20)), 2 * 32768);
  });

  it('builds a block preset up to 64 blocks: exactly the tiles it stores', () => {
    const cases: [PatternName, object, number][] = [
      ['deepspeed-dense', { n: 1024, heads: 2, block: 16 }, 64],
      ['deepspeed-dense', { n: 256, heads: 2, block: 16 }, 16],
      ['deepspeed-variable', { n: 1024 }, 124],
      ['deepspeed-bslongformer', { n: 1024 }, 125],
      ['openai-fixed', { n: 1024 }, 651],
      // one layout per head: every head counts
      ['deepspeed-fixed', { n: 1024, heads: 4, differentLayoutPerHead: true, numDifferentGlobalPatterns: 4 }, 3976],
      // one layout for all heads: counted once, whatever the heads
      ['deepspeed-fixed', { n: 1024, heads: 1 }, 964],
      ['deepspeed-fixed', { n: 1024, heads: 8 }, 964],
    ];
    for (const [pattern, overrides, expected] of cases) {
      const c = config(pattern, overrides);
      assert.strictEqual(estimateTiles(c), expected, `${pattern} ${JSON.stringify(overrides)}`);
      assert.strictEqual(storedTiles(c), expected, `${pattern} ${JSON.stringify(overrides)} as built`);
    }
  });

  it('past 64 blocks, builds 64 and scales by the square of the block ratio (rounded up)', () => {
    const cases: [PatternName, object, number][] = [
      // 256 blocks: 64 tiles at 64 blocks, × 16 (the dense layout stores one a row: an overestimate)
      ['deepspeed-dense', { n: 4096, heads: 2, block: 16 }, 64 * 16],
      ['deepspeed-variable', { n: 4096 }, 124 * 16],
      // 100 blocks: × (100 / 64)^2 = 2.44140625
      ['deepspeed-fixed', { n: 1600, heads: 1 }, Math.ceil(964 * 2.44140625)],
      // 4096 blocks of 256 at n = 2^20: × 4096
      ['deepspeed-fixed', { n: 1 << 20, heads: 8, block: 256 }, 964 * 4096],
    ];
    for (const [pattern, overrides, expected] of cases) {
      const c = config(pattern, overrides);
      assert.strictEqual(estimateTiles(c), expected, `${pattern} ${JSON.stringify(overrides)}`);
      const block = (c as { block: number }).block;
      const sample = storedTiles({ ...c, n: 64 * block } as PatternConfig);
      assert.strictEqual(estimateTiles(c), Math.ceil(sample * (c.n / block / 64) ** 2), `${pattern} from its 64-block sample`);
    }
  });
});

describe('budget: inspectorIssues', () => {
  it('opens n up to 2^20 and names the n field past it', () => {
    assert.strictEqual(INSPECTOR_MAX_N, 1_048_576);
    assert.deepStrictEqual(inspectorIssues(config('strided', { n: 1 << 20 })), []);
    assert.deepStrictEqual(inspectorIssues(config('strided', { n: (1 << 20) + 1 })), [
      {
        field: 'n',
        message: "n = 1,048,577 is past the inspector's limit of 1,048,576 (2^20) positions; `sparse-attn stats` takes up to 2^24",
      },
    ]);
  });

  it('checks n before the tiles: one issue, on n', () => {
    // l = 1 would also be past the tile limit (2,097,154 tiles)
    const c = config('fixed', { n: (1 << 20) + 1, heads: 1, stride: 1, c: 1, subblocks: 1 });
    assert.ok(estimateTiles(c) > INSPECTOR_MAX_TILES);
    assert.deepStrictEqual(inspectorIssues(c).map((i) => i.field), ['n']);
  });

  it('stores up to 2,000,000 tiles: exactly the limit opens, past it names l with the estimate', () => {
    assert.strictEqual(INSPECTOR_MAX_TILES, 2_000_000);
    // lra-fixed, 2 sets, causal: 4 tiles a block of 2
    const at = config('lra-fixed', { n: 1_000_000, heads: 4, stride: 2, c: 1, subblocks: 1 });
    assert.strictEqual(estimateTiles(at), 2_000_000);
    assert.deepStrictEqual(inspectorIssues(at), []);
    const past = config('lra-fixed', { n: 1_000_002, heads: 4, stride: 2, c: 1, subblocks: 1 });
    assert.deepStrictEqual(inspectorIssues(past), [
      {
        field: 'stride',
        message: "about 2,000,004 tiles (286.1 MiB) at n = 1,000,002: past the inspector's 2,000,000; use a larger l or a smaller n",
      },
    ]);
  });

  it('names the block of a block preset past the tile limit', () => {
    assert.deepStrictEqual(inspectorIssues(config('deepspeed-fixed', { n: 1 << 20, heads: 8, block: 256 })), [
      {
        field: 'block',
        message: "about 3,948,544 tiles (564.8 MiB) at n = 1,048,576: past the inspector's 2,000,000; use a larger block or a smaller n",
      },
    ]);
    assert.deepStrictEqual(inspectorIssues(config('deepspeed-fixed', { n: 1 << 20, heads: 8, block: 512 })), []);
  });
});

describe('budget: attentionMemory', () => {
  it('counts Q, K, V and the output in float32 and fits up to 1 GiB exactly', () => {
    assert.strictEqual(ATTENTION_MAX_BYTES, 1 << 30);
    // 4 arrays × 4 bytes × 1 head × 2^20 positions × 64 = 2^30
    assert.deepStrictEqual(attentionMemory(config('fixed', { n: 1 << 20, heads: 1 }), 64), { bytes: 2 ** 30, fits: true, message: '' });
    assert.deepStrictEqual(attentionMemory(config('fixed', { n: 4096, heads: 3 }), 48), { bytes: 16 * 3 * 4096 * 48, fits: true, message: '' });
  });

  it('past 1 GiB, says what needs how much and what to lower', () => {
    assert.deepStrictEqual(attentionMemory(config('fixed', { n: 1 << 20, heads: 1 }), 65), {
      bytes: 16 * 1048576 * 65,
      fits: false,
      message:
        'Q, K, V and the output of 1 heads × 1,048,576 positions × d = 65 need 1.0 GiB (limit 1.0 GiB): the maps show the masks; lower n or the heads for attention weights',
    });
    assert.deepStrictEqual(attentionMemory(config('deepspeed-dense', { n: 1 << 20, heads: 8, block: 256 }), 64), {
      bytes: 2 ** 33,
      fits: false,
      message:
        'Q, K, V and the output of 8 heads × 1,048,576 positions × d = 64 need 8.0 GiB (limit 1.0 GiB): the maps show the masks; lower n or the heads for attention weights',
    });
  });
});
