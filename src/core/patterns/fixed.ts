/**
 * The paper's fixed pattern (Child et al. 2019, section 4.2) as disjoint tiles.
 * A1(i): the block of i. A2(i): columns whose position in their block lies in the
 * head's summary sub-block [l-(k+1)c, l-kc). Causal cuts j <= i.
 */
import { CAUSAL, FULL, HeadMask, Tile, TiledHead } from '../mask';

export interface SummaryRange {
  /** Offsets inside the block, half-open: [from, to). */
  from: number;
  to: number;
}

function blockCount(n: number, l: number): number {
  return Math.ceil(n / l);
}

/** A1 alone: one triangle (causal) or square (bidirectional) per block. */
export function blockTiles(n: number, l: number, bidirectional: boolean): Tile[] {
  // Stryker disable next-line ArrayDeclaration: TiledHead drops a stray entry (it has no rows)
  const tiles: Tile[] = [];
  // Stryker disable next-line EqualityOperator: a block past the last starts at n; its tiles are clipped to no rows and dropped; `>=` is killed
  for (let b = 0; b < blockCount(n, l); b++) {
    const r0 = b * l;
    const r1 = Math.min(n, r0 + l);
    tiles.push({ r0, r1, c0: r0, c1: r1, rule: bidirectional ? FULL : CAUSAL });
  }
  return tiles;
}

/** The summary columns of block b, clipped to n. */
function summaryColumns(n: number, l: number, b: number, s: SummaryRange): [number, number] {
  return [Math.min(n, b * l + s.from), Math.min(n, b * l + s.to)];
}

/** A2 alone: every row's summary columns, including those in its own block. */
export function summaryTiles(n: number, l: number, sets: SummaryRange[], bidirectional: boolean): Tile[] {
  // Stryker disable next-line ArrayDeclaration: TiledHead drops a stray entry (it has no rows)
  const tiles: Tile[] = [];
  // Stryker disable next-line EqualityOperator: a block past the last starts at n; its tiles are clipped to no rows and dropped; `>=` is killed
  for (let b = 0; b < blockCount(n, l); b++) {
    for (const s of sets) {
      const [c0, c1] = summaryColumns(n, l, b, s);
      // Causal: rows before the first summary column see none of it; later rows see a prefix.
      if (bidirectional) tiles.push({ r0: 0, r1: n, c0, c1, rule: FULL });
      else tiles.push({ r0: c0, r1: n, c0, c1, rule: CAUSAL });
    }
  }
  return tiles;
}

/**
 * Summary columns seen from rows outside their block only. Added to blockTiles this gives
 * A1 ∪ A2 with no overlap, because the own-block part of A2 is already inside A1.
 */
export function summaryTilesOutsideBlock(
  n: number,
  l: number,
  sets: SummaryRange[],
  bidirectional: boolean,
): Tile[] {
  // Stryker disable next-line ArrayDeclaration: TiledHead drops a stray entry (it has no rows)
  const tiles: Tile[] = [];
  // Stryker disable next-line EqualityOperator: a block past the last starts at n; its tiles are clipped to no rows and dropped; `>=` is killed
  for (let b = 0; b < blockCount(n, l); b++) {
    const blockStart = b * l;
    const blockEnd = Math.min(n, blockStart + l);
    for (const s of sets) {
      const [c0, c1] = summaryColumns(n, l, b, s);
      if (bidirectional) tiles.push({ r0: 0, r1: blockStart, c0, c1, rule: FULL });
      tiles.push({ r0: blockEnd, r1: n, c0, c1, rule: FULL });
    }
  }
  return tiles;
}

/** Merges overlapping summary offsets so that tiles stay disjoint (e.g. LRA's {0} ∪ [l-c, l)). */
export function disjointSummaries(sets: SummaryRange[]): SummaryRange[] {
  const sorted = sets.filter((s) => s.to > s.from).sort((a, b) => a.from - b.from);
  const out: SummaryRange[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push({ ...s });
  }
  return out;
}

export function mergedHead(n: number, l: number, sets: SummaryRange[], bidirectional: boolean): HeadMask {
  const summaries = disjointSummaries(sets);
  return new TiledHead(n, [...blockTiles(n, l, bidirectional), ...summaryTilesOutsideBlock(n, l, summaries, bidirectional)]);
}

export function blockHead(n: number, l: number, bidirectional: boolean): HeadMask {
  return new TiledHead(n, blockTiles(n, l, bidirectional));
}

export function summaryHead(n: number, l: number, sets: SummaryRange[], bidirectional: boolean): HeadMask {
  return new TiledHead(n, summaryTiles(n, l, disjointSummaries(sets), bidirectional));
}
