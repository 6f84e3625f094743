import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, FactorizedConfig, RangeList } from '../../src/core';
import { denseOf, fixedA1, fixedA2, headPicture, picture, rng, union } from './brute';

function fixed(over: Partial<FactorizedConfig>): FactorizedConfig {
  return { ...(defaultConfig('fixed') as FactorizedConfig), ...over };
}

describe('fixed pattern (paper, token level)', () => {
  it('n=16, l=4, c=1 causal, merged: pinned by hand', () => {
    const mask = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 1 }));
    assert.deepEqual(headPicture(mask.heads[0]), [
      '1000000000000000',
      '1100000000000000',
      '1110000000000000',
      '1111000000000000',
      '0001100000000000',
      '0001110000000000',
      '0001111000000000',
      '0001111100000000',
      '0001000110000000',
      '0001000111000000',
      '0001000111100000',
      '0001000111110000',
      '0001000100011000',
      '0001000100011100',
      '0001000100011110',
      '0001000100011111',
    ]);
  });

  it('n=16, l=4, c=1 bidirectional, merged: pinned by hand', () => {
    const mask = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 1, bidirectional: true }));
    const expected: string[] = [];
    for (let b = 0; b < 4; b++) {
      const row = ['0001', '0001', '0001', '0001'];
      row[b] = '1111';
      for (let r = 0; r < 4; r++) expected.push(row.join(''));
    }
    assert.deepEqual(headPicture(mask.heads[0]), expected);
  });

  it('split mode: even heads take A1, odd heads A2 with sub-block (h div 2) mod K', () => {
    const mask = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 4, subblocks: 2, mode: 'split' }));
    assert.deepEqual(headPicture(mask.heads[0]).slice(4, 8), ['0000100000000000', '0000110000000000', '0000111000000000', '0000111100000000']);
    // Head 1: sub-block 0 (offset 3), own-block summary included when j <= i.
    assert.deepEqual(headPicture(mask.heads[1]).slice(0, 5), [
      '0000000000000000',
      '0000000000000000',
      '0000000000000000',
      '0001000000000000',
      '0001000000000000',
    ]);
    // Head 3: sub-block 1 (offset 2).
    assert.deepEqual(headPicture(mask.heads[3]).slice(2, 7), [
      '0010000000000000',
      '0010000000000000',
      '0010000000000000',
      '0010000000000000',
      '0010001000000000',
    ]);
    assert.equal(mask.heads[0], mask.heads[2], 'A1 heads share one object');
  });

  it('interleaved mode: even layer is A1 on all heads, odd layer A2 with k = h mod K', () => {
    const even = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 2, subblocks: 2, mode: 'interleaved', layer: 2 }));
    assert.deepEqual(headPicture(even.heads[1]), headPicture(even.heads[0]));
    assert.equal(headPicture(even.heads[0])[5], '0000110000000000');
    const odd = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 2, subblocks: 2, mode: 'interleaved', layer: 3 }));
    assert.equal(headPicture(odd.heads[0])[15], '0001000100010001');
    assert.equal(headPicture(odd.heads[1])[15], '0010001000100010');
  });

  it('distinct sub-blocks come from the end of the block backwards', () => {
    const mask = buildPattern(fixed({ n: 32, stride: 8, c: 2, heads: 4, subblocks: 4 }));
    const lastRow = (h: number): string => headPicture(mask.heads[h])[31];
    assert.equal(lastRow(0), '00000011000000110000001111111111');
    assert.equal(lastRow(1), '00001100000011000000110011111111');
    assert.equal(lastRow(3), '11000000110000001100000011111111');
  });

  it('equals the brute-force definition on random configs, every mode and direction', () => {
    const random = rng(7);
    for (let trial = 0; trial < 60; trial++) {
      const l = 1 + Math.floor(random() * 9);
      const c = 1 + Math.floor(random() * l);
      const subblocks = 1 + Math.floor(random() * Math.floor(l / c));
      const n = 1 + Math.floor(random() * 40);
      const heads = 1 + Math.floor(random() * 5);
      const mode = (['merged', 'split', 'interleaved'] as const)[trial % 3];
      const layer = Math.floor(random() * 4);
      const bidirectional = random() < 0.5;
      const causal = !bidirectional;
      const mask = buildPattern(fixed({ n, stride: l, c, heads, subblocks, mode, layer, bidirectional }));
      for (let h = 0; h < heads; h++) {
        let cell;
        if (mode === 'merged') cell = union(fixedA1(l, causal), fixedA2(l, c, h % subblocks, causal));
        else if (mode === 'split') cell = h % 2 === 0 ? fixedA1(l, causal) : fixedA2(l, c, Math.floor(h / 2) % subblocks, causal);
        else cell = layer % 2 === 0 ? fixedA1(l, causal) : fixedA2(l, c, h % subblocks, causal);
        const context = JSON.stringify({ n, l, c, subblocks, heads, mode, layer, bidirectional, h });
        assert.deepEqual(headPicture(mask.heads[h]), picture(n, denseOf(n, cell)), context);
      }
    }
  });

  it('keeps exact rows when long-lived summary tiles make per-segment lists too large (n = 16384, l = 4)', () => {
    // 4096 summary tiles each stay active down to the last row: the head falls back to one tile list.
    const l = 4;
    const mask = buildPattern(fixed({ n: 16384, stride: l, c: 1, heads: 1, subblocks: 1, bidirectional: false }));
    const cell = union(fixedA1(l, true), fixedA2(l, 1, 0, true));
    const list = new RangeList();
    for (const i of [0, 3, 4, 5, 1000, 8191, 16383]) {
      mask.heads[0].row(i, list);
      const expected: number[] = [];
      for (let j = 0; j < 16384; j++) if (cell(i, j)) expected.push(j);
      const got: number[] = [];
      for (let r = 0; r < list.length; r++) for (let j = list.starts[r]; j < list.ends[r]; j++) got.push(j);
      assert.deepEqual(got, expected, `row ${i}`);
    }
  });
});
