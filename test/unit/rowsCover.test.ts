import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, HeadMask, PATTERN_NAMES, PatternConfig, RangeList, rowsCover, unionOf, validateConfig } from '../../src/core';
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
