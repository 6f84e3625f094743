import { strict as assert } from 'assert';
import { maxWeightIn } from '../../webview/weightMaps';
import { buildPattern, FactorizedConfig, defaultConfig, poolFromQkv, poolProbs, referenceAttention, rowFromQkv, syntheticQkv } from '../../src/core';

/** Brute force: every cell (i, j) of the view, its pixel by the floor rule, max of the weights. */
function bruteForce(probs: { rowPtr: Int32Array; cols: Int32Array; values: ArrayLike<number> }, view: { row: number; col: number; span: number }, size: number): number[] {
  const out = new Array(size * size).fill(-1);
  for (let i = view.row; i < view.row + view.span; i++) {
    for (let t = probs.rowPtr[i]; t < probs.rowPtr[i + 1]; t++) {
      const j = probs.cols[t];
      if (j < view.col || j >= view.col + view.span) continue;
      const p = Math.floor(((i - view.row) * size) / view.span) * size + Math.floor(((j - view.col) * size) / view.span);
      out[p] = Math.max(out[p], probs.values[t]);
    }
  }
  return out;
}

for (const d of [16, 6]) describe(`weights max-pooled over a viewport (d = ${d}: the ${d % 4 ? 'JS' : 'SIMD'} score loop)`, () => {
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 300, stride: 20, c: 3, heads: 3, subblocks: 3, mode: 'split' };
  const mask = buildPattern(config);
  const input = syntheticQkv(config.heads, config.n, [], d);
  const reference = referenceAttention(mask, input);
  const views = [
    { row: 0, col: 0, span: 300, size: 128 },
    { row: 37, col: 11, span: 101, size: 64 },
    { row: 200, col: 150, span: 50, size: 50 },
  ];

  for (const { size, ...view } of views) {
    it(`from stored probabilities and from Q/K/V equal brute force: view ${JSON.stringify(view)} at ${size} px`, () => {
      for (let h = 0; h < config.heads; h++) {
        const expected = bruteForce(reference.probs![h], view, size);
        const fromProbs = Array.from(poolProbs(reference.probs![h], view, size));
        const fromQkv = Array.from(poolFromQkv(mask, input, reference.lse, h, view, size));
        assert.equal(fromProbs.filter((v) => v >= 0).length, expected.filter((v) => v >= 0).length, 'the same pixels hold allowed cells');
        expected.forEach((v, p) => {
          assert.ok(Math.abs(fromProbs[p] - v) < 1e-6, `probs pixel ${p}: ${fromProbs[p]} vs ${v}`);
          assert.ok(Math.abs(fromQkv[p] - v) < 1e-5, `qkv pixel ${p}: ${fromQkv[p]} vs ${v}`);
        });
      }
    });
  }

  it('the largest weight under a hovered pixel equals the pooled pixel (webview/weightMaps maxWeightIn)', () => {
    const probs = reference.probs![2];
    const view = { row: 0, col: 0, span: 300 };
    const pooled = poolProbs(probs, view, 64);
    for (const [py, px] of [[63, 0], [63, 63], [10, 40], [40, 10]]) {
      const cells = (p: number) => [Math.ceil((p * 300) / 64), Math.ceil(((p + 1) * 300) / 64)];
      const [i0, i1] = cells(py);
      const [j0, j1] = cells(px);
      // The pooled layer holds float32.
      assert.equal(Math.fround(maxWeightIn(probs, i0, i1, j0, j1) ?? -1), pooled[py * 64 + px], `pixel (${px}, ${py})`);
    }
  });

  it('a whole row from Q/K/V equals the reference row', () => {
    const h = 1;
    const i = 257;
    const ref = reference.probs![h];
    const row = rowFromQkv(mask, input, reference.lse, h, i);
    assert.deepEqual(Array.from(row.cols), Array.from(ref.cols.subarray(ref.rowPtr[i], ref.rowPtr[i + 1])));
    row.values.forEach((v, t) => assert.ok(Math.abs(v - ref.values[ref.rowPtr[i] + t]) < 1e-5));
    assert.ok(Math.abs(row.values.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'the row sums to 1');
  });
});
