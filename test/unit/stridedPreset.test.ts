import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, FactorizedConfig, patternStats, RangeList } from '../../src/core';

// The paper's strided pattern from its definition, cell by cell: A1 the previous l positions
// (|i - j| <= l when bidirectional), A2 every l-th position (i - j divisible by l; j <= i when
// causal). Merged heads take the union; split heads one set each. The stats must count each cell
// once, whatever tiles the union is built from.
const strided = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('strided') as FactorizedConfig), ...over });

function allowed(i: number, j: number, l: number, bidirectional: boolean, set: 'a1' | 'a2' | 'both'): boolean {
  if (!bidirectional && j > i) return false;
  const a1 = Math.abs(i - j) <= l;
  const a2 = (i - j) % l === 0;
  return set === 'a1' ? a1 : set === 'a2' ? a2 : a1 || a2;
}

describe('strided preset against its definition', () => {
  for (const bidirectional of [false, true]) {
    for (const mode of ['merged', 'split'] as const) {
      it(`${bidirectional ? 'bidirectional' : 'causal'}, ${mode}: every row cell by cell, and stats counting each cell once`, () => {
        const n = 37;
        const l = 5;
        const mask = buildPattern(strided({ n, stride: l, heads: 2, mode, bidirectional }));
        const stats = patternStats(mask, 8);
        const sets = mode === 'merged' ? (['both', 'both'] as const) : (['a1', 'a2'] as const);
        const list = new RangeList();
        mask.heads.forEach((head, h) => {
          let nnz = 0;
          for (let i = 0; i < n; i++) {
            head.row(i, list);
            const got = list.toArray().flatMap(([a, b]) => Array.from({ length: b - a }, (_, x) => a + x));
            const want: number[] = [];
            for (let j = 0; j < n; j++) if (allowed(i, j, l, bidirectional, sets[h])) want.push(j);
            assert.deepEqual(got, want, `head ${h}, row ${i}`);
            nnz += want.length;
          }
          assert.equal(stats.heads[h].nnz, nnz, `head ${h} nnz`);
        });
      });
    }
  }
});
