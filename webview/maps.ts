/**
 * Map geometry shared by every map: the viewport, the canvas size, theme colours, and mask
 * pooling. Each pixel max-pools the cells it covers, so a one-cell summary column stays visible
 * however many columns share a pixel.
 */
import { HeadMask, RangeList, rowsCover } from '../src/core';
import type { Rgb } from './render/painter';

/** The square of cells a map shows: rows and columns [start, start + span). */
export interface Viewport {
  row: number;
  col: number;
  span: number;
}

export function fullView(n: number): Viewport {
  return { row: 0, col: 0, span: n };
}

/** Maps in the grid of heads are shown this many CSS pixels a side; a focused head takes more. */
export const MAP_CSS_PIXELS = 256;

/**
 * Canvas pixels a side: one per device pixel of the displayed map, so the browser never resamples
 * the canvas (resampling drops one-pixel summary columns); cells beyond that are max-pooled.
 */
export function mapPixels(span: number, cssPixels = MAP_CSS_PIXELS): number {
  return Math.min(span, Math.round(cssPixels * (globalThis.devicePixelRatio || 1)));
}

/**
 * Every map takes the same square on screen. The canvas never has more pixels than the screen
 * shows (so nothing is dropped by downscaling); when it has fewer (few cells, or zoomed in) it is
 * enlarged with crisp cell edges.
 */
export function sizeCanvas(canvas: HTMLCanvasElement, cssPixels = MAP_CSS_PIXELS): void {
  canvas.style.width = `${cssPixels}px`;
  canvas.style.height = `${cssPixels}px`;
}

/** A theme colour variable as RGB; the browser normalizes any CSS colour through a 1x1 canvas. */
export function cssColor(name: string, fallback: string): Rgb {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.fillStyle = value;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return [r, g, b];
}

/**
 * 1 where head `head` allows some cell under the pixel, per pixel of the viewport (size×size).
 * Each pixel row asks the head for the columns of all its rows at once (rowsCover), so the cost
 * follows the pixels and the head's tiles, not n.
 */
export function poolMask(head: HeadMask, view: Viewport, size: number): Float32Array {
  const covered = new Float32Array(size * size);
  const list = new RangeList();
  const scratch = new RangeList();
  const { row, col, span } = view;
  for (let y = 0; y < size; y++) {
    rowsCover(head, row + Math.ceil((y * span) / size), row + Math.ceil(((y + 1) * span) / size), list, scratch);
    for (let r = 0; r < list.length; r++) {
      const start = Math.max(list.starts[r], col);
      const end = Math.min(list.ends[r], col + span);
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
export function poolMaskShare(head: HeadMask, view: Viewport, size: number): Float32Array {
  const share = new Float32Array(size * size);
  const list = new RangeList();
  const { row, col, span } = view;
  const colStart = (x: number) => col + Math.ceil((x * span) / size);
  for (let y = 0; y < size; y++) {
    const r0 = row + Math.ceil((y * span) / size);
    const r1 = row + Math.ceil(((y + 1) * span) / size);
    const samples = Math.min(SHARE_SAMPLE_ROWS, r1 - r0);
    for (let s = 0; s < samples; s++) {
      head.row(r0 + Math.floor(((s + 0.5) * (r1 - r0)) / samples), list);
      // Walk the row's ranges and the pixel columns together, adding each overlap.
      let x = 0;
      for (let r = 0; r < list.length && x < size; r++) {
        const start = Math.max(list.starts[r], col);
        const end = Math.min(list.ends[r], col + span);
        if (end <= start) continue;
        x = Math.max(x, Math.floor(((start - col) * size) / span));
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

export interface MapFigure {
  caption: string;
  canvas: HTMLCanvasElement;
  /** The head it shows, or -1 for the union (or the max over heads). */
  head: number;
}
