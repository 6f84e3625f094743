/**
 * The two-hop reach check and mask pooling against brute force on random masks (rows of 0..many
 * runs, no diagonal, cells above it), and the mask and layout checks' reports line by line.
 */
import { strict as assert } from 'assert';
import { buildPattern, checkLayout, checkMask, DenseHead, denseMask, FactorizedConfig, defaultConfig, parseQkv, poolMask, poolMaskShare, toDense, twoHopReach } from '../../src/core';
import { rng } from './brute';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

/** A random n × n 0/1 mask with the given density, as cells and as a head. */
function randomHead(n: number, density: number, random: () => number): { cells: Uint8Array; head: DenseHead } {
  const cells = new Uint8Array(n * n);
  for (let k = 0; k < cells.length; k++) cells[k] = random() < density ? 1 : 0;
  return { cells, head: new DenseHead(n, cells) };
}

/** Reach by definition: i itself, first(i), second(i), and first(m) for every m in second(i). */
function bruteReach(first: Uint8Array, second: Uint8Array, n: number, causal: boolean) {
  let unreachablePairs = 0;
  let firstUnreachable: [number, number] | undefined;
  for (let i = 0; i < n; i++) {
    const reached = new Uint8Array(n);
    reached[i] = 1;
    for (let j = 0; j < n; j++) {
      if (first[i * n + j] || second[i * n + j]) reached[j] = 1;
      if (second[i * n + j]) for (let k = 0; k < n; k++) if (first[j * n + k]) reached[k] = 1;
    }
    for (let j = 0; j < (causal ? i + 1 : n); j++) {
      if (reached[j]) continue;
      unreachablePairs++;
      firstUnreachable ??= [i, j];
    }
  }
  return { checked: true, ok: unreachablePairs === 0, unreachablePairs, firstUnreachable };
}

/**
 * Pooling by definition: pixel (y, x) covers rows/columns [start + ceil(p·span/size), start +
 * ceil((p+1)·span/size)). Zoomed in, a pixel can cover no column: max-pooling lights it when the
 * allowed columns of its rows run across it (columns c0 − 1 and c0 both allowed), so runs stay unbroken.
 */
function brutePool(cells: Uint8Array, n: number, view: { row: number; col: number; span: number }, size: number, share: boolean): Float32Array {
  const out = new Float32Array(size * size);
  const edge = (p: number, start: number) => start + Math.ceil((p * view.span) / size);
  for (let y = 0; y < size; y++) {
    const [r0, r1] = [edge(y, view.row), edge(y + 1, view.row)];
    const anyRow = (j: number) => {
      for (let i = r0; i < r1; i++) if (cells[i * n + j]) return true;
      return false;
    };
    for (let x = 0; x < size; x++) {
      const [c0, c1] = [edge(x, view.col), edge(x + 1, view.col)];
      let allowed = 0;
      for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) allowed += cells[i * n + j];
      if (share) out[y * size + x] = allowed ? allowed / ((r1 - r0) * (c1 - c0)) : 0;
      else out[y * size + x] = allowed || (c0 === c1 && c0 > view.col && c0 < view.col + view.span && anyRow(c0 - 1) && anyRow(c0)) ? 1 : 0;
    }
  }
  return out;
}

describe('two-hop reach against its definition', () => {
  it('random masks, causal and bidirectional: counts, the first unreachable pair and ok', () => {
    const random = rng(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(random() * 20);
      const a = randomHead(n, random() * 0.4, random);
      const b = random() < 0.3 ? a : randomHead(n, random() * 0.4, random);
      const causal = random() < 0.5;
      assert.deepEqual(twoHopReach(a.head, b.head, causal), bruteReach(a.cells, b.cells, n, causal), `trial ${trial}, n ${n}, causal ${causal}`);
    }
  });

  it('checks n up to the limit exactly; above it says why and claims nothing', () => {
    const head = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 1 })).heads[0];
    assert.equal(twoHopReach(head, head, true, 16).checked, true);
    assert.deepEqual(twoHopReach(head, head, true, 15), { checked: false, reason: 'n (16) > 15: the exact 2-hop check is skipped', ok: false, unreachablePairs: 0 });
  });
});

