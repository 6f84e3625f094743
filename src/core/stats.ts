/**
 * Statistics of a compact mask, computed without n×n memory: per-row counts come from
 * closed forms per tile (a full tile adds its width to a run of rows in O(1)), and only
 * rule-based rows are swept.
 */
import { ColumnCoverage } from './coverage';
import { HeadMask, mod, PatternMask, Tile, TileRule, tileRow, unionOf } from './mask';
import { RangeList } from './ranges';

export interface CostEstimate {
  /** QK^T (2d per cell) + softmax (5 per cell: max, subtract, exp, sum, divide) + PV (2d per cell). */
  flops: number;
  /** Unfused: read Q, K, V and write O (4 n d floats), write and read scores and probabilities (16 B per cell). */
  bytes: number;
}

export interface HeadStats {
  nnz: number;
  densityVsCausal: number;
  densityVsFull: number;
  rowMin: number;
  /** Rows with no allowed key: their attention output is 0 and their log-sum-exp −∞. */
  emptyRows: number;
  rowMean: number;
  rowMax: number;
  cost: CostEstimate;
  denseCausalCost: CostEstimate;
  denseFullCost: CostEstimate;
}

export interface PatternStats {
  n: number;
  d: number;
  heads: HeadStats[];
  union: HeadStats;
  /** Compact elements stored for all distinct heads: the build's memory, not n². */
  storedElements: number;
}

export function costOf(cells: number, n: number, d: number): CostEstimate {
  return { flops: cells * (4 * d + 5), bytes: 4 * 4 * n * d + 16 * cells };
}

/** Number of allowed columns in every row. */
export function rowCounts(head: HeadMask): Float64Array {
  if (head.tiles) return head.disjoint ? disjointTileRowCounts(head.n, head.tiles) : tileRowCounts(head.n, head.tiles);
  const counts = new Float64Array(head.n);
  const list = new RangeList();
  // Stryker disable next-line EqualityOperator: a row n is written past the end of the typed array, which is ignored
  for (let i = 0; i < head.n; i++) {
    head.row(i, list);
    counts[i] = list.count();
  }
  return counts;
}

/** Cells of a band or stride tile in row i (inside [r0, r1)), in O(1). */
export function tileRowCount(tile: Tile, i: number): number {
  const rule = tile.rule;
  if (rule.kind === 'full') return tile.c1 - tile.c0;
  const start = Math.max(tile.c0, i - rule.hi);
  const end = Math.min(tile.c1, i - rule.lo + 1);
  // Stryker disable next-line EqualityOperator: at end = start both the band's width and the stride's formula give 0
  if (end <= start) return 0;
  if (rule.kind === 'band') return end - start;
  // first < start + m; when first >= end, end - 1 - first lies in [-m, -1] and this gives 0.
  const first = start + mod(i - start, rule.m);
  return Math.floor((end - 1 - first) / rule.m) + 1;
}

/**
 * Row counts of tiles that share no cell: each full tile adds its width to a run of rows through
 * a difference array (O(1) a tile); band and stride tiles add a closed form per row they span.
 */
export function disjointTileRowCounts(n: number, tiles: readonly Tile[]): Float64Array {
  const counts = new Float64Array(n);
  const steps = new Float64Array(n + 1);
  for (const t of tiles) {
    const r0 = Math.max(0, t.r0);
    const r1 = Math.min(n, t.r1);
    // Stryker disable next-line EqualityOperator: an empty run of rows or columns adds 0 either way
    if (r1 <= r0 || t.c1 <= t.c0) continue;
    // Stryker disable next-line ConditionalExpression,StringLiteral: counted row by row, tileRowCount gives a full tile's width too; the step form only saves time (`true` is killed)
    if (t.rule.kind === 'full') {
      steps[r0] += t.c1 - t.c0;
      steps[r1] -= t.c1 - t.c0;
    } else for (let i = r0; i < r1; i++) counts[i] += tileRowCount(t, i);
  }
  let run = 0;
  // Stryker disable next-line EqualityOperator: a row n is written past the end of the typed array, which is ignored
  for (let i = 0; i < n; i++) counts[i] += run += steps[i];
  return counts;
}

/** `items` ordered by a non-negative integer key, with a native typed-array sort (no comparator calls). */
function orderBy<T>(items: readonly T[], key: (item: T) => number): T[] {
  // key * slot + index stays an exact float64 integer while key * slot < 2^53.
  const slot = 2 ** Math.ceil(Math.log2(items.length + 1));
  const keyed = new Float64Array(items.length);
  for (let x = 0; x < items.length; x++) keyed[x] = key(items[x]) * slot + x;
  keyed.sort();
  return Array.from(keyed, (k) => items[k % slot]);
}

