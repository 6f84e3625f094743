/**
 * Recognises heads of the fixed family's block form: every query in block b (rows [bl, bl + l))
 * sees its own block (causal triangle or full square) and the same summary columns of the other
 * blocks (earlier blocks only when causal). Such heads can run as dense GEMMs over gathered keys.
 * The check is exact: the head's tiles must equal the tiles mergedHead builds from what was read.
 */
import type { HeadMask, Tile } from '../mask';
import { disjointSummaries, mergedHead, SummaryRange } from '../patterns/fixed';

export interface BlockStructure {
  /** Block length (n itself when one block spans the sequence). */
  l: number;
  /** Summary offsets inside every block, disjoint and sorted; empty for a block-only head. */
  sets: SummaryRange[];
  bidirectional: boolean;
}

const known = new WeakMap<HeadMask, BlockStructure | null>();

function tileKey(t: Tile): string {
  // Stryker disable next-line StringLiteral,ConditionalExpression,EqualityOperator: mergedHead makes only full tiles and the causal band; each mutant still keys those two and any other rule apart
  const rule = t.rule.kind === 'full' ? 'f' : t.rule.kind === 'band' ? `b${t.rule.lo},${t.rule.hi}` : `s${t.rule.m},${t.rule.lo},${t.rule.hi}`;
  return `${t.r0},${t.r1},${t.c0},${t.c1},${rule}`;
}

function sameTiles(a: readonly Tile[], b: readonly Tile[]): boolean {
  if (a.length !== b.length) return false;
  const keys = a.map(tileKey).sort();
  const others = b.map(tileKey).sort();
  return keys.every((k, i) => k === others[i]);
}

function detect(head: HeadMask): BlockStructure | null {
  const tiles = head.tiles;
  if (!tiles || !head.disjoint) return null;
  // Stryker disable next-line ConditionalExpression,LogicalOperator: the exact check below decides; buildPattern lists the diagonal block's tile first, so another choice only refuses sooner
  const first = tiles.find((t) => t.r0 === 0 && t.c0 === 0 && t.r1 === t.c1);
  if (!first) return null;
  const bidirectional = first.rule.kind === 'full';
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a shortcut: mergedHead's first block is full or the causal band, so the exact check refuses any other
  if (!bidirectional && !(first.rule.kind === 'band' && first.rule.lo === 0 && first.rule.hi === Infinity)) return null;
  const l = first.r1;
  // Block 0's summary columns, as seen from the rows outside block 0.
  // Stryker disable next-line ConditionalExpression: the first tile and block 0's own tiles start at row 0 < l and end at column <= l; only tiles of rows >= l qualify either way
  const sets = disjointSummaries(tiles.filter((t) => t !== first && t.c1 <= l && t.r0 >= l).map((t) => ({ from: t.c0, to: t.c1 })));
  const structure = { l, sets, bidirectional };
  return sameTiles(tiles, mergedHead(head.n, l, sets, bidirectional).tiles!) ? structure : null;
}

/** The head's block form, or undefined when it has none (cached per head object). */
export function blockStructureOf(head: HeadMask): BlockStructure | undefined {
  let found = known.get(head);
  if (found === undefined) {
    found = detect(head);
    known.set(head, found);
  }
  return found ?? undefined;
}
