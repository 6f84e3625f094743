import { strict as assert } from 'assert';
import { CAUSAL, FULL, Tile } from '../../src/core/mask';
import { expandLayout, expandLayoutHead, openaiLayout } from '../../src/core/patterns/openai';
import type { BlockLayout } from '../../src/core/mask';

// A block layout becomes token tiles: horizontal runs of set blocks merge into one full tile;
// with a causal diagonal (OpenAI) each diagonal block is its own causal tile and cuts the run,
// with a full one (DeepSpeed) it merges like any other. Pinned tile by tile on a hand layout.

// blocks = 3, block = 2 (n = 6). Head 0: an empty first row (its diagonal unset), a run that
// reaches the diagonal, and a row with a gap. Head 1: every block set, right after head 0's data,
// so that reading past head 0's last row or last column would find set blocks.
const layout: BlockLayout = {
  block: 2,
  heads: 2,
  blocks: 3,
  data: Uint8Array.from([0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
};

const tile = (r0: number, c0: number, c1: number, rule: Tile['rule']): Tile => ({ r0, r1: r0 + 2, c0, c1, rule });

describe('block layouts expanded to tiles', () => {
  it('full diagonal: one tile per run of set blocks, nothing past the last row or column', () => {
    const head = expandLayoutHead(layout, 0, 6, FULL) as unknown as { tiles: Tile[] };
    assert.deepEqual(head.tiles, [tile(2, 0, 4, FULL), tile(4, 0, 2, FULL), tile(4, 4, 6, FULL)]);
  });

  it('causal diagonal: each set diagonal block its own causal tile, cutting the run; unset ones none', () => {
    const head = expandLayoutHead(layout, 0, 6, CAUSAL) as unknown as { tiles: Tile[] };
    assert.deepEqual(head.tiles, [tile(2, 0, 2, FULL), tile(2, 2, 4, CAUSAL), tile(4, 0, 2, FULL), tile(4, 4, 6, CAUSAL)]);
  });

  it('the last head (nothing after its data) and heads sharing a layout', () => {
    const heads = expandLayout({ ...layout, heads: 3, data: Uint8Array.from([...layout.data, ...layout.data.subarray(0, 9)]) }, 6, FULL);
    assert.equal(heads[2], heads[0], 'a head with head 0 layout shares its mask');
    assert.deepEqual((heads[1] as unknown as { tiles: Tile[] }).tiles, [tile(0, 0, 6, FULL), tile(2, 0, 6, FULL), tile(4, 0, 6, FULL)]);
  });

  it("openaiLayout writes every head's own blocks only", () => {
    // 2 heads, 4 blocks, stride of 2 blocks, one vertical of size 1: head h takes column 1 - h of each window.
    const { data } = openaiLayout({ pattern: 'openai-fixed', n: 8, heads: 2, block: 2, stride: 4, numVerts: 2, vertsize: 1 } as Parameters<typeof openaiLayout>[0]);
    assert.equal(data.length, 2 * 16);
    // prettier-ignore
    assert.deepEqual(Array.from(data), [
      1, 0, 0, 0,  1, 1, 0, 0,  0, 1, 1, 0,  0, 1, 1, 1, // head 0: column 1 of each window
      1, 0, 0, 0,  1, 1, 0, 0,  1, 0, 1, 0,  1, 0, 1, 1, // head 1: column 0
    ]);
  });
});
