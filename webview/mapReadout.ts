/**
 * The readout of the cell (or pixel) under the pointer or the keyboard cursor: what it says (query
 * and key with their tokens, each head's weight and the set that allows the cell) and where it
 * sits (beside the pointer, like an editor hover, flipped to stay inside the panel).
 */
import { explainCell, explainedByDefinition, type PatternConfig, type PatternMask } from '../src/core';
import type { Sequence } from '../src/protocol';
import type { Viewport } from './maps';
import type { WeightSource } from './weightSource';

/** Values pooled by a worker for one viewport at one size, one layer per head. */
export interface ViewLayers {
  key: string;
  view: Viewport;
  size: number;
  layers: Float32Array[];
}

export function viewKey(view: Viewport, size: number): string {
  return `${view.row},${view.col},${view.span}@${size}`;
}

/** What the readout reads: the maps' config and weights, and the weights pooled for the view on screen. */
export interface ReadoutSource {
  config: PatternConfig;
  /** Built on first use when the worker holds the mask: only the ports' explanations need it. */
  readonly mask: PatternMask;
  sequence?: Sequence;
  weights?: WeightSource;
}

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
    const t = source?.sequence?.tokens[i];
    return t === undefined ? '' : ` “${t}”`;
  }

  /** One cell: every head's (or one head's) verdict and weight. */
  cell(source: ReadoutSource, layers: ViewLayers | undefined, head: number, i: number, j: number): void {
    const heads = head < 0 ? Array.from({ length: source.config.heads }, (_, h) => h) : [head];
    const parts = heads.map((h) => {
      // The fixed family is explained from its definition; other presets ask the mask.
      const reason = explainCell(source.config, h, i, j, explainedByDefinition(source.config) ? undefined : source.mask);
      const w = weightOf(source, layers, h, i, j);
      const weight = w === undefined ? '' : `, weight ${w.toPrecision(3)}`;
      return `head ${h}: ${reason === 'masked' ? 'masked' : `allowed by ${reason}`}${weight}`;
    });
    this.element.textContent = `query i=${i}${MapReadout.token(source, i)} → key j=${j}${MapReadout.token(source, j)}: ${parts.join('; ')}`;
  }

  /** A pixel covering rows [i0, i1) and columns [j0, j1): the largest weight under it, if known. */
  pixel(source: ReadoutSource, layers: ViewLayers | undefined, key: string, head: number, cells: { i0: number; i1: number; j0: number; j1: number }, pixel: number, size: number): void {
    const { i0, i1, j0, j1 } = cells;
    const w = pooledWeight(source, layers, key, head, cells, pixel, size);
    const weight = w === undefined ? '' : w < 0 ? '; every cell under it is masked' : `; largest weight under it ${w.toPrecision(3)}`;
    this.element.textContent = `rows ${i0}–${i1 - 1}, columns ${j0}–${j1 - 1} share this pixel (max-pooled)${weight}; zoom in for single cells`;
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

/** The largest weight of the head's (or, for -1, any head's) cells under a pixel; -1 if all are masked. */
function pooledWeight(source: ReadoutSource, layers: ViewLayers | undefined, key: string, head: number, cells: { i0: number; i1: number; j0: number; j1: number }, pixel: number, size: number): number | undefined {
  const heads = head < 0 ? Array.from({ length: source.config.heads }, (_, h) => h) : [head];
  // A source that knows every weight answers exactly (null: it knows only pooled views).
  const weights = source.weights;
  if (weights && weights.maxIn(heads[0], cells) !== null) return Math.max(...heads.map((h) => weights.maxIn(h, cells) ?? -1));
  if (!layers || layers.size !== size || layers.key !== key) return undefined;
  return Math.max(...heads.map((h) => layers.layers[h][pixel]));
}

/** A cell's weight: stored, or the worker's pooled value when the view shows one cell per pixel. */
function weightOf(source: ReadoutSource, layers: ViewLayers | undefined, h: number, i: number, j: number): number | undefined {
  const exact = source.weights ? source.weights.weightAt(h, i, j) : null;
  if (exact !== null) return exact;
  if (!layers || layers.size !== layers.view.span) return undefined;
  const { row, col, span } = layers.view;
  if (i < row || i >= row + span || j < col || j >= col + span) return undefined;
  const w = layers.layers[h][(i - row) * span + (j - col)];
  return w < 0 ? undefined : w;
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
