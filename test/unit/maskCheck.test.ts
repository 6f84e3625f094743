import { strict as assert } from 'assert';
import { buildPattern, checkMask, DenseHead, denseMask, FactorizedConfig, defaultConfig, RangeList, rowColumns, toDense } from '../../src/core';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

describe('a user mask checked against a pattern', () => {
  it('reports identical masks in one line', () => {
    const config = fixed({ n: 32, stride: 8, c: 2, heads: 2 });
    const mask = buildPattern(config);
    const check = checkMask(toDense(mask), 2, config, mask, 'my_mask');
    assert.deepEqual(check.lines, ['identical: my_mask equals fixed (n=32, 2 heads)']);
    assert.equal(check.match, undefined);
  });

  it('counts per head and names the LRA port when their mask is it', () => {
    const config = fixed({ n: 64, stride: 8, c: 2, heads: 2 });
    const lra = toDense(buildPattern({ ...config, pattern: 'lra-fixed', heads: 1 }));
    const check = checkMask(lra, 1, config, buildPattern(config), 'lra_mask');
    assert.equal(check.lines.length, 3);
    assert.match(check.lines[0], /^head 0: 0 missing, (\d+) extra; first: \(\d+,\d+\) extra/);
    assert.equal(check.lines[0].replace('head 0', 'head 1'), check.lines[1]);
    assert.match(check.lines[2], /^matches lra-fixed: .*c\+1 cells/);
    assert.equal(check.match?.config.pattern, 'lra-fixed');
  });

  it('says when no known port explains the difference', () => {
    const config = fixed({ n: 16, stride: 4, c: 1, heads: 1 });
    const cells = toDense(buildPattern(config));
    cells[0 * 16 + 15] = 1;
    cells[5 * 16 + 4] = 0;
    const check = checkMask(cells, 1, config, buildPattern(config), 'x');
    assert.deepEqual(check.lines, ['head 0: 1 missing, 1 extra; first: (0,15) extra, (5,4) missing', 'no known port explains the difference']);
  });
});

describe('a dense mask as heads', () => {
  it('gives back exactly the rows it was made from, runs merged, empty rows empty', () => {
    const n = 6;
    // Row 0 empty, row 1 one run, row 2 two runs, row 5 the whole row; second head all zero.
    const rows = ['000000', '011100', '110011', '000001', '100000', '111111'];
    const cells = new Uint8Array(2 * n * n);
    rows.forEach((row, i) => [...row].forEach((ch, j) => (cells[i * n + j] = Number(ch))));
    const head = new DenseHead(n, cells);
    assert.deepEqual(rows.map((_, i) => rowColumns(head, i)), [[], [1, 2, 3], [0, 1, 4, 5], [5], [0], [0, 1, 2, 3, 4, 5]]);
    assert.equal(head.storedElements, 6);
    const second = new DenseHead(n, cells, n * n);
    const list = new RangeList();
    for (let i = 0; i < n; i++) {
      second.row(i, list);
      assert.equal(list.length, 0);
    }
  });

  it('repeats one head for every head, or keeps each head of an [H, n, n] mask', () => {
    const config = fixed({ n: 24, stride: 6, c: 2, heads: 3, subblocks: 3 });
    const mask = buildPattern(config);
    const dense = toDense(mask);
    const mine = denseMask(dense, 3, 24, 3);
    assert.deepEqual(toDense(mine), dense);
    const one = denseMask(dense, 1, 24, 3);
    assert.equal(one.heads.length, 3);
    assert.equal(one.heads[0], one.heads[2]);
    assert.deepEqual(toDense(one).subarray(2 * 24 * 24), dense.subarray(0, 24 * 24));
  });
});
