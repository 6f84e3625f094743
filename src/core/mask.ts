import { RangeList } from './ranges';

/**
 * One head's mask in compact form: it answers "which columns may row i attend to"
 * as ranges, never as an n×n matrix.
 */
export interface HeadMask {
  readonly n: number;
  /** Clears `out` and writes row i's allowed columns, sorted and disjoint. */
  row(i: number, out: RangeList): void;
  /** Number of stored elements (tiles or rules): the memory this head costs. */
  readonly storedElements: number;
  /**
   * Clears `out` and writes the columns allowed in any row of [i0, i1), sorted and disjoint: what
   * a map pixel row covering those rows shows. Heads without it are swept row by row (rowsCover).
   */
  rowsCover?(i0: number, i1: number, out: RangeList): void;
  /** Tiles whose union is the mask, when the head is tile-shaped (fast statistics and kernels). */
  readonly tiles?: readonly Tile[];
  /** True when no two tiles share a cell (kernels may then visit each tile once). */
  readonly disjoint?: boolean;
}

/**
 * Which cells of a tile's rectangle are set. With d = i - j (row minus column):
 * - full: every cell;
 * - band: lo <= d <= hi (causal is band(0, Infinity));
 * - stride: lo <= d <= hi and d mod m == 0.
 */
export type TileRule =
  | { kind: 'full' }
  | { kind: 'band'; lo: number; hi: number }
  | { kind: 'stride'; m: number; lo: number; hi: number };

export interface Tile {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
  rule: TileRule;
}

export const FULL: TileRule = { kind: 'full' };
export const CAUSAL: TileRule = { kind: 'band', lo: 0, hi: Infinity };

/**
 * Appends the columns of `tile` in any row of [i0, i1) ∩ [r0, r1). A band's rows shift by one
 * column per row, so their union is one range; a stride tile is swept row by row.
 */
export function tileRowsCover(tile: Tile, i0: number, i1: number, out: RangeList): void {
  const a = Math.max(i0, tile.r0);
  const b = Math.min(i1, tile.r1);
  if (b <= a) return;
  const rule = tile.rule;
  // The two shortcuts give what the row-by-row sweep gives (tileRow knows every rule); they save time.
  // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: see above; `true` is killed
  if (rule.kind === 'full') {
    out.push(tile.c0, tile.c1);
    return;
  }
  // (Its own statement: Stryker ignores a disable comment above an `else if`.)
  // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: see above; `true` is killed
  if (rule.kind === 'band') {
    out.push(Math.max(tile.c0, a - rule.hi), Math.min(tile.c1, b - rule.lo));
    return;
  }
  for (let i = a; i < b; i++) tileRow(tile, i, out);
}

/** The columns allowed in any row of [i0, i1): the head's own shortcut, or a sweep over the rows. */
export function rowsCover(head: HeadMask, i0: number, i1: number, out: RangeList, scratch = new RangeList()): void {
  // Stryker disable next-line ConditionalExpression: the sweep below gives the same columns (the shortcut only saves time); `true` is killed
  if (head.rowsCover) return head.rowsCover(i0, i1, out);
  out.clear();
  for (let i = i0; i < i1; i++) {
    head.row(i, scratch);
    // Stryker disable next-line EqualityOperator: one more step pushes an empty range, which push ignores; `>=` is killed
    for (let r = 0; r < scratch.length; r++) out.push(scratch.starts[r], scratch.ends[r]);
    // Keep the list short while sweeping many rows (normalizing sooner, later or never gives the same list).
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (out.length > 4096) out.normalize();
  }
  out.normalize();
}

/** Appends the columns of `tile` in row i (which must be inside [r0, r1)). */
export function tileRow(tile: Tile, i: number, out: RangeList): void {
  const rule = tile.rule;
  if (rule.kind === 'full') {
    out.push(tile.c0, tile.c1);
    return;
  }
  const start = Math.max(tile.c0, i - rule.hi);
  const end = Math.min(tile.c1, i - rule.lo + 1);
  if (rule.kind === 'band') {
    out.push(start, end);
    return;
  }
  // First j >= start with (i - j) divisible by m.
  let j = start + mod(i - start, rule.m);
  for (; j < end; j += rule.m) out.push(j, j + 1);
}

