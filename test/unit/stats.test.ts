import { strict as assert } from 'assert';
import {
  analyzePattern,
  buildPattern,
  defaultConfig,
  FactorizedConfig,
  headStats,
  PatternConfig,
  patternStats,
  twoHopReach,
  unionOf,
} from '../../src/core';
import { headToDense, rng } from './brute';
import { RangeList } from '../../src/core/ranges';
import { Tile, tileRow, TileRule } from '../../src/core/mask';
import { disjointTileRowCounts, tileRowCount, tileRowCounts } from '../../src/core/stats';

function factorized(over: Partial<FactorizedConfig>): FactorizedConfig {
  return { ...(defaultConfig('fixed') as FactorizedConfig), ...over };
}

function bruteRowCounts(dense: Uint8Array, n: number): number[] {
  const counts: number[] = [];
  for (let i = 0; i < n; i++) counts.push(dense.subarray(i * n, (i + 1) * n).reduce((a, b) => a + b, 0));
  return counts;
}

/** Exact 2-hop reachability by brute force over dense matrices. */
function bruteReach(first: Uint8Array, second: Uint8Array, n: number, causal: boolean): number {
  let missing = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < (causal ? i + 1 : n); j++) {
      let ok = i === j || first[i * n + j] === 1 || second[i * n + j] === 1;
      for (let m = 0; !ok && m < n; m++) ok = second[i * n + m] === 1 && first[m * n + j] === 1;
      if (!ok) missing++;
    }
  }
  return missing;
}

function randomConfig(random: () => number): PatternConfig {
  const kinds = ['fixed', 'strided', 'local', 'dense', 'lra-fixed', 'fairseq-fixed', 'jukebox-summary', 'openai', 'deepspeed'];
  const kind = kinds[Math.floor(random() * kinds.length)];
  if (kind === 'openai') return { pattern: 'openai-fixed', n: 8 * (1 + Math.floor(random() * 6)), heads: 4, block: 8, stride: 16, numVerts: 2, vertsize: 1 };
  if (kind === 'deepspeed') {
    return { ...(defaultConfig('deepspeed-fixed') as any), n: 4 * (1 + Math.floor(random() * 12)), block: 4, heads: 2, numLocalBlocks: 3, attention: random() < 0.5 ? 'unidirectional' : 'bidirectional' };
  }
  const l = 2 + Math.floor(random() * 6);
  const c = 1 + Math.floor(random() * (l - 1));
  const single = kind !== 'fixed' && kind !== 'strided' && kind !== 'jukebox-summary';
  return factorized({
    pattern: kind as FactorizedConfig['pattern'],
    // jukebox asserts n % l == 0.
    n: kind === 'jukebox-summary' ? l * (1 + Math.floor(random() * 8)) : l + 1 + Math.floor(random() * 40),
    stride: l,
    c,
    heads: 1 + Math.floor(random() * 4),
    subblocks: kind === 'fixed' ? 1 + Math.floor(random() * Math.floor(l / c)) : 1,
    mode: single ? 'merged' : (['merged', 'split', 'interleaved'] as const)[Math.floor(random() * 3)],
    layer: Math.floor(random() * 2),
    bidirectional: kind !== 'jukebox-summary' && kind !== 'lra-fixed' && random() < 0.4,
  });
}