describe('mask pooling against its definition', () => {
  it('max-pooling and shares of random masks, zoomed out and in (pixels smaller than cells)', () => {
    const random = rng(23);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + Math.floor(random() * 40);
      const { cells, head } = randomHead(n, random() * 0.6, random);
      const span = 1 + Math.floor(random() * n);
      const view = { row: Math.floor(random() * (n - span + 1)), col: Math.floor(random() * (n - span + 1)), span };
      // Shares are exact while a pixel covers at most 8 rows.
      const size = Math.max(Math.ceil(span / 8), 1 + Math.floor(random() * 2 * span));
      const what = `trial ${trial}: n ${n}, view ${JSON.stringify(view)}, size ${size}`;
      assert.deepEqual(Array.from(poolMask(head, view, size)), Array.from(brutePool(cells, n, view, size, false)), what);
      const share = poolMaskShare(head, view, size);
      const expected = brutePool(cells, n, view, size, true);
      for (let p = 0; p < share.length; p++) assert.ok(Math.abs(share[p] - expected[p]) < 1e-6, `${what}, pixel ${p}: ${share[p]} vs ${expected[p]}`);
    }
  });
});

describe('mask and layout reports, line by line', () => {
  it('a head that agrees is listed with no examples; their bidirectional mask is named as the variant', () => {
    const config = fixed({ n: 16, stride: 4, c: 1, heads: 2, subblocks: 2 });
    const mask = buildPattern(config);
    const cells = toDense(mask);
    cells[16 * 16 + 1 * 16 + 3] = 1; // head 1, (1, 3): above the diagonal
    const check = checkMask(cells, 2, config, mask, 'x');
    assert.deepEqual(check.lines, ['head 0: 0 missing, 0 extra', 'head 1: 0 missing, 1 extra; first: (1,3) extra', 'no known port explains the difference']);
    const both = toDense(buildPattern({ ...config, bidirectional: true }));
    assert.equal(checkMask(both, 2, config, mask, 'x').lines.at(-1), 'matches fixed variant: the bidirectional variant (no j <= i cut)');
  });

  it('a layout: one head of theirs for all, five examples at most with (block row, block column), missing alone is a difference', () => {
    const layout = { heads: 2, blocks: 4, block: 8, data: new Uint8Array(2 * 16) };
    layout.data.fill(1, 0, 16); // head 0: every block; head 1: none
    const theirs = new Uint8Array(16);
    theirs[6] = 1; // block (1, 2)
    const one = checkLayout(theirs, 1, layout, 'theirs');
    assert.deepEqual(one, {
      identical: false,
      lines: ['head 0: 15 blocks missing, 0 extra; first: (0,0) missing, (0,1) missing, (0,2) missing, (0,3) missing, (1,0) missing', 'head 1: 0 blocks missing, 1 extra; first: (1,2) extra'],
    });
    // Each of their heads against the same head of the layout.
    const perHead = new Uint8Array(32);
    perHead.set(layout.data);
    perHead[16 + 6] = 0;
    perHead[0] = 0;
    assert.deepEqual(checkLayout(perHead, 2, layout, 'theirs').lines, ['head 0: 1 blocks missing, 0 extra; first: (0,0) missing', 'head 1: 0 blocks missing, 0 extra']);
    assert.deepEqual(checkLayout(layout.data, 2, layout, 'theirs'), { identical: true, lines: ['identical: theirs equals the layout of the pattern (2 heads, 4 × 4 blocks of 8)'] });
  });

  it("each head of a dense mask keeps only its own runs; the mask carries no warnings", () => {
    const n = 3;
    const cells = Uint8Array.from([1, 0, 1, 0, 0, 0, 0, 1, 1, /* head 1 */ 1, 1, 1, 1, 0, 1, 0, 0, 0]);
    assert.equal(new DenseHead(n, cells).storedElements, 3);
    assert.equal(new DenseHead(n, cells, n * n).storedElements, 3);
    assert.deepEqual(denseMask(cells, 2, n, 2).warnings, []);
  });
});

describe('pasted Q/K/V: each refusal names the place', () => {
  it('empty tensors, JSON that is not an object, the missing names, nested places; whitespace a web page adds is fine', () => {
    assert.throws(() => parseQkv('{"q": [[]], "k": [[]], "v": [[]]}'), /^QkvError: q is empty \(shape \[1,0\]\)$/);
    assert.throws(() => parseQkv('{"q": [[], []], "k": [[]], "v": [[]]}'), /q is empty \(shape \[2,0\]\)/);
    for (const text of ['null', '5', '"q"']) assert.throws(() => parseQkv(text), (e: Error) => e.name === 'QkvError' && /^expected a JSON object with q, k and v/.test(e.message), text);
    assert.throws(() => parseQkv('{"q": [[1]]}'), (e: Error) => e.message.startsWith('missing k, v: paste'));
    assert.throws(() => parseQkv('{"q": [[[1, 2], [3, 4]], [[1, 2], [3]]], "k": [], "v": []}'), (e: Error) => e.message === 'q[1][1] should hold 2 entries like the first one; it is 1 long');
    const pasted = parseQkv('\u00a0\ufeff {"q": [[1]], "k": [[2]], "v": [[3]]}\u2003');
    assert.deepEqual(Array.from(pasted.v), [3]);
  });
});