/**
 * The rows where some tile starts or ends, clipped to [0, n], sorted. A row repeats where tiles
 * share it (the sweep's segment between equal rows is empty); rows before the first break and
 * after the last belong to no tile and keep count 0.
 */
function sortedBreaks(tiles: readonly Tile[], n: number): Int32Array {
  const all = new Int32Array(2 * tiles.length);
  tiles.forEach((t, x) => {
    all[2 * x] = Math.min(n, Math.max(0, t.r0));
    all[2 * x + 1] = Math.min(n, Math.max(0, t.r1));
  });
  return all.sort();
}

/**
 * Full tiles over the same rows whose columns touch become one tile (the heads' summary strips of
 * one block side by side): the union is unchanged and the sweep has fewer tiles to add and remove.
 */
function mergeFullTiles(full: readonly Tile[]): Tile[] {
  const byStart = orderBy(full, (t) => Math.max(0, t.r0));
  const merged: Tile[] = [];
  for (let x = 0; x < byStart.length; ) {
    let y = x;
    while (y < byStart.length && byStart[y].r0 === byStart[x].r0) y++;
    const group = byStart.slice(x, y).sort((a, b) => a.r1 - b.r1 || a.c0 - b.c0);
    let last: Tile | undefined;
    for (const t of group) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: merging less (never, or not when only touching) leaves the union as it is; `true` (merge always) is killed by the stats tests
      if (last && last.r1 === t.r1 && t.c0 <= last.c1) last.c1 = Math.max(last.c1, t.c1);
      else merged.push((last = { r0: t.r0, r1: t.r1, c0: t.c0, c1: t.c1, rule: t.rule }));
    }
    x = y;
  }
  return merged;
}

/**
 * Band or stride tiles (the only ones deduplicated) with the same rows, columns and rule. A band
 * has no m (a stride's is at least 1), which tells the kinds apart.
 */
// Stryker disable next-line BlockStatement: a function that never finds a copy keeps every copy, which changes no count
function sameTile(a: Tile, b: Tile): boolean {
  const [p, q] = [a.rule, b.rule];
  // Stryker disable next-line all: full tiles never come here (they are merged instead); this only narrows the type
  if (p.kind === 'full' || q.kind === 'full') return false;
  const m = (rule: TileRule) => (rule as { m?: number }).m;
  // dedupeShaped compares only tiles of one first row, and its grouping mutants rely on this check:
  // each alone keeps different rows apart. Returning false more often keeps more copies, and the
  // return itself is never reached (no test can reach it while the grouping holds).
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BooleanLiteral: see above
  if (a.r0 !== b.r0) return false;
  // Stryker disable next-line ConditionalExpression: a comparison that is never true keeps every copy (no count changes); `true` for each part is killed
  return a.r1 === b.r1 && a.c0 === b.c0 && a.c1 === b.c1 && p.lo === q.lo && p.hi === q.hi && m(p) === m(q);
}

/** One copy of each band or stride tile, ordered by first row. */
function dedupeShaped(shaped: readonly Tile[]): Tile[] {
  const byStart = orderBy(shaped, (t) => Math.max(0, t.r0));
  const kept: Tile[] = [];
  let groupStart = 0;
  // Dropping fewer copies changes no count, only speed: the mutants that compare less are equivalent.
  for (const t of byStart) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a group that starts too late or never only compares less
    if (kept.length && kept[kept.length - 1].r0 !== t.r0) groupStart = kept.length;
    let seen = false;
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: comparing with no kept tile keeps every copy; `true` (past the end) is killed
    for (let x = groupStart; x < kept.length && !seen; x++) seen = sameTile(kept[x], t);
    // Stryker disable next-line ConditionalExpression: keeping every copy changes no count; `false` (keeping none) is killed
    if (!seen) kept.push(t);
  }
  return kept;
}

/**
 * Row counts of a union of (possibly overlapping) tiles. Rows are cut into segments where the set
 * of covering tiles is constant; full tiles enter and leave a column coverage tree at their first
 * and last rows (O(log n) each), so a segment's full columns are known at once. Only rows under
 * band or stride tiles are visited, and each of their ranges asks the tree for its overlap.
 */
