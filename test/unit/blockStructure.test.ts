/**
 * Which heads run as block GEMMs (blockStructureOf): a structure is claimed only for a head equal,
 * cell by cell, to the fixed block form it names, and it is found for every fixed head; heads one
 * tile away from that form are refused. Every registered preset is checked.
 */
import { strict as assert } from 'assert';
import { buildPattern, DenseHead, defaultConfig, FactorizedConfig, PATTERN_NAMES, PatternConfig } from '../../src/core';
import { blockStructureOf } from '../../src/core/attention';
import { CAUSAL, FULL, HeadMask, Tile, TiledHead } from '../../src/core/mask';
import { mergedHead } from '../../src/core/patterns/fixed';
import { headToDense } from './brute';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), n: 96, stride: 16, c: 2, heads: 4, ...over });

/** The structure, if claimed, rebuilt as a head: it must be the same mask. */
function checkClaim(head: HeadMask, what: string) {
  const structure = blockStructureOf(head);
  if (structure) assert.deepEqual(headToDense(mergedHead(head.n, structure.l, structure.sets, structure.bidirectional)), headToDense(head), `${what}: the claimed block form is another mask`);
  return structure;
}

describe('block structure of a head', () => {
  it('every registered preset: a claimed structure is exactly the head', () => {
    for (const pattern of PATTERN_NAMES) {
      for (const n of [48, 96, 100]) {
        const config = { ...defaultConfig(pattern), n } as PatternConfig;
        let mask;
        try {
          mask = buildPattern(config);
        } catch {
          continue; // a preset whose defaults do not fit this n
        }
        mask.heads.forEach((head, h) => checkClaim(head, `${pattern} n=${n} head ${h}`));
      }
    }
  });

  it('fixed heads are found, causal and bidirectional, merged, split and interleaved, with their summary columns', () => {
    assert.deepEqual(checkClaim(buildPattern(fixed({ subblocks: 1 })).heads[0], 'fixed'), { l: 16, sets: [{ from: 14, to: 16 }], bidirectional: false });
    assert.deepEqual(checkClaim(buildPattern(fixed({ subblocks: 4, bidirectional: true })).heads[1], 'bidirectional'), { l: 16, sets: [{ from: 12, to: 14 }], bidirectional: true });
    for (const over of [{ mode: 'split' }, { mode: 'interleaved', layer: 1 }, { stride: 128 }, { c: 16 }] as Partial<FactorizedConfig>[]) {
      buildPattern(fixed(over)).heads.forEach((head, h) => assert.ok(checkClaim(head, JSON.stringify(over)) !== undefined || over.mode !== undefined, `${JSON.stringify(over)} head ${h} not found`));
    }
  });

  it('one tile off the block form, a band that is not the causal triangle, overlapping tiles or no tiles: refused', () => {
    const n = 48;
    const good = mergedHead(n, 16, [{ from: 14, to: 16 }], false) as TiledHead;
    assert.ok(blockStructureOf(good));
    const tiles = [...good.tiles] as Tile[];
    const variants: [string, Tile[]][] = [
      ['an extra summary tile', [...tiles, { r0: 32, r1: 48, c0: 20, c1: 21, rule: FULL }]],
      ['a summary tile moved one column', tiles.map((t) => (t.c0 === 14 && t.r0 >= 16 ? { ...t, c0: 13, c1: 15 } : t))],
      ['the first block a band off the diagonal', tiles.map((t) => (t.r0 === 0 && t.c0 === 0 ? { ...t, rule: { kind: 'band', lo: 1, hi: Infinity } } : t))],
      ['the first block a band of finite width', tiles.map((t) => (t.r0 === 0 && t.c0 === 0 ? { ...t, rule: { kind: 'band', lo: 0, hi: 3 } } : t))],
      ['a later block full instead of causal', tiles.map((t) => (t.r0 === 16 && t.c0 === 16 ? { ...t, rule: FULL } : t))],
      ['one tile fewer', tiles.slice(0, -1)],
      ['a later diagonal block a band of finite width', tiles.map((t) => (t.r0 === 16 && t.c0 === 16 ? { ...t, rule: { kind: 'band', lo: 0, hi: 3 } } : t))],
      // The tiles compared as sorted keys "r0,r1,c0,c1,rule": without the last of them the rest are a prefix.
      ['the tile with the last key missing', tiles.filter((t) => t !== [...tiles].sort((a, b) => (`${a.r0},${a.r1},${a.c0},${a.c1}` < `${b.r0},${b.r1},${b.c0},${b.c1}` ? 1 : -1))[0])],
    ];
    for (const [what, changed] of variants) assert.equal(blockStructureOf(new TiledHead(n, changed)), undefined, what);
    const overlapping = new TiledHead(n, tiles);
    (overlapping as { disjoint: boolean }).disjoint = false;
    assert.equal(blockStructureOf(overlapping), undefined, 'tiles that may overlap');
    assert.equal(blockStructureOf(new DenseHead(n, new Uint8Array(n * n).fill(1))), undefined, 'a head without tiles');
    // A strided-like head with as many tiles as the fixed form: same count, other tiles.
    const strided = new TiledHead(n, [{ r0: 0, r1: n, c0: 0, c1: n, rule: CAUSAL }, ...tiles.slice(1).map((t) => ({ ...t, rule: { kind: 'stride', m: 4, lo: 0, hi: 0 } as Tile['rule'] }))]);
    assert.equal(blockStructureOf(strided), undefined, 'same tile count, other tiles');
  });

  it('is worked out once per head', () => {
    const head = buildPattern(fixed({})).heads[0];
    assert.equal(blockStructureOf(head), blockStructureOf(head));
  });
});
