/**
 * Turns what the maps show (masks, weights or a difference, over one viewport) into one canvas per
 * head plus the union. The pooled layers are computed on demand for the viewport and kept while
 * only the colouring changes, so the threshold, scale and theme repaint without pooling again.
 */
import { poolProbs, type PatternMask, type SparseProbs, type SvgMap } from '../src/core';
import { CanvasPainter } from './render/canvasPainter';
import { classifyDiff, diffColours } from './diffMaps';
import { cssColor, mapPixels, type MapFigure, type Viewport } from './maps';
import type { LayerStyle, MapPainter } from './render/painter';
import { BELOW_THRESHOLD, type WeightScale } from './weightMaps';

export type FigureKind = 'mask' | 'weights' | 'diff';

export interface FigureRequest {
  kind: FigureKind;
  n: number;
  heads: number;
  /** The pattern's own mask: only the difference view needs it here. */
  mask?: PatternMask;
  /** The masks pooled for this view by the pattern worker, one layer per head (the mask view). */
  maskLayers?: Float32Array[];
  nnz: number[];
  unionNnz: number;
  probs?: SparseProbs[];
  /** Weights already pooled for this view (by the attention worker), one layer per head. */
  layers?: Float32Array[];
  other?: { mask: PatternMask; name: string };
  view: Viewport;
  scale: WeightScale;
  threshold: number;
}

/** How the last figures were made: which painter, and where the pooling ran. */
export interface FigureTimings {
  renderer: MapPainter['name'];
  pooledOn: 'gpu' | 'cpu' | 'worker' | 'cached';
  poolMs: number;
  paintMs: number;
}

interface Filled {
  kind: FigureKind;
  mask?: PatternMask;
  maskLayers?: Float32Array[];
  probs?: SparseProbs[];
  layers?: Float32Array[];
  other?: PatternMask;
  view: Viewport;
  size: number;
  painter: MapPainter;
}

/** Which MapFigures last filled a painter's layers: another one (an export) invalidates the cache. */
const layerOwner = new WeakMap<MapPainter, MapFigures>();

export class MapFigures {
  private filled: Filled | undefined;
  /** Pixels that differ, per head, for the difference view's labels. */
  private differ: number[] = [];
  timings: FigureTimings = { renderer: 'canvas2d', pooledOn: 'cached', poolMs: 0, paintMs: 0 };
  /** Counts sliced drawings: the slices of an older one stop. */
  private slicedDraws = 0;

  constructor(public painter: MapPainter) {}

  /**
   * `size`: pixels a side (default: what the grid of heads shows, see mapPixels). `only`: paint just
   * that head's map (-1: the union), for the focused view.
   */
  draw(request: FigureRequest, size = mapPixels(request.view.span), only?: number): MapFigure[] {
    const started = performance.now();
    const pooledOn = this.fill(request, size);
    const pooled = performance.now();
    const figures = this.paint(request, only);
    this.timings = { renderer: this.painter.name, pooledOn, poolMs: pooled - started, paintMs: performance.now() - pooled };
    return figures;
  }

  /**
   * Like draw, but the canvases are painted a few per task (at most about `budgetMs` each), so
   * that nine large maps never hold the UI thread for long. `painted` resolves when all are done,
   * or rejects when another drawing took the painter's layers first.
   */
  drawInSlices(request: FigureRequest, size = mapPixels(request.view.span), only?: number, budgetMs = 30): { figures: MapFigure[]; painted: Promise<void> } {
    const started = performance.now();
    const pooledOn = this.fill(request, size);
    const pooled = performance.now();
    const entries = this.entries(request).filter(({ layer }) => only === undefined || figureHead(layer) === only);
    const figures = entries.map((entry) => this.blankFigure(entry));
    // Sized now, so that hover maps pixels to cells before the paint reaches a canvas.
    for (const { canvas } of figures) [canvas.width, canvas.height] = [size, size];
    let paintMs = 0;
    const generation = ++this.slicedDraws;
    const painted = new Promise<void>((resolve, reject) => {
      let next = 0;
      const slice = () => {
        // A newer drawing of these maps, or another drawing (an export) that took the painter's layers.
        if (generation !== this.slicedDraws) return reject(new Error('superseded by a newer drawing'));
        if (layerOwner.get(this.painter) !== this) return reject(new Error('superseded: another drawing took the painter'));
        const t0 = performance.now();
        while (next < entries.length && (next === 0 || performance.now() - t0 < budgetMs)) {
          this.painter.paint(figures[next].canvas, entries[next].layer, entries[next].style);
          next++;
        }
        paintMs += performance.now() - t0;
        this.timings = { renderer: this.painter.name, pooledOn, poolMs: pooled - started, paintMs };
        if (next < entries.length) setTimeout(slice, 0);
        else resolve();
      };
      slice();
    });
    return { figures, painted };
  }