export function tileRowCounts(n: number, tiles: readonly Tile[]): Float64Array {
  const counts = new Float64Array(n);
  // An inverted tile would be added to the column tree after its own removal. An empty one, or one
  // wholly before row 0, leaves and enters it in the same segment (net 0): dropping it only saves time.
  // Stryker disable next-line EqualityOperator,ConditionalExpression: see above; `t.r1 > t.r0` → `true` is killed
  const live = tiles.filter((t) => t.r1 > t.r0 && t.r1 > 0);
  // Full tiles may repeat (the tree counts multiplicity); shaped ones are deduplicated, since
  // every head repeats the same diagonal blocks and one copy keeps the fast path below.
  // mergeFullTiles and dedupeShaped return their tiles ordered by first row.
  const starts = mergeFullTiles(live.filter((t) => t.rule.kind === 'full'));
  const shaped = dedupeShaped(live.filter((t) => t.rule.kind !== 'full'));
  const ends = orderBy(starts, (t) => Math.min(n, t.r1));
  const breaks = sortedBreaks(live, n);
  const coverage = new ColumnCoverage(n);
  const partial = new RangeList();
  let nextStart = 0;
  let nextEnd = 0;
  let nextShaped = 0;
  // Stryker disable next-line ArrayDeclaration: the first segment's filter drops any stray entry
  let active: Tile[] = [];
  // Stryker disable next-line EqualityOperator: a last segment from the last break to undefined fills nothing; `>=` (no segment) is killed
  for (let s = 0; s + 1 < breaks.length; s++) {
    const a = breaks[s];
    const b = breaks[s + 1];
    for (; nextEnd < ends.length && ends[nextEnd].r1 <= a; nextEnd++) coverage.add(ends[nextEnd].c0, ends[nextEnd].c1, -1);
    // Every tile starts on a break, so it is added before any break at or past its end.
    for (; nextStart < starts.length && starts[nextStart].r0 <= a; nextStart++) coverage.add(starts[nextStart].c0, starts[nextStart].c1, 1);
    active = active.filter((t) => t.r1 > a);
    for (; nextShaped < shaped.length && shaped[nextShaped].r0 <= a; nextShaped++) active.push(shaped[nextShaped]);
    const fullCount = coverage.total();
    // The fast paths below give what the general loop gives; they only save time.
    // Stryker disable next-line ConditionalExpression,BlockStatement: without this fast path the loop below counts the same; `true` is killed
    if (!active.length) {
      counts.fill(fullCount, a, b);
      continue;
    }
    // The usual case (a diagonal block beside earlier summary columns): one shaped tile whose
    // columns no full tile covers adds its closed-form count.
    // Stryker disable next-line ConditionalExpression,BlockStatement: without this fast path the loop below counts the same; `true` is killed
    if (active.length === 1 && coverage.coveredIn(active[0].c0, active[0].c1) === 0) {
      // Stryker disable next-line EqualityOperator: row b is the next segment's first and is written again there (or is n, past the end); `>=` is killed
      for (let i = a; i < b; i++) counts[i] = fullCount + tileRowCount(active[0], i);
      continue;
    }
    // Stryker disable next-line EqualityOperator: row b is the next segment's first and is written again there (or is n, past the end); `>=` is killed
    for (let i = a; i < b; i++) {
      partial.clear();
      for (const t of active) tileRow(t, i, partial);
      partial.normalize();
      let extra = 0;
      for (let r = 0; r < partial.length; r++) extra += partial.ends[r] - partial.starts[r] - coverage.coveredIn(partial.starts[r], partial.ends[r]);
      counts[i] = fullCount + extra;
    }
  }
  return counts;
}

export function headStats(head: HeadMask, d: number): HeadStats {
  const n = head.n;
  const counts = rowCounts(head);
  let nnz = 0;
  let rowMin = Infinity;
  let rowMax = 0;
  let emptyRows = 0;
  for (let i = 0; i < n; i++) {
    nnz += counts[i];
    if (counts[i] === 0) emptyRows++;
    rowMin = Math.min(rowMin, counts[i]);
    rowMax = Math.max(rowMax, counts[i]);
  }
  const causalCells = (n * (n + 1)) / 2;
  return {
    nnz,
    densityVsCausal: nnz / causalCells,
    densityVsFull: nnz / (n * n),
    rowMin,
    emptyRows,
    rowMean: nnz / n,
    rowMax,
    cost: costOf(nnz, n, d),
    denseCausalCost: costOf(causalCells, n, d),
    denseFullCost: costOf(n * n, n, d),
  };
}

export function patternStats(mask: PatternMask, d = 64): PatternStats {
  const distinct = Array.from(new Set(mask.heads));
  const byHead = new Map(distinct.map((h) => [h, headStats(h, d)] as const));
  return {
    n: mask.n,
    d,
    heads: mask.heads.map((h) => byHead.get(h)!),
    // Stryker disable next-line ConditionalExpression: the union of one distinct head is that head, so `false` computes the same; `true` is killed
    union: distinct.length === 1 ? byHead.get(distinct[0])! : headStats(unionOf(mask), d),
    storedElements: distinct.reduce((s, h) => s + h.storedElements, 0),
  };
}