describe('statistics', () => {
  it('nnz, row min/mean/max and densities equal brute force on every preset (random configs)', () => {
    const random = rng(21);
    for (let trial = 0; trial < 80; trial++) {
      const config = randomConfig(random);
      const mask = buildPattern(config);
      const n = mask.n;
      const stats = patternStats(mask, 16);
      mask.heads.forEach((head, h) => {
        const counts = bruteRowCounts(headToDense(head), n);
        const nnz = counts.reduce((a, b) => a + b, 0);
        const s = stats.heads[h];
        const context = JSON.stringify(config);
        assert.equal(s.nnz, nnz, context);
        assert.equal(s.rowMin, Math.min(...counts), context);
        assert.equal(s.rowMax, Math.max(...counts), context);
        assert.equal(s.emptyRows, counts.filter((c) => c === 0).length, context);
        assert.equal(s.rowMean, nnz / n);
        assert.equal(s.densityVsCausal, nnz / ((n * (n + 1)) / 2));
        assert.equal(s.densityVsFull, nnz / (n * n));
      });
      const unionCounts = bruteRowCounts(headToDense(unionOf(mask)), n);
      assert.equal(stats.union.nnz, unionCounts.reduce((a, b) => a + b, 0));
      assert.equal(stats.union.rowMin, Math.min(...unionCounts), JSON.stringify(config));
      assert.equal(stats.union.rowMax, Math.max(...unionCounts), JSON.stringify(config));
    }
  });

  it('row counts of overlapping tiles of every rule (duplicates, rows past n) equal a cell-by-cell count', () => {
    const random = rng(33);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    for (let trial = 0; trial < 300; trial++) {
      const n = int(1, 40);
      const tiles: Tile[] = [];
      for (let t = int(0, 8); t > 0; t--) {
        const [r0, r1, c0] = [int(-3, n), int(-3, n + 5), int(0, n)];
        const c1 = c0 + int(0, 12);
        const kind = int(0, 2);
        const lo = int(-5, 5);
        const rule: TileRule = kind === 0 ? { kind: 'full' } : kind === 1 ? { kind: 'band', lo, hi: random() < 0.3 ? Infinity : lo + int(0, 6) } : { kind: 'stride', m: int(1, 4), lo, hi: lo + int(0, 12) };
        tiles.push({ r0, r1, c0, c1, rule });
        if (random() < 0.3) tiles.push({ ...tiles[tiles.length - 1] });
      }
      const expected = new Float64Array(n);
      const cell = new RangeList();
      for (let i = 0; i < n; i++) {
        cell.clear();
        for (const t of tiles) if (t.r0 <= i && i < t.r1) tileRow(t, i, cell);
        cell.normalize();
        for (let r = 0; r < cell.length; r++) expected[i] += Math.max(0, Math.min(n, cell.ends[r]) - Math.max(0, cell.starts[r]));
      }
      const context = JSON.stringify({ n, tiles });
      // Columns are kept inside [0, n) by every builder; clip the random ones the same way.
      const clipped = tiles.map((t) => ({ ...t, c0: Math.min(t.c0, n), c1: Math.min(t.c1, n) }));
      assert.deepEqual(Array.from(tileRowCounts(n, clipped)), Array.from(expected), context);
      for (const t of clipped) {
        const one = new Float64Array(n);
        for (let i = Math.max(0, t.r0); i < Math.min(n, t.r1); i++) one[i] = tileRowCount(t, i);
        const single = Array.from(disjointTileRowCounts(n, [t]));
        assert.deepEqual(single, Array.from(one), JSON.stringify(t));
      }
    }
  });

  it('tiles that differ from another in one thing only (rows, columns, kind, lo, hi or m) are each counted, copies once', () => {
    const n = 24;
    const base: Tile = { r0: 2, r1: 20, c0: 0, c1: 18, rule: { kind: 'stride', m: 3, lo: 0, hi: 9 } };
    const band: TileRule = { kind: 'band', lo: 0, hi: 9 };
    const variants: Tile[] = [
      { ...base, r1: 14 },
      { ...base, c0: 5 },
      { ...base, c1: 7 },
      { ...base, rule: band },
      { ...base, rule: { kind: 'stride', m: 3, lo: 2, hi: 9 } },
      { ...base, rule: { kind: 'stride', m: 3, lo: 0, hi: 4 } },
      { ...base, rule: { kind: 'stride', m: 4, lo: 0, hi: 9 } },
      { ...base, r0: 0 },
    ];
    const bandVariants: Tile[] = [{ ...base, rule: { kind: 'band', lo: 1, hi: 9 } }, { ...base, rule: { kind: 'band', lo: 0, hi: 3 } }, { ...base, c1: 5, rule: band }];
    const bruteCounts = (tiles: Tile[]) => {
      const expected: number[] = [];
      const cell = new RangeList();
      for (let i = 0; i < n; i++) {
        cell.clear();
        for (const t of tiles) if (t.r0 <= i && i < t.r1) tileRow(t, i, cell);
        cell.normalize();
        let count = 0;
        for (let r = 0; r < cell.length; r++) count += cell.ends[r] - cell.starts[r];
        expected.push(count);
      }
      return expected;
    };
    // Each variant after its base and before it, alone and with a copy of each; then all together.
    const families: Tile[][] = [...variants, ...bandVariants].flatMap((v) => {
      const first = v.rule.kind === 'band' && bandVariants.includes(v) ? { ...base, rule: band } : base;
      return [[first, v], [v, first], [first, { ...first }, v, { ...v }]];
    });
    families.push([base, ...variants, ...bandVariants, base]);
    for (const tiles of families) {
      assert.deepEqual(Array.from(tileRowCounts(n, tiles)), bruteCounts(tiles), JSON.stringify(tiles));
      // With a full tile beside them (the general sweep, not the one-tile fast path).
      const withFull = [...tiles, { r0: 0, r1: n, c0: 20, c1: 22, rule: { kind: 'full' } as TileRule }];
      assert.deepEqual(Array.from(tileRowCounts(n, withFull)), bruteCounts(withFull), JSON.stringify(withFull));
    }
  });

  it('an empty or inverted tile adds nothing, in the disjoint and the general count', () => {
    const full: TileRule = { kind: 'full' };
    for (const tile of [{ r0: 1, r1: 4, c0: 6, c1: 3, rule: full }, { r0: 4, r1: 1, c0: 0, c1: 3, rule: full }, { r0: 1, r1: 4, c0: 6, c1: 3, rule: { kind: 'band', lo: 0, hi: 5 } as TileRule }]) {
      assert.deepEqual(Array.from(disjointTileRowCounts(6, [tile])), [0, 0, 0, 0, 0, 0], JSON.stringify(tile));
      assert.deepEqual(Array.from(tileRowCounts(6, [tile])), [0, 0, 0, 0, 0, 0], JSON.stringify(tile));
    }
    assert.deepEqual(Array.from(disjointTileRowCounts(6, [{ r0: 1, r1: 4, c0: 2, c1: 5, rule: full }])), [0, 3, 3, 3, 0, 0]);
  });

  it('fixed causal nnz has the closed form sum of block triangles plus c cells per earlier block', () => {
    for (const [n, l, c] of [[256, 32, 4], [100, 8, 3], [4096, 128, 8]]) {
      const s = headStats(buildPattern(factorized({ n, stride: l, c, heads: 1 })).heads[0], 64);
      let expected = 0;
      for (let i = 0; i < n; i++) {
        const block = Math.floor(i / l);
        expected += (i % l) + 1 + block * c;
      }
      assert.equal(s.nnz, expected, `${n} ${l} ${c}`);
    }
  });

  it('FLOPs and bytes follow the documented cost model against dense', () => {
    const s = headStats(buildPattern(factorized({ n: 64, stride: 8, c: 2, heads: 1 })).heads[0], 32);
    assert.equal(s.cost.flops, s.nnz * (4 * 32 + 5));
    assert.equal(s.denseFullCost.flops, 64 * 64 * (4 * 32 + 5));
    assert.equal(s.denseCausalCost.bytes, 4 * 4 * 64 * 32 + 16 * ((64 * 65) / 2));
    assert.ok(s.cost.flops < s.denseCausalCost.flops);
  });

  it('build memory is proportional to stored tiles, not n²', () => {
    const stats = patternStats(buildPattern(factorized({ n: 65536, stride: 256, c: 8, heads: 8, subblocks: 4 })), 64);
    assert.ok(stats.storedElements < 4 * 3 * 256 + 10, `stored ${stats.storedElements}`);
    // Each distinct head's stored elements, once: heads 0 and 4 share one.
    const mask = buildPattern(factorized({ n: 64, stride: 8, c: 2, heads: 4, subblocks: 2 }));
    assert.equal(new Set(mask.heads).size, 2);
    assert.equal(patternStats(mask).storedElements, mask.heads[0].storedElements + mask.heads[1].storedElements);
    assert.ok(mask.heads[0].storedElements > 0);
    assert.equal(stats.heads[0].nnz, stats.heads[4].nnz);
  });
});

