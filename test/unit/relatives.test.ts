import { strict as assert } from 'assert';
import { buildPattern, DeepSpeedFixedConfig, defaultConfig, FactorizedConfig, OpenAIFixedConfig } from '../../src/core';
import { denseOf, fixedA1, headPicture, headToDense, picture, rng, union } from './brute';

function factorized(over: Partial<FactorizedConfig>): FactorizedConfig {
  return { ...(defaultConfig('fixed') as FactorizedConfig), ...over };
}
function deepspeed(over: Partial<DeepSpeedFixedConfig>): DeepSpeedFixedConfig {
  return { ...(defaultConfig('deepspeed-fixed') as DeepSpeedFixedConfig), ...over };
}
function layoutRows(layout: { blocks: number; data: Uint8Array }, h: number): string[] {
  const nb = layout.blocks;
  const rows: string[] = [];
  for (let q = 0; q < nb; q++) rows.push(Array.from(layout.data.subarray(h * nb * nb + q * nb, h * nb * nb + (q + 1) * nb)).join(''));
  return rows;
}

describe('strided, local and dense', () => {
  it('strided merged n=10, l=3 causal: band of l+1 plus every l-th earlier cell', () => {
    const mask = buildPattern(factorized({ pattern: 'strided', n: 10, stride: 3, heads: 1 }));
    assert.equal(headPicture(mask.heads[0])[9], '1001001111');
    assert.equal(headPicture(mask.heads[0])[2], '1110000000');
  });

  it('strided equals its definition in every mode and direction', () => {
    const random = rng(3);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + Math.floor(random() * 30);
      const l = 1 + Math.floor(random() * 7);
      const bidirectional = random() < 0.5;
      const a1 = (i: number, j: number) => (bidirectional ? Math.abs(i - j) <= l : j <= i && j >= i - l);
      const a2 = (i: number, j: number) => (bidirectional || j <= i) && (i - j) % l === 0;
      const mode = (['merged', 'split', 'interleaved'] as const)[trial % 3];
      const layer = trial % 2;
      const mask = buildPattern(factorized({ pattern: 'strided', n, stride: l, heads: 2, mode, layer, bidirectional }));
      const expect = (h: number) =>
        mode === 'merged' ? union(a1, a2) : (mode === 'split' ? h % 2 === 0 : layer % 2 === 0) ? a1 : a2;
      for (let h = 0; h < 2; h++) assert.deepEqual(headPicture(mask.heads[h]), picture(n, denseOf(n, expect(h))), `${n} ${l} ${mode} ${bidirectional}`);
    }
  });

  it('local keeps l cells (i-l < j <= i) and dense is the full triangle or square', () => {
    const local = buildPattern(factorized({ pattern: 'local', n: 6, stride: 2, heads: 1 }));
    assert.deepEqual(headPicture(local.heads[0]), ['100000', '110000', '011000', '001100', '000110', '000011']);
    const localBi = buildPattern(factorized({ pattern: 'local', n: 4, stride: 2, heads: 1, bidirectional: true }));
    assert.deepEqual(headPicture(localBi.heads[0]), ['1100', '1110', '0111', '0011']);
    const dense = buildPattern(factorized({ pattern: 'dense', n: 3, heads: 1 }));
    assert.deepEqual(headPicture(dense.heads[0]), ['100', '110', '111']);
    const denseBi = buildPattern(factorized({ pattern: 'dense', n: 2, heads: 1, bidirectional: true }));
    assert.deepEqual(headPicture(denseBi.heads[0]), ['11', '11']);
  });
});

