/** The maps' one weight source: stored probabilities answer pool, row, cell and pixel alike. */
import { strict as assert } from 'assert';
import { attendHeads, buildPattern, defaultConfig, FactorizedConfig, poolProbs, syntheticQkv } from '../../src/core';
import { StoredWeights, WorkerWeights } from '../../webview/weightSource';

describe('weight source', () => {
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 40, heads: 2, stride: 8, c: 2 };
  const input = syntheticQkv(2, 40, [], 8);
  const { probs } = attendHeads(buildPattern(config), input, 0, 2, { out: new Float32Array(2 * 40 * 8), lse: new Float32Array(2 * 40) }, { withProbs: true });

  it('stored probabilities: pooled views, rows, one cell and the largest under a pixel, from one CSR', async () => {
    const source = new StoredWeights(probs);
    const view = { row: 8, col: 0, span: 16 };
    assert.deepEqual(await source.pool(view, 4), [poolProbs(probs[0], view, 4), poolProbs(probs[1], view, 4)]);
    const row = await source.row(1, 9);
    assert.deepEqual(Array.from(row.cols), [6, 7, 8, 9], 'the summary cells 6, 7 and the block so far');
    assert.ok(Math.abs(Array.from(row.values).reduce((a, b) => a + b, 0) - 1) < 1e-6, 'a row sums to 1');
    assert.equal(source.weightAt(1, 9, 8), row.values[2]);
    assert.equal(source.weightAt(1, 9, 20), undefined, 'masked');
    assert.equal(source.maxIn(1, { i0: 9, i1: 10, j0: 0, j1: 40 }), Math.max(...Array.from(row.values)));
    assert.equal(source.csr, probs, 'painters may pool the CSR themselves');
  });

  it('a worker source knows only pooled views and rows (null for single cells), and has no CSR', async () => {
    const asked: string[] = [];
    const views = { pool: async () => (asked.push('pool'), [new Float32Array(1)]), row: async () => (asked.push('row'), { cols: new Int32Array([1]), values: new Float32Array([1]) }) };
    const source = new WorkerWeights(views);
    await source.pool({ row: 0, col: 0, span: 4 }, 1);
    await source.row(0, 1);
    assert.deepEqual(asked, ['pool', 'row']);
    assert.equal(source.weightAt(), null);
    assert.equal(source.maxIn(), null);
    assert.equal(source.csr, undefined);
  });
});
