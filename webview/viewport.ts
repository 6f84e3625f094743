/** Zoom and pan of the square of cells the maps show: pure functions, clamped to the matrix. */
import type { Viewport } from './maps';

/** The smallest square a map zooms to: individual cells are large enough to point at. */
export const MIN_SPAN = 16;

export function clampView(view: Viewport, n: number): Viewport {
  const span = Math.max(Math.min(MIN_SPAN, n), Math.min(n, Math.round(view.span)));
  const clamp = (start: number) => Math.max(0, Math.min(n - span, Math.round(start)));
  return { row: clamp(view.row), col: clamp(view.col), span };
}

/** Zooms by `factor` (2 = twice as close) keeping cell (i, j) under the same point of the map. */
export function zoomAt(view: Viewport, n: number, i: number, j: number, factor: number): Viewport {
  const span = view.span / factor;
  const fy = (i - view.row) / view.span;
  const fx = (j - view.col) / view.span;
  return clampView({ row: i - fy * span, col: j - fx * span, span }, n);
}

/** Moves by whole cells (positive: down / right). */
export function panBy(view: Viewport, n: number, rows: number, cols: number): Viewport {
  return clampView({ row: view.row + rows, col: view.col + cols, span: view.span }, n);
}

export function describeView(view: Viewport, n: number): string {
  if (view.span >= n) return `all ${n} × ${n} cells`;
  return `rows ${view.row}–${view.row + view.span - 1}, columns ${view.col}–${view.col + view.span - 1} (zoom ${(n / view.span).toFixed(1)}×)`;
}