describe('OpenAI block-sparse fixed layout', () => {
  it('expanded to tokens equals the paper pattern with c = vertsize*B, K = num_verts (random configs)', () => {
    const random = rng(11);
    for (let trial = 0; trial < 25; trial++) {
      const block = [8, 16][Math.floor(random() * 2)];
      const windowBlocks = 1 + Math.floor(random() * 4);
      const vertsize = 1 + Math.floor(random() * windowBlocks);
      if (windowBlocks % vertsize !== 0) continue;
      const numVerts = 1 + Math.floor(random() * (windowBlocks / vertsize));
      const n = block * (1 + Math.floor(random() * 8));
      const heads = numVerts * (1 + Math.floor(random() * 3)); // OpenAI asserts heads % num_verts == 0
      const config: OpenAIFixedConfig = { pattern: 'openai-fixed', n, heads, block, stride: windowBlocks * block, numVerts, vertsize };
      const openai = buildPattern(config);
      const paper = buildPattern(factorized({ n, heads, stride: windowBlocks * block, c: vertsize * block, subblocks: numVerts }));
      for (let h = 0; h < heads; h++) assert.deepEqual(headToDense(openai.heads[h]), headToDense(paper.heads[h]), JSON.stringify(config));
    }
  });

  it('block layout: head h uses pattern h mod num_verts, causal at block level', () => {
    const mask = buildPattern({ pattern: 'openai-fixed', n: 256, heads: 4, block: 32, stride: 128, numVerts: 4, vertsize: 1 });
    assert.deepEqual(layoutRows(mask.layout!, 0), ['10000000', '11000000', '11100000', '11110000', '00011000', '00011100', '00011110', '00011111']);
    assert.deepEqual(layoutRows(mask.layout!, 2)[7], '01001111');
  });
});

describe('DeepSpeed FixedSparsityConfig', () => {
  it('matches the published layout (xformers test): heads=2, block=16, n=128, bidirectional', () => {
    const mask = buildPattern(deepspeed({ n: 128, heads: 2 }));
    const expected = [...Array(4).fill('11110001'), ...Array(4).fill('00011111')];
    assert.deepEqual(layoutRows(mask.layout!, 0), expected);
    assert.deepEqual(layoutRows(mask.layout!, 1), expected);
  });

  it('matches the published layout with horizontal global attention, n=112 (short last window)', () => {
    const mask = buildPattern(deepspeed({ n: 112, heads: 2, horizontalGlobalAttention: true }));
    assert.deepEqual(layoutRows(mask.layout!, 0), ['1111001', '1111001', '1111001', '1111111', '0001111', '0001111', '1111111']);
  });

  it('unidirectional: lower-triangular windows, global columns from their own row, distinct patterns per head', () => {
    const mask = buildPattern(
      deepspeed({ n: 128, heads: 2, attention: 'unidirectional', differentLayoutPerHead: true, numDifferentGlobalPatterns: 2 }),
    );
    assert.deepEqual(layoutRows(mask.layout!, 0), ['10000000', '11000000', '11100000', '11110000', '00011000', '00011100', '00011110', '00011111']);
    assert.deepEqual(layoutRows(mask.layout!, 1), ['10000000', '11000000', '11100000', '11110000', '00101000', '00101100', '00101110', '00101111']);
  });

  it('reproduces the unidirectional future-leak quirk with num_global_blocks=2 and warns about it', () => {
    const mask = buildPattern(deepspeed({ n: 128, heads: 1, attention: 'unidirectional', numLocalBlocks: 4, numGlobalBlocks: 2 }));
    const rows = layoutRows(mask.layout!, 0);
    assert.equal(rows[2], '11110000', 'row 2 attends block 3, one block into the future');
    assert.ok(mask.warnings.some((w) => w.includes('into the future')));
  });

  it('with one global block, unidirectional and ndgp = num_verts it equals OpenAI block for block', () => {
    const ds = buildPattern(
      deepspeed({ n: 256, heads: 4, block: 32, numLocalBlocks: 4, attention: 'unidirectional', differentLayoutPerHead: true, numDifferentGlobalPatterns: 4 }),
    );
    const oa = buildPattern({ pattern: 'openai-fixed', n: 256, heads: 4, block: 32, stride: 128, numVerts: 4, vertsize: 1 });
    assert.deepEqual(Array.from(ds.layout!.data), Array.from(oa.layout!.data));
  });

  it('expands each set block to a full BxB tile with no cut inside', () => {
    const mask = buildPattern(deepspeed({ n: 32, heads: 1, block: 4, numLocalBlocks: 2, attention: 'unidirectional' }));
    const rows = headPicture(mask.heads[0]);
    assert.equal(rows[0], '11110000000000000000000000000000');
    assert.equal(rows[4], '11111111000000000000000000000000');
  });
});

