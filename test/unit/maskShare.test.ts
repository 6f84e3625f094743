import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, FactorizedConfig, rowColumns } from '../../src/core';
import { poolMask, poolMaskShare, SHARE_SAMPLE_ROWS } from '../../src/core';
import { rng } from './brute';

/** The share of allowed cells under each pixel, counted cell by cell. */
function bruteShare(config: FactorizedConfig, h: number, view: { row: number; col: number; span: number }, size: number): Float32Array {
  const mask = buildPattern(config);
  const out = new Float32Array(size * size);
  const edge = (p: number, start: number) => start + Math.ceil((p * view.span) / size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [r0, r1, c0, c1] = [edge(y, view.row), edge(y + 1, view.row), edge(x, view.col), edge(x + 1, view.col)];
      let allowed = 0;
      for (let i = r0; i < r1; i++) allowed += rowColumns(mask.heads[h], i).filter((j) => j >= c0 && j < c1).length;
      out[y * size + x] = allowed / ((r1 - r0) * (c1 - c0));
    }
  }
  return out;
}

describe('mask pixels: the share of allowed cells', () => {
  it(`equals a cell-by-cell count when a pixel covers at most ${SHARE_SAMPLE_ROWS} rows (random configs and views)`, () => {
    const random = rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const n = 16 + Math.floor(random() * 100);
      const stride = 2 + Math.floor(random() * 12);
      const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n, stride, c: 1 + Math.floor(random() * (stride - 1)), heads: 2, subblocks: 1, bidirectional: random() < 0.3 };
      const span = Math.max(4, Math.floor(random() * n));
      const view = { row: Math.floor(random() * (n - span + 1)), col: Math.floor(random() * (n - span + 1)), span };
      const size = Math.max(Math.ceil(span / SHARE_SAMPLE_ROWS), Math.min(span, 4 + Math.floor(random() * 12)));
      const got = poolMaskShare(buildPattern(config).heads[1], view, size);
      const expected = bruteShare(config, 1, view, size);
      for (let p = 0; p < got.length; p++) assert.ok(Math.abs(got[p] - expected[p]) < 1e-6, `${JSON.stringify({ config, view, size, p })}: ${got[p]} vs ${expected[p]}`);
      // Wherever some cell is allowed (max-pooling lights the pixel) the share is positive, and only there.
      const any = poolMask(buildPattern(config).heads[1], view, size);
      for (let p = 0; p < got.length; p++) assert.equal(got[p] > 0, any[p] === 1);
    }
  });

  it('samples rows when a pixel covers many (n = 2^20 in one call, shares within [0, 1])', () => {
    const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 1 << 20, stride: 128, c: 8, heads: 1 };
    const share = poolMaskShare(buildPattern(config).heads[0], { row: 0, col: 0, span: 1 << 20 }, 64);
    assert.ok(share.every((v) => v >= 0 && v <= 1));
    // Far below the diagonal a pixel holds 16384 × 16384 cells of which the summary columns (c/l) are allowed.
    assert.ok(Math.abs(share[63 * 64 + 10] - 8 / 128) < 1e-6, String(share[63 * 64 + 10]));
  });
});
