/**
 * Per-head mask maps on canvases. Each pixel max-pools the cells it covers, so a one-cell
 * summary column stays visible however many columns share a pixel. The union map shades each
 * pixel by how many heads allow it.
 */
import { HeadMask, PatternMask, RangeList } from '../src/core';

/** The square of cells a map shows: rows and columns [start, start + span). */
export interface Viewport {
  row: number;
  col: number;
  span: number;
}

export function fullView(n: number): Viewport {
  return { row: 0, col: 0, span: n };
}

/** Maps are shown this many CSS pixels a side (or n, when smaller). */
export const MAP_CSS_PIXELS = 256;

/**
 * Canvas pixels a side: one per device pixel of the displayed map, so the browser never resamples
 * the canvas (resampling drops one-pixel summary columns); cells beyond that are max-pooled.
 */
export function mapPixels(span: number): number {
  return Math.min(span, Math.round(MAP_CSS_PIXELS * (globalThis.devicePixelRatio || 1)));
}

/**
 * Every map takes the same square on screen. The canvas never has more pixels than the screen
 * shows (so nothing is dropped by downscaling); when it has fewer (few cells, or zoomed in) it is
 * enlarged with crisp cell edges.
 */
export function sizeCanvas(canvas: HTMLCanvasElement): void {
  canvas.style.width = `${MAP_CSS_PIXELS}px`;
  canvas.style.height = `${MAP_CSS_PIXELS}px`;
}

export type Rgb = [number, number, number];

/** A theme colour variable as RGB; the browser normalizes any CSS colour through a 1x1 canvas. */
export function cssColor(name: string, fallback: string): Rgb {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.fillStyle = value;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return [r, g, b];
}

/** Marks the pixels of the viewport that head `head` allows into counts (size×size). */
function accumulate(head: HeadMask, view: Viewport, size: number, counts: Uint8Array): void {
  const list = new RangeList();
  const { row, col, span } = view;
  let lastY = -1;
  const rowSeen = new Uint8Array(size);
  for (let i = row; i < row + span; i++) {
    const y = Math.floor(((i - row) * size) / span);
    if (y !== lastY) {
      rowSeen.fill(0);
      lastY = y;
    }
    head.row(i, list);
    for (let r = 0; r < list.length; r++) {
      const start = Math.max(list.starts[r], col);
      const end = Math.min(list.ends[r], col + span);
      if (end <= start) continue;
      const from = Math.floor(((start - col) * size) / span);
      const to = Math.floor(((end - 1 - col) * size) / span);
      for (let x = from; x <= to; x++) {
        if (rowSeen[x]) continue; // count each head once per pixel
        rowSeen[x] = 1;
        counts[y * size + x]++;
      }
    }
  }
}

function paint(canvas: HTMLCanvasElement, size: number, counts: ArrayLike<number>, total: number): void {
  canvas.width = size;
  canvas.height = size;
  sizeCanvas(canvas);
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(size, size);
  const on = cssColor('--vscode-charts-blue', '#3794ff');
  const off = cssColor('--vscode-editor-background', '#1e1e1e');
  for (let p = 0; p < size * size; p++) {
    const t = counts[p] === 0 ? 0 : 0.35 + (0.65 * counts[p]) / total;
    for (let ch = 0; ch < 3; ch++) image.data[4 * p + ch] = off[ch] + (on[ch] - off[ch]) * t;
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

export interface MapFigure {
  caption: string;
  canvas: HTMLCanvasElement;
}

/** One figure per head, then the union; heads sharing a mask share the drawing work. */
export function drawMaps(mask: PatternMask, nnz: number[], unionNnz: number, view: Viewport = fullView(mask.n)): MapFigure[] {
  const size = mapPixels(view.span);
  const cache = new Map<HeadMask, Uint8Array>();
  const union = new Uint16Array(size * size); // a head count per pixel; heads may exceed 255
  const figures: MapFigure[] = mask.heads.map((head, h) => {
    let counts = cache.get(head);
    if (!counts) {
      counts = new Uint8Array(size * size);
      accumulate(head, view, size, counts);
      cache.set(head, counts);
    }
    const canvas = document.createElement('canvas');
    paint(canvas, size, counts, 1);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Head ${h} mask: ${nnz[h]} allowed cells of ${mask.n * mask.n}`);
    return { caption: `head ${h}`, canvas };
  });
  for (const head of mask.heads) {
    const counts = cache.get(head)!;
    for (let p = 0; p < union.length; p++) union[p] += counts[p];
  }
  const canvas = document.createElement('canvas');
  paint(canvas, size, union, mask.heads.length);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Union of ${mask.heads.length} heads: ${unionNnz} allowed cells; darker where more heads attend`);
  figures.push({ caption: 'union', canvas });
  return figures;
}