export function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

/** Tile references all row segments of a head may hold together (see buildSegments). */
const SEGMENT_ENTRIES = 1 << 22;

/** A head made of disjoint tiles: the form every structured pattern builds. */
export class TiledHead implements HeadMask {
  readonly tiles: readonly Tile[];
  // Stryker disable next-line BooleanLiteral: stats then count the tiles as possibly overlapping, which gives the same counts
  readonly disjoint = true;
  /** Row segments where the set of covering tiles is constant; built on the first row() call. */
  private segments?: { starts: Int32Array; tiles: Tile[][] };
  private lastSegment = 0;

  constructor(readonly n: number, tiles: Tile[]) {
    this.tiles = tiles.filter((t) => t.r1 > t.r0 && t.c1 > t.c0);
  }

  get storedElements(): number {
    return this.tiles.length;
  }

  row(i: number, out: RangeList): void {
    out.clear();
    for (const tile of this.segmentAt(i)) if (tile.r0 <= i && i < tile.r1) tileRow(tile, i, out);
    out.normalize();
  }

  /** Per segment of rows the tiles are fixed, so a band of rows costs its segments' tiles, not its rows. */
  rowsCover(i0: number, i1: number, out: RangeList): void {
    out.clear();
    const segments = (this.segments ??= this.buildSegments());
    this.segmentAt(i0);
    // Segments from i1 on cover no row of [i0, i1): visiting them adds nothing (tileRowsCover clips rows).
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: see above; `false` (no segment) is killed
    for (let s = this.lastSegment; s < segments.starts.length && segments.starts[s] < i1; s++) {
      for (const tile of segments.tiles[s]) tileRowsCover(tile, i0, i1, out);
    }
    out.normalize();
  }

  private segmentAt(i: number): Tile[] {
    const segments = (this.segments ??= this.buildSegments());
    const { starts } = segments;
    let s = this.lastSegment;
    // Rows are usually visited in order: try the cached segment first. Any mutant of this check
    // either searches more often (same segment found) or is killed.
    // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator,ArithmeticOperator: see above
    if (!(starts[s] <= i && (s + 1 >= starts.length || i < starts[s + 1]))) {
      let lo = 0;
      // Stryker disable next-line ArithmeticOperator: past the end starts[mid] is undefined, never <= i, so the search narrows the same way
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= i) lo = mid;
        else hi = mid - 1;
      }
      s = lo;
    }
    this.lastSegment = s;
    return segments.tiles[s];
  }

  /**
   * Tiles per segment, sorted by first column so that a row's ranges come out (nearly) sorted. One
   * sweep down the rows: tiles join the active list (kept in column order) where they start and
   * leave where they end. When tiles stay active for long (summary columns with a small l: 8192
   * of them at n = 65536, l = 8) the lists grow quadratically; past SEGMENT_ENTRIES the head keeps
   * one list of all tiles instead, and row() skips the tiles that do not cover the row.
   */
  private buildSegments(): { starts: Int32Array; tiles: Tile[][] } {
    // Cuts at or past n start segments no row reaches.
    const cuts = Array.from(new Set([0, ...this.tiles.flatMap((t) => [t.r0, t.r1])])).sort((a, b) => a - b);
    const byRow = [...this.tiles].sort((a, b) => a.r0 - b.r0);
    let next = 0;
    let entries = 0;
    // A segment's list may hold more tiles than cover it, in any order: row() skips the tiles that
    // do not cover the row, and the ranges are normalized. So the mutants that keep more tiles, add
    // them early, order them otherwise or give up sooner or never are equivalent; they only cost time.
    // Stryker disable next-line ArrayDeclaration: the first filter drops the stray entry
    let active: Tile[] = [];
    const tiles: Tile[][] = [];
    for (const start of cuts) {
      // A fresh array per segment: the previous segment keeps its own list.
      // Stryker disable next-line MethodExpression,ConditionalExpression,EqualityOperator: see above; `false` (dropping all) is killed
      active = active.filter((t) => t.r1 > start);
      // Stryker disable next-line ConditionalExpression: see above; `true` on the bound is killed
      for (; next < byRow.length && byRow[next].r0 <= start; next++) {
        const tile = byRow[next];
        // Stryker disable next-line ConditionalExpression,EqualityOperator: see above; `true` is killed
        if (tile.r1 <= start) continue;
        let at = active.length;
        // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
        while (at > 0 && active[at - 1].c0 > tile.c0) at--;
        active.splice(at, 0, tile);
      }
      // Stryker disable next-line AssignmentOperator: see above
      entries += active.length;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,MethodExpression,ArrowFunction,ArithmeticOperator: see above
      if (entries > SEGMENT_ENTRIES) return { starts: Int32Array.of(0), tiles: [[...this.tiles].sort((a, b) => a.c0 - b.c0)] };
      tiles.push(active);
    }
    return { starts: Int32Array.from(cuts), tiles };
  }
}