describe('ports that differ from the paper', () => {
  const base = { n: 16, stride: 4, c: 1, heads: 1 };
  it('lra-fixed: summary is j mod l == 0 or j mod l >= l-c', () => {
    const mask = buildPattern(factorized({ ...base, pattern: 'lra-fixed' }));
    const cell = union(fixedA1(4, true), (i, j) => j <= i && (j % 4 === 0 || j % 4 >= 3));
    assert.deepEqual(headPicture(mask.heads[0]), picture(16, denseOf(16, cell)));
    assert.ok(mask.note?.includes('c+1'));
  });

  it('fairseq-fixed causal: windows (k*l, (k+1)*l] and c+1 summary cells', () => {
    const rows = headPicture(buildPattern(factorized({ ...base, pattern: 'fairseq-fixed' })).heads[0]);
    assert.equal(rows[4], '1111100000000000');
    assert.equal(rows[5], '0001110000000000');
    assert.equal(rows[9], '0001100111000000');
    assert.equal(rows[8], '0001111110000000');
  });

  it('fairseq-fixed bidirectional: whole window plus the next block start, summaries everywhere', () => {
    const rows = headPicture(buildPattern(factorized({ ...base, pattern: 'fairseq-fixed', bidirectional: true })).heads[0]);
    assert.equal(rows[1], '1111100110011001');
    assert.equal(rows[4], '1111100110011001');
    assert.equal(rows[5], '0001111110011001');
  });

  it("jukebox-summary: the summary layer is every block's last c cells but the last block's, causally; merged equals the paper", () => {
    // jukebox get_mask('summary'): tril() viewed per block, the last block dropped.
    const summary = buildPattern(factorized({ ...base, pattern: 'jukebox-summary', mode: 'interleaved', layer: 1 }));
    assert.equal(headPicture(summary.heads[0])[2], '0000000000000000');
    assert.equal(headPicture(summary.heads[0])[3], '0001000000000000', 'its own block summary cell, j <= i');
    assert.equal(headPicture(summary.heads[0])[4], '0001000000000000');
    assert.equal(headPicture(summary.heads[0])[15], '0001000100010000', 'never the last block');
    const merged = buildPattern(factorized({ ...base, pattern: 'jukebox-summary' }));
    const paper = buildPattern(factorized({ ...base }));
    assert.deepEqual(headToDense(merged.heads[0]), headToDense(paper.heads[0]));
  });

  it('lra and fairseq port definitions hold on random configs against brute force', () => {
    const random = rng(5);
    for (let trial = 0; trial < 30; trial++) {
      const l = 2 + Math.floor(random() * 6);
      const c = 1 + Math.floor(random() * (l - 1));
      const n = l + 1 + Math.floor(random() * 30);
      const bidirectional = random() < 0.5;
      // LRA is causal only.
      const lra = buildPattern(factorized({ pattern: 'lra-fixed', n, stride: l, c, heads: 1 }));
      const lraCell = union(fixedA1(l, true), (i, j) => j <= i && (j % l === 0 || j % l >= l - c));
      assert.deepEqual(headPicture(lra.heads[0]), picture(n, denseOf(n, lraCell)));
      const fs = buildPattern(factorized({ pattern: 'fairseq-fixed', n, stride: l, c, heads: 1, bidirectional }));
      assert.deepEqual(headPicture(fs.heads[0]), picture(n, denseOf(n, fairseqCell(n, l, c, bidirectional))));
    }
  });
});

/** fairseq's Python transcribed with sets, for the brute-force comparison. */
function fairseqCell(n: number, l: number, c: number, bidirectional: boolean) {
  const checkpoint = (w: number) => (w % l === 0 && w !== 0 ? w - c : Math.floor(w / l) * l + l - c);
  const summaries = (absMax: number) => {
    const set = new Set<number>();
    let cp = checkpoint(0);
    while (cp <= absMax - 1) {
      for (let j = cp; j < Math.min(cp + c + 1, absMax); j++) set.add(j);
      cp = checkpoint(cp + l);
    }
    return set;
  };
  return (i: number, j: number) => {
    const absMax = bidirectional ? n : i + 1;
    const rounded = Math.floor((i + l) / l) * l;
    const lo = i % l === 0 && i !== 0 ? i - l : Math.max(0, rounded - l);
    const hi = i % l === 0 && i !== 0 ? Math.min(absMax, i + 1) : Math.min(absMax, rounded + 1);
    return (j >= lo && j < hi) || summaries(absMax).has(j);
  };
}
