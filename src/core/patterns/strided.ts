/** The paper's strided pattern, the local band and dense attention, as tiles over the whole matrix. */
import { CAUSAL, FULL, HeadMask, Tile, TiledHead } from '../mask';
import type { FactorizedSets } from './factorized';

function whole(n: number, rule: Tile['rule']): Tile {
  return { r0: 0, r1: n, c0: 0, c1: n, rule };
}

/**
 * Strided: A1(i) = {j : max(0, i-l) <= j <= i} (l+1 cells, as the paper writes it),
 * A2(i) = {j <= i : (i-j) mod l = 0}. Bidirectional mirrors both around the diagonal.
 */
export function stridedSets(n: number, l: number, bidirectional: boolean): FactorizedSets {
  const band = bidirectional ? { lo: -l, hi: l } : { lo: 0, hi: l };
  const first = (): HeadMask => new TiledHead(n, [whole(n, { kind: 'band', ...band })]);
  const second = (): HeadMask =>
    // Stryker disable next-line StringLiteral: a rule kind of '' takes the stride path wherever 'stride' does (tileRow, row counts, the block-structure key); only stats' dedupe key reads the kind, and a strided head's stride tiles differ in lo and hi
    new TiledHead(n, [whole(n, { kind: 'stride', m: l, lo: bidirectional ? -Infinity : 0, hi: Infinity })]);
  // Merged: the band plus the stride cells beyond it, so the tiles stay disjoint.
  const merged = (): HeadMask => {
    // Stryker disable next-line StringLiteral: 'stride' → '' as above (`'band'` → `''` is killed)
    const tiles = [whole(n, { kind: 'band', ...band }), whole(n, { kind: 'stride', m: l, lo: l + 1, hi: Infinity })];
    // Stryker disable next-line StringLiteral: 'stride' → '' as above
    if (bidirectional) tiles.push(whole(n, { kind: 'stride', m: l, lo: -Infinity, hi: -(l + 1) }));
    return new TiledHead(n, tiles);
  };
  return { merged, first, second };
}

/** Local band of l cells: i-l < j <= i (OpenAI's "local"); bidirectional |i-j| < l. */
export function localHead(n: number, l: number, bidirectional: boolean): HeadMask {
  return new TiledHead(n, [whole(n, { kind: 'band', lo: bidirectional ? -(l - 1) : 0, hi: l - 1 })]);
}

export function denseHead(n: number, bidirectional: boolean): HeadMask {
  return new TiledHead(n, [whole(n, bidirectional ? FULL : CAUSAL)]);
}