/** A head given by a per-row rule (ports whose windows are not tile-shaped). */
export class RowRuleHead implements HeadMask {
  constructor(
    readonly n: number,
    private readonly rule: (i: number, out: RangeList) => void,
    readonly storedElements = 1,
  ) {}
  row(i: number, out: RangeList): void {
    out.clear();
    this.rule(i, out);
    out.normalize();
  }
}

/** The union of several heads (the "any head" view). */
export class UnionHead implements HeadMask {
  private readonly scratch = new RangeList();
  /** Every part's tiles together (they overlap), when every part is tiled. */
  readonly tiles?: readonly Tile[];
  readonly disjoint = false;
  constructor(readonly n: number, private readonly parts: readonly HeadMask[]) {
    if (parts.every((p) => p.tiles)) this.tiles = parts.flatMap((p) => p.tiles!);
  }
  get storedElements(): number {
    return this.parts.reduce((s, p) => s + p.storedElements, 0);
  }
  row(i: number, out: RangeList): void {
    out.clear();
    for (const part of this.parts) {
      part.row(i, this.scratch);
      for (let r = 0; r < this.scratch.length; r++) out.push(this.scratch.starts[r], this.scratch.ends[r]);
    }
    out.normalize();
  }

  rowsCover(i0: number, i1: number, out: RangeList): void {
    out.clear();
    const part = new RangeList();
    for (const p of this.parts) {
      rowsCover(p, i0, i1, part, this.scratch);
      // Stryker disable next-line EqualityOperator: one more step pushes an empty range, which push ignores; `>=` is killed
      for (let r = 0; r < part.length; r++) out.push(part.starts[r], part.ends[r]);
    }
    out.normalize();
  }
}

/** Block-level layout [heads, nb, nb] as DeepSpeed and OpenAI store it. */
export interface BlockLayout {
  block: number;
  heads: number;
  blocks: number;
  /** Row-major [heads][blocks][blocks], 0 or 1. */
  data: Uint8Array;
}

export interface PatternMask {
  n: number;
  /** One entry per head; heads with equal masks share one object. */
  heads: HeadMask[];
  layout?: BlockLayout;
  /** What this pattern does that the user may not expect (e.g. DeepSpeed's future-leak quirk). */
  warnings: string[];
  /** One line on how it differs from the paper, for the port presets. */
  note?: string;
}

export function unionOf(mask: PatternMask): HeadMask {
  const distinct = Array.from(new Set(mask.heads));
  // Stryker disable next-line ConditionalExpression: a union of one head has its rows; `true` is killed
  return distinct.length === 1 ? distinct[0] : new UnionHead(mask.n, distinct);
}

/** Convenience for tests and small views: row i as a list of columns. */
export function rowColumns(head: HeadMask, i: number): number[] {
  const list = new RangeList();
  head.row(i, list);
  const cols: number[] = [];
  for (let r = 0; r < list.length; r++) for (let j = list.starts[r]; j < list.ends[r]; j++) cols.push(j);
  return cols;
}
