/**
 * Map geometry shared by every map: the viewport, the canvas size and theme colours. Mask pooling
 * (max or share per pixel) is in src/core/maskPooling.ts, shared with the pattern worker.
 */
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

export interface MapFigure {
  caption: string;
  canvas: HTMLCanvasElement;
  /** The head it shows, or -1 for the union (or the max over heads). */
  head: number;
}