  private blankFigure({ layer, caption, label }: { layer: number | 'all'; caption: string; label: string }): MapFigure {
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', label);
    return { caption, canvas, head: figureHead(layer) };
  }

  private fill(request: FigureRequest, size: number): FigureTimings['pooledOn'] {
    const { kind, mask, probs, view } = request;
    const painter = this.painter;
    const weights = kind === 'weights';
    const maskLayers = kind === 'mask' ? request.maskLayers : undefined;
    const next: Filled = { kind, mask, maskLayers, probs: weights ? probs : undefined, layers: weights ? request.layers : undefined, other: request.other?.mask, view, size, painter };
    const last = layerOwner.get(painter) === this ? this.filled : undefined;
    layerOwner.set(painter, this);
    if (last && (Object.keys(next) as Array<keyof Filled>).every((k) => (k === 'view' ? sameView(last.view, view) : last[k] === next[k]))) return 'cached';
    this.filled = next;
    painter.layers(size, request.heads);
    const pooledAlready = weights ? request.layers : maskLayers;
    if (pooledAlready) {
      pooledAlready.forEach((layer, h) => painter.setLayer(h, layer));
      return 'worker';
    }
    if (weights) {
      const onGpu = painter.useProbs(probs);
      for (let h = 0; h < request.heads; h++) {
        if (!(onGpu && painter.poolWeights(h, h, view))) painter.setLayer(h, poolProbs(probs![h], view, size));
      }
      return onGpu ? 'gpu' : 'cpu';
    }
    if (kind === 'mask') throw new Error('the mask view needs the pattern worker\'s pooled layers');
    this.differ = mask!.heads.map((head, h) => {
      const flags = classifyDiff(head, request.other!.mask.heads[h], view, size);
      painter.setLayer(h, flags);
      return flags.reduce((n, f) => n + (f === 1 || f === 2 ? 1 : 0), 0);
    });
    return 'cpu';
  }

  private style(request: FigureRequest): LayerStyle {
    if (request.kind === 'diff') return { kind: 'flags', colours: diffColours() };
    if (request.kind === 'mask') {
      const on = cssColor('--vscode-charts-blue', '#3794ff');
      return { kind: 'counts', on, off: cssColor('--vscode-editor-background', '#1e1e1e'), total: 1 };
    }
    const background = cssColor('--vscode-editor-background', '#1e1e1e');
    return { kind: 'weights', log: request.scale === 'log', threshold: request.threshold, background, belowThreshold: BELOW_THRESHOLD };
  }

  /** What each map shows: its layer (or the union of all), caption, screen-reader label and style. */
  private entries(request: FigureRequest): Array<{ layer: number | 'all'; caption: string; label: string; style: LayerStyle }> {
    const { kind, n } = request;
    const style = this.style(request);
    const other = request.other?.name;
    const entries = Array.from({ length: request.heads }, (_, h) =>
      kind === 'diff'
        ? { layer: h, caption: `head ${h} vs ${other}`, label: `Head ${h} against ${other}: ${this.differ[h]} pixels differ`, style }
        : kind === 'weights'
          ? { layer: h, caption: `head ${h}`, label: `Head ${h} attention weights (${request.scale} scale); masked cells show the background`, style }
          : { layer: h, caption: `head ${h}`, label: `Head ${h} mask: ${request.nnz[h]} allowed cells of ${n * n}`, style },
    );
    const all = 'all' as const;
    if (kind === 'weights') return [...entries, { layer: all, caption: 'max over heads', label: 'Largest weight over heads', style }];
    if (kind === 'diff') return entries;
    const union = { ...(style as Extract<LayerStyle, { kind: 'counts' }>), total: request.heads };
    const label = `Union of ${request.heads} heads: ${request.unionNnz} allowed cells; darker where more heads attend`;
    return [...entries, { layer: all, caption: 'union', label, style: union }];
  }

  private paint(request: FigureRequest, only?: number): MapFigure[] {
    return this.entries(request)
      .filter(({ layer }) => only === undefined || figureHead(layer) === only)
      .map((entry) => {
        const figure = this.blankFigure(entry);
        this.painter.paint(figure.canvas, entry.layer, entry.style);
        return figure;
      });
  }

  /** The maps' colours cell by cell for an SVG (needs the canvas painter, which keeps values on the CPU). */
  svgMaps(request: FigureRequest, size: number): SvgMap[] {
    const painter = this.painter;
    if (!(painter instanceof CanvasPainter)) throw new Error('SVG maps need the canvas painter');
    this.fill(request, size);
    return this.entries(request).map(({ layer, caption, style }) => ({ caption, colours: painter.colours(layer, style) }));
  }
}

/** The head a figure shows: -1 for the union (or the max over heads). */
function figureHead(layer: number | 'all'): number {
  return layer === 'all' ? -1 : layer;
}

function sameView(a: Viewport, b: Viewport): boolean {
  return a.row === b.row && a.col === b.col && a.span === b.span;
}