describe('2-hop reachability', () => {
  it('equals brute force on random configs of every preset', () => {
    const random = rng(99);
    for (let trial = 0; trial < 40; trial++) {
      const config = randomConfig(random);
      const mask = buildPattern(config);
      const analysis = analyzePattern(config, 16, mask);
      const n = mask.n;
      const first = headToDense(unionOf(mask));
      const second =
        'mode' in config && config.mode === 'interleaved' ? headToDense(unionOf(buildPattern({ ...config, layer: config.layer + 1 }))) : first;
      const causal = 'bidirectional' in config ? !config.bidirectional : config.pattern === 'openai-fixed' || ('attention' in config && config.attention === 'unidirectional');
      assert.equal(analysis.reach.unreachablePairs, bruteReach(first, second, n, causal), JSON.stringify(config));
      assert.equal(analysis.reach.ok, analysis.reach.unreachablePairs === 0);
    }
  });

  it('the paper claim holds for fixed with c >= 1 and fails for local attention alone', () => {
    const fixed = analyzePattern(factorized({ n: 512, stride: 32, c: 4, heads: 4, subblocks: 4 }));
    assert.equal(fixed.reach.ok, true);
    const split = analyzePattern(factorized({ n: 300, stride: 16, c: 2, heads: 2, mode: 'split' }));
    assert.equal(split.reach.ok, true);
    const local = analyzePattern(factorized({ pattern: 'local', n: 200, stride: 16 }));
    assert.equal(local.reach.ok, false);
    assert.deepEqual(local.reach.firstUnreachable, [31, 0]);
  });

  it('A1 alone (an even interleaved layer, both steps) reaches nothing outside the own block', () => {
    const mask = buildPattern(factorized({ n: 64, stride: 8, c: 2, heads: 1, subblocks: 1, mode: 'interleaved', layer: 0 }));
    const head = mask.heads[0];
    const r = twoHopReach(head, head, true);
    assert.equal(r.ok, false);
    assert.equal(r.firstUnreachable?.[0], 8);
  });

  it('skips the exact check above the limit with a reason', () => {
    const a = analyzePattern(factorized({ n: 10000, stride: 100, c: 10 }));
    assert.equal(a.reach.checked, false);
    assert.match(a.reach.reason!, /n \(10000\) > 4096/);
  });
});
