/**
 * Statistics of a compact mask, computed without n×n memory: per-row counts come from
 * closed forms per tile (a full tile adds its width to a run of rows in O(1)), and only
 * rule-based rows are swept.
 */
import { HeadMask, PatternMask, Tile, tileRow, unionOf } from './mask';
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
  if (head.tiles) return tileRowCounts(head.n, head.tiles);
  const counts = new Float64Array(head.n);
  const list = new RangeList();
  for (let i = 0; i < head.n; i++) {
    head.row(i, list);
    counts[i] = list.count();
  }
  return counts;
}

/**
 * Row counts of a union of (possibly overlapping) tiles. Rows are cut into segments where the
 * set of covering tiles is constant; the full tiles' columns are merged once per segment and
 * only the few diagonal-shaped tiles are evaluated per row.
 */
export function tileRowCounts(n: number, tiles: readonly Tile[]): Float64Array {
  const counts = new Float64Array(n);
  const byStart = [...tiles].sort((a, b) => a.r0 - b.r0);
  const breaks = Array.from(new Set([0, n, ...tiles.flatMap((t) => [t.r0, t.r1])]))
    .filter((r) => r >= 0 && r <= n)
    .sort((a, b) => a - b);
  let active: Tile[] = [];
  let next = 0;
  const full = new RangeList();
  const partial = new RangeList();
  for (let s = 0; s + 1 < breaks.length; s++) {
    const a = breaks[s];
    const b = breaks[s + 1];
    active = active.filter((t) => t.r1 > a);
    while (next < byStart.length && byStart[next].r0 <= a) {
      if (byStart[next].r1 > a) active.push(byStart[next]);
      next++;
    }
    full.clear();
    const shaped: Tile[] = [];
    for (const t of active) {
      if (t.rule.kind === 'full') full.push(t.c0, t.c1);
      else shaped.push(t);
    }
    full.normalize();
    const fullCount = full.count();
    for (let i = a; i < b; i++) {
      if (!shaped.length) {
        counts[i] = fullCount;
        continue;
      }
      partial.clear();
      for (const t of shaped) tileRow(t, i, partial);
      partial.normalize();
      counts[i] = fullCount + partial.count() - overlap(full, partial);
    }
  }
  return counts;
}

/** Columns shared by two normalized range lists; binary search because `full` can be long. */
function overlap(full: RangeList, part: RangeList): number {
  let shared = 0;
  for (let r = 0; r < part.length; r++) {
    const s = part.starts[r];
    const e = part.ends[r];
    let lo = 0;
    let hi = full.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (full.ends[mid] <= s) lo = mid + 1;
      else hi = mid;
    }
    for (let f = lo; f < full.length && full.starts[f] < e; f++) {
      shared += Math.min(e, full.ends[f]) - Math.max(s, full.starts[f]);
    }
  }
  return shared;
}

export function headStats(head: HeadMask, d: number): HeadStats {
  const n = head.n;
  const counts = rowCounts(head);
  let nnz = 0;
  let rowMin = Infinity;
  let rowMax = 0;
  for (let i = 0; i < n; i++) {
    nnz += counts[i];
    if (counts[i] < rowMin) rowMin = counts[i];
    if (counts[i] > rowMax) rowMax = counts[i];
  }
  const causalCells = (n * (n + 1)) / 2;
  return {
    nnz,
    densityVsCausal: nnz / causalCells,
    densityVsFull: nnz / (n * n),
    rowMin,
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
    union: distinct.length === 1 ? byHead.get(distinct[0])! : headStats(unionOf(mask), d),
    storedElements: distinct.reduce((s, h) => s + h.storedElements, 0),
  };
}
