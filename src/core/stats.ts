/**
 * Statistics of a compact mask, computed without n×n memory: per-row counts come from
 * closed forms per tile (a full tile adds its width to a run of rows in O(1)), and only
 * rule-based rows are swept.
 */
import { HeadMask, PatternMask, tileRowCount, unionOf } from './mask';
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
  const n = head.n;
  const counts = new Float64Array(n);
  if (!head.tiles) {
    const list = new RangeList();
    for (let i = 0; i < n; i++) {
      head.row(i, list);
      counts[i] = list.count();
    }
    return counts;
  }
  // Full tiles contribute a constant per row: accumulate them in a difference array.
  const diff = new Float64Array(n + 1);
  for (const tile of head.tiles) {
    if (tile.rule.kind === 'full') {
      diff[tile.r0] += tile.c1 - tile.c0;
      diff[tile.r1] -= tile.c1 - tile.c0;
    } else {
      for (let i = tile.r0; i < tile.r1; i++) counts[i] += tileRowCount(tile, i);
    }
  }
  let running = 0;
  for (let i = 0; i < n; i++) {
    running += diff[i];
    counts[i] += running;
  }
  return counts;
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
