/**
 * A head's mask pooled over a viewport for a map: per pixel, whether some cell under it is allowed
 * (max-pooling: a one-cell summary column stays visible) or the share of its cells that are.
 */
import { HeadMask, rowsCover } from './mask';
import { RangeList } from './ranges';
import type { PoolView } from './attention/pooling';

/**
 * 1 where head `head` allows some cell under the pixel, per pixel of the viewport (size×size).
 * Each pixel row asks the head for the columns of all its rows at once (rowsCover), so the cost
 * follows the pixels and the head's tiles, not n.
 */
export function poolMask(head: HeadMask, view: PoolView, size: number): Float32Array {
  const covered = new Float32Array(size * size);
  const list = new RangeList();
  const scratch = new RangeList();
  const { row, col, span } = view;
  // Stryker disable next-line EqualityOperator: an extra pixel row writes past the end of the typed array (ignored)
  for (let y = 0; y < size; y++) {
    rowsCover(head, row + Math.ceil((y * span) / size), row + Math.ceil(((y + 1) * span) / size), list, scratch);
    for (let r = 0; r < list.length; r++) {
      const start = Math.max(list.starts[r], col);
      const end = Math.min(list.ends[r], col + span);
      // Stryker disable next-line EqualityOperator: at end = start the fill runs from one pixel to the one before it: nothing
      if (end <= start) continue;
      const from = Math.floor(((start - col) * size) / span);
      const to = Math.floor(((end - 1 - col) * size) / span);
      covered.fill(1, y * size + from, y * size + to + 1);
    }
  }
  return covered;
}

/** Rows sampled per pixel row for the share view: exact when a pixel covers this many rows or fewer. */
export const SHARE_SAMPLE_ROWS = 8;

/**
 * The share of allowed cells under each pixel (0..1), per pixel of the viewport: what max-pooling
 * hides at large n, where every pixel holds some allowed cell. Columns are counted exactly; rows
 * are sampled, SHARE_SAMPLE_ROWS evenly spaced per pixel row.
 */
export function poolMaskShare(head: HeadMask, view: PoolView, size: number): Float32Array {
  const share = new Float32Array(size * size);
  const list = new RangeList();
  const { row, col, span } = view;
  const colStart = (x: number) => col + Math.ceil((x * span) / size);
  // Stryker disable next-line EqualityOperator: an extra pixel row writes past the end of the typed array (ignored)
  for (let y = 0; y < size; y++) {
    const r0 = row + Math.ceil((y * span) / size);
    const r1 = row + Math.ceil(((y + 1) * span) / size);
    const samples = Math.min(SHARE_SAMPLE_ROWS, r1 - r0);
    for (let s = 0; s < samples; s++) {
      head.row(r0 + Math.floor(((s + 0.5) * (r1 - r0)) / samples), list);
      // Walk the row's ranges and the pixel columns together, adding each overlap.
      let x = 0;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: only stops early; the pixel loop is bounded by size itself
      for (let r = 0; r < list.length && x < size; r++) {
        const start = Math.max(list.starts[r], col);
        const end = Math.min(list.ends[r], col + span);
        // Stryker disable next-line ConditionalExpression,EqualityOperator: a range outside the view adds no overlap (left of it: no pixel starts before its end; right of it: x moves past the last pixel)
        if (end <= start) continue;
        x = Math.max(x, Math.floor(((start - col) * size) / span));
        // Stryker disable next-line ConditionalExpression,EqualityOperator: past the last pixel colStart is past the view, so `colStart(px) < end` stops it; a pixel starting at end overlaps nothing
        for (let px = x; px < size && colStart(px) < end; px++) {
          const c0 = colStart(px);
          const c1 = colStart(px + 1);
          const overlap = Math.min(end, c1) - Math.max(start, c0);
          if (overlap > 0) share[y * size + px] += overlap / ((c1 - c0) * samples);
        }
      }
    }
  }
  return share;
}

