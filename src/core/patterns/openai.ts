/**
 * openai/sparse_attention attention.py, get_blocksparse_obj(attn_mode='fixed'): a block layout
 * [H, n/B, n/B] plus the callback's causal cut inside diagonal blocks.
 */
import type { OpenAIFixedConfig } from '../config';
import { BlockLayout, CAUSAL, FULL, HeadMask, Tile, TiledHead } from '../mask';

export function openaiLayout(config: OpenAIFixedConfig): BlockLayout {
  const { block, heads, numVerts, vertsize } = config;
  const nb = config.n / block;
  const stride = config.stride / block; // window length in blocks
  const data = new Uint8Array(heads * nb * nb);
  // Stryker disable next-line EqualityOperator: `<=` writes one head past the end of the typed array (ignored; `>=` is killed)
  for (let h = 0; h < heads; h++) {
    // indices = [stride-1 .. 0] reshaped to rows of vertsize; head h takes row h mod num_verts.
    const k = h % numVerts;
    const verts = new Set<number>();
    for (let v = 0; v < vertsize; v++) verts.add(stride - 1 - k * vertsize - v);
    const base = h * nb * nb;
    for (let q = 0; q < nb; q++) {
      const window = Math.floor(q / stride);
      for (let kb = 0; kb <= q; kb++) {
        if (Math.floor(kb / stride) === window || verts.has(kb % stride)) data[base + q * nb + kb] = 1;
      }
    }
  }
  return { block, heads, blocks: nb, data };
}

/**
 * Expands one head of a block layout to token tiles, merging horizontal runs of set blocks.
 * `diagonalRule` is what happens inside blocks on the diagonal (OpenAI cuts causally, DeepSpeed does not).
 */
export function expandLayoutHead(layout: BlockLayout, h: number, n: number, diagonalRule: Tile['rule']): HeadMask {
  const { block, blocks } = layout;
  const base = h * blocks * blocks;
  // Stryker disable next-line ArrayDeclaration: TiledHead drops a tile with no rows or columns, which a non-tile entry is
  const tiles: Tile[] = [];
  for (let q = 0; q < blocks; q++) {
    const r0 = q * block;
    let runStart = -1;
    const closeRun = (end: number): void => {
      if (runStart >= 0) tiles.push({ r0, r1: r0 + block, c0: runStart * block, c1: end * block, rule: FULL });
      runStart = -1;
    };
    // Stryker disable next-line EqualityOperator: at kb = blocks a set block either extends the open run to the same end or opens an empty one (c0 = c1 = n, dropped by TiledHead; `>=` is killed)
    for (let kb = 0; kb < blocks; kb++) {
      const set = layout.data[base + q * blocks + kb] === 1;
      const isDiagonal = kb === q && diagonalRule !== FULL;
      if (!set || isDiagonal) closeRun(kb);
      if (set && isDiagonal) tiles.push({ r0, r1: r0 + block, c0: kb * block, c1: kb * block + block, rule: diagonalRule });
      else if (set && runStart < 0) runStart = kb;
    }
    closeRun(blocks);
  }
  return new TiledHead(n, tiles);
}

/** Heads that share a layout share one expanded mask. */
export function expandLayout(layout: BlockLayout, n: number, diagonalRule: Tile['rule']): HeadMask[] {
  const size = layout.blocks * layout.blocks;
  const slice = (h: number): Uint8Array => layout.data.subarray(h * size, (h + 1) * size);
  const sameAs = (a: Uint8Array, b: Uint8Array): boolean => a.every((v, idx) => v === b[idx]);
  const heads: HeadMask[] = [];
  for (let h = 0; h < layout.heads; h++) {
    const earlier = heads.findIndex((_, g) => sameAs(slice(g), slice(h)));
    heads.push(earlier >= 0 ? heads[earlier] : expandLayoutHead(layout, h, n, diagonalRule));
  }
  return heads;
}

export function openaiHeads(config: OpenAIFixedConfig): { layout: BlockLayout; heads: HeadMask[] } {
  const layout = openaiLayout(config);
  return { layout, heads: expandLayout(layout, config.n, CAUSAL) };
}
