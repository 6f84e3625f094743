/**
 * The readout of the cell (or pixel) under the pointer or the keyboard cursor: what it says (query
 * and key with their tokens, each head's weight and the set that allows the cell) and where it
 * sits (beside the pointer, like an editor hover, flipped to stay inside the panel).
 */
import type { Viewport } from './maps';
import { cellText, PixelCells, pixelText, ReadoutSource, tokenLabel, ViewLayers } from './readoutText';

export { viewKey } from './readoutText';
export type { ReadoutSource, ViewLayers } from './readoutText';

export class MapReadout {
  readonly element = document.createElement('p');

  constructor(private readonly container: HTMLElement) {
    this.element.className = 'hover-info';
    this.element.setAttribute('aria-live', 'polite');
    this.clear();
  }

  clear(): void {
    this.element.textContent = '';
    this.hide();
  }

  hide(): void {
    this.element.dataset.shown = 'false';
  }

  /** ` “token”` for position i when the sequence has one. */
  static token(source: ReadoutSource | undefined, i: number): string {
    return tokenLabel(source, i);
  }

  /** One cell: every head's (or one head's) verdict and weight. */
  cell(source: ReadoutSource, layers: ViewLayers | undefined, head: number, i: number, j: number): void {
    this.element.textContent = cellText(source, layers, head, i, j);
  }

  /** A pixel covering rows [i0, i1) and columns [j0, j1): the largest weight under it, if known. */
  pixel(source: ReadoutSource, layers: ViewLayers | undefined, key: string, head: number, cells: PixelCells, pixel: number, size: number): void {
    this.element.textContent = pixelText(source, layers, key, head, cells, pixel, size);
  }

  /** Shows the readout beside a point on screen (flipped left when it would leave the panel). */
  placeAt(clientX: number, clientY: number): void {
    const box = this.container.getBoundingClientRect();
    const info = this.element;
    info.dataset.shown = 'true';
    const width = info.offsetWidth;
    const x = clientX - box.left + 16;
    const left = x + width > box.width ? Math.max(0, clientX - box.left - 16 - width) : x;
    info.style.left = `${left}px`;
    info.style.top = `${clientY - box.top + 16}px`;
  }

  /** Shows the readout beside cell (i, j) of a map showing `view`. */
  placeAtCell(canvas: HTMLCanvasElement, view: Viewport, i: number, j: number): void {
    const { row, col, span } = view;
    if (i < row || i >= row + span || j < col || j >= col + span) return;
    const rect = canvas.getBoundingClientRect();
    this.placeAt(rect.left + ((j - col + 0.5) / span) * rect.width, rect.top + ((i - row + 0.5) / span) * rect.height);
  }
}

/**
 * Layers a worker pools for the view on screen, asked once per view (and size, and kind of
 * pooling): `get` answers at once when they are here, otherwise sends one request and calls
 * `arrived` when the answer comes, unless a newer view or `reset` made it stale.
 */
export class PooledLayers {
  private have: ViewLayers | undefined;
  private requested: string | undefined;

  constructor(
    private readonly arrived: () => void,
    private readonly failed: (message: string) => void,
  ) {}

  /** The layers of the view shown, when they are here. */
  get shown(): ViewLayers | undefined {
    return this.have;
  }

  reset(): void {
    this.have = undefined;
    this.requested = undefined;
  }

  get(key: string, view: Viewport, size: number, pool: () => Promise<Float32Array[]>): Float32Array[] | undefined {
    if (this.have?.key === key) return this.have.layers;
    if (this.requested === key) return undefined;
    this.requested = key;
    pool().then(
      (layers) => {
        if (this.requested !== key) return;
        this.have = { key, view, size, layers };
        this.arrived();
      },
      // Superseded by a newer view, or the pattern or attention was replaced: nothing to say.
      (e: Error) => this.requested === key && !/superseded|replaced/.test(e.message) && this.failed(e.message),
    );
    return undefined;
  }

  /** Whether `key` is the request still waited for. */
  waitsFor(key: string): boolean {
    return this.requested === key && this.have?.key !== key;
  }
}
