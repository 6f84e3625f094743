import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, HeadMask, PATTERN_NAMES, PatternConfig, patternStats, RangeList, rowColumns, rowsCover, unionOf, validateConfig } from '../../src/core';
import { RowRuleHead, Tile, TiledHead, tileRowsCover, TileRule } from '../../src/core/mask';
import { rng } from './brute';

/** The definition: every column allowed in some row of [i0, i1), one row at a time. */
function sweep(head: HeadMask, i0: number, i1: number): Array<[number, number]> {
  const out = new RangeList();
  const row = new RangeList();
  for (let i = i0; i < i1; i++) {
    head.row(i, row);
    for (let r = 0; r < row.length; r++) out.push(row.starts[r], row.ends[r]);
  }
  out.normalize();
  return out.toArray();
}

describe('rowsCover: the columns of a band of rows (one map pixel row)', () => {
  const random = rng(11);
  for (const pattern of PATTERN_NAMES) {
    it(`equals the row-by-row union for ${pattern}, causal and bidirectional, every mode it takes`, () => {
      for (const over of [{}, { bidirectional: true }, { mode: 'split' }, { mode: 'interleaved', layer: 1 }, { n: 1024 }]) {
        const config = { ...defaultConfig(pattern), heads: 3, ...over } as PatternConfig;
        if (validateConfig(config).length) continue;
        const mask = buildPattern(config);
        const heads = [...new Set(mask.heads), unionOf(mask)];
        const list = new RangeList();
        for (const head of heads) {
          for (let trial = 0; trial < 25; trial++) {
            const i0 = Math.floor(random() * config.n);
            const i1 = Math.min(config.n, i0 + 1 + Math.floor(random() * (trial % 2 ? 300 : 8)));
            rowsCover(head, i0, i1, list);
            assert.deepEqual(list.toArray(), sweep(head, i0, i1), `${JSON.stringify(over)} rows ${i0}..${i1}`);
          }
        }
      }
    });
  }
});

describe('tiles: cover, storage and order', () => {
  const full: TileRule = { kind: 'full' };
  const band: TileRule = { kind: 'band', lo: 0, hi: 3 };
  const stride: TileRule = { kind: 'stride', m: 3, lo: 0, hi: 9 };
  const cover = (tile: Tile, i0: number, i1: number) => {
    const out = new RangeList();
    tileRowsCover(tile, i0, i1, out);
    out.normalize();
    return out.toArray();
  };

  it('tileRowsCover gives each rule its columns over the rows it shares with [i0, i1), none outside', () => {
    const rows = { r0: 5, r1: 10, c0: 2, c1: 20 };
    assert.deepEqual(cover({ ...rows, rule: full }, 0, 6), [[2, 20]]);
    assert.deepEqual(cover({ ...rows, rule: band }, 6, 8), [[3, 8]]);
    assert.deepEqual(cover({ ...rows, rule: stride }, 8, 9), [[2, 3], [5, 6], [8, 9]]);
    assert.deepEqual(cover({ ...rows, rule: stride }, 7, 9), [[2, 3], [4, 6], [7, 9]]); // row 7: 4, 7; row 8: 2, 5, 8
    for (const rule of [full, band, stride]) {
      assert.deepEqual(cover({ ...rows, rule }, 10, 15), [], rule.kind);
      assert.deepEqual(cover({ ...rows, rule }, 0, 5), [], rule.kind);
      assert.deepEqual(cover({ ...rows, rule }, 12, 11), [], rule.kind);
    }
  });

  it('a tiled head stores only its non-empty tiles, and reads tiles given in any row order', () => {
    const kept: Tile[] = [
      { r0: 6, r1: 10, c0: 0, c1: 4, rule: full },
      { r0: 0, r1: 6, c0: 0, c1: 10, rule: band },
      { r0: 3, r1: 8, c0: 8, c1: 10, rule: full },
    ];
    const empty: Tile[] = [
      { r0: 4, r1: 4, c0: 0, c1: 5, rule: full },
      { r0: 4, r1: 2, c0: 0, c1: 5, rule: full },
      { r0: 1, r1: 5, c0: 5, c1: 5, rule: full },
      { r0: 1, r1: 5, c0: 6, c1: 5, rule: full },
    ];
    const head = new TiledHead(10, [...kept, ...empty]);
    assert.equal(head.storedElements, 3);
    const expected = [[0], [0, 1], [0, 1, 2], [0, 1, 2, 3, 8, 9], [1, 2, 3, 4, 8, 9], [2, 3, 4, 5, 8, 9], [0, 1, 2, 3, 8, 9], [0, 1, 2, 3, 8, 9], [0, 1, 2, 3], [0, 1, 2, 3]];
    // Rows read in order, backwards and jumping: the segment cache must not matter.
    for (const order of [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [3, 9, 0, 6, 5, 1, 8, 2, 7, 4]]) {
      const fresh = new TiledHead(10, [...kept, ...empty]);
      for (const i of order) assert.deepEqual(rowColumns(fresh, i), expected[i], `row ${i}`);
    }
    const out = new RangeList();
    head.rowsCover(2, 5, out);
    assert.deepEqual(out.toArray(), [[0, 5], [8, 10]]);
  });

  it('the union of a tiled and a per-row rule head: rows, stored elements and stats', () => {
    const tiled = new TiledHead(6, [{ r0: 0, r1: 6, c0: 0, c1: 1, rule: full }]);
    const diagonal = new RowRuleHead(6, (i, out) => out.push(i, i + 1), 2);
    const mask = { n: 6, heads: [tiled, diagonal, tiled], warnings: [] };
    const union = unionOf(mask);
    assert.equal(union.tiles, undefined);
    assert.equal(union.storedElements, 3);
    assert.deepEqual(rowColumns(union, 3), [0, 3]);
    const stats = patternStats(mask);
    assert.equal(stats.union.nnz, 11);
    assert.equal(stats.storedElements, 3);
    const both = unionOf({ n: 6, heads: [tiled, new TiledHead(6, [{ r0: 2, r1: 4, c0: 3, c1: 5, rule: full }])], warnings: [] });
    assert.equal(both.tiles?.length, 2);
    assert.equal(both.storedElements, 2);
  });
});
