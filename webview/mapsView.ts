/**
 * The map grid: per-head masks, or attention weights with the mask overlaid once computed. All maps
 * share one viewport: Ctrl/Cmd+wheel or a pinch (or + and -) zooms at the cell under the pointer, dragging (or
 * Shift+arrows) pans, 0 resets. Hover (mouse or arrow keys) tells the cell, its tokens, its weight
 * and which set allows it; a click or Enter opens the row view with the row's top keys.
 */
import type { PatternConfig, PatternMask, PatternName } from '../src/core';
import type { Sequence } from '../src/protocol';
import type { MapRendererSetting, MapsSummary } from '../src/protocol';
import { comparedMask } from './diffMaps';
import { legend, legendEntries, weightsSource } from './legend';
import { mapAxes } from './mapAxes';
import { describeConfig } from './fields';
import { composePng, type PngFooter } from './compose';
import { MapControls, type MapKind } from './mapControls';
import { fullMapPng, fullMapSvg, fullPngSize, fullSvgSize } from './mapExports';
import { FigureKind, FigureRequest, MapFigures } from './mapFigures';
import { fullView, MAP_CSS_PIXELS, MapFigure, mapPixels, sizeCanvas, Viewport } from './maps';
import { choosePainter } from './render/choosePainter';
import type { WeightSource } from './weightSource';
import type { PatternWorker } from './compute/patternWorker';
import type { MaskPooling } from './compute/workerProtocol';
import { RowView } from './rowView';
import { describeView, panBy, zoomAt } from './viewport';
import { MapReadout, PooledLayers, viewKey } from './mapReadout';


interface Current {
  config: PatternConfig;
  /** Built on first use when the pattern worker holds the mask (large n): only exports, diffs and port hovers need it here. */
  readonly mask: PatternMask;
  /** The worker that built the mask and pools it per viewport. */
  patternWorker: PatternWorker;
  nnz: number[];
  unionNnz: number;
  sequence?: Sequence;
  /** The attention weights, once computed: stored, or pooled per viewport by the worker. */
  weights?: WeightSource;
}

export class MapsView {
  readonly element = document.createElement('section');
  private readonly grid = document.createElement('div');
  private readonly controls = new MapControls(
    () => this.draw(),
    () => this.setView(fullView(this.current?.config.n ?? 1)),
  );
  /** The cell under the pointer or the keyboard cursor: a readout that follows it over the maps. */
  private readonly readout = new MapReadout(this.element);
  /** Who painted the maps and how long it took: for the panel's quiet status line. */
  get rendererLabel(): HTMLElement {
    return this.controls.rendererLabel;
  }
  /** What the maps are waiting for, or why they show what they show. */
  readonly mapsNote = document.createElement('p');
  readonly rowView = new RowView((i) => MapReadout.token(this.current, i));
  /** CSS pixels a side of the maps last drawn. */
  private drawnCss = MAP_CSS_PIXELS;
  private readonly legendElement = document.createElement('div');
  private current?: Current;
  private cursor = { h: 0, i: 0, j: 0 };
  private view: Viewport = fullView(1);
  private readonly figures = new MapFigures(choosePainter('auto').painter);
  private rendererNote: string | undefined;
  private rendererSetting: MapRendererSetting = 'auto';
  /** Weights the attention worker pooled for the view (past the transfer limit). */
  private readonly weightLayers = new PooledLayers(
    () => this.draw(),
    (message) => (this.mapsNote.textContent = `The attention weights of this view could not be computed: ${message}`),
  );
  /** Masks the pattern worker pooled for the view; only maps that wait for them redraw (weights may have come first). */
  private readonly maskLayers = new PooledLayers(
    () => this.grid.dataset.pending === 'masks' && this.draw(),
    (message) => (this.mapsNote.textContent = `The masks of this view could not be pooled: ${message}`),
  );
  /** Counts draws: a slow paint that a newer draw replaced reports nothing. */
  private drawGeneration = 0;
  private compared: { current: Current; value: string; result?: { mask: PatternMask; name: string } } | undefined;
  /** The user's own mask (their Python function's or file's), compared in the difference view. */
  private userMask?: { name: string; mask: PatternMask };
  /** A press on a map: a drag pans, a press without movement is a click (the row view). */
  private drag?: { x: number; y: number; view: Viewport; moved: boolean; cellsPerCss: number };

  /** `onDrawn`: told after every draw what the maps now show. */
  constructor(private readonly onDrawn: (maps: MapsSummary) => void = () => {}) {
    this.element.className = 'maps-view';
    this.element.ariaLabel = 'Per-head maps';
    this.grid.className = 'maps';
    this.mapsNote.className = 'maps-note';
    this.mapsNote.setAttribute('aria-live', 'polite');
    // A focused map takes the panel's width: follow it when the panel is resized.
    new ResizeObserver(() => {
      if (this.controls.focus !== undefined && this.mapCssPixels() !== this.drawnCss) this.draw();
    }).observe(this.element);
    this.legendElement.className = 'legend';
    this.element.append(this.controls.element, this.mapsNote, this.grid, this.legendElement, this.readout.element, this.rowView.element);
  }

  /** A focused map takes the panel's width (256 to 768 CSS pixels); the grid of heads 256 each. */
  private mapCssPixels(): number {
    if (this.controls.focus === undefined) return MAP_CSS_PIXELS;
    return Math.max(MAP_CSS_PIXELS, Math.min(768, Math.floor((this.element.clientWidth - 16) / 32) * 32));
  }

  /** The user's map renderer setting; the maps are repainted by the chosen painter. */
  setRenderer(setting: MapRendererSetting): void {
    this.rendererSetting = setting;
    const { painter, note } = choosePainter(setting);
    this.rendererNote = note;
    if (painter === this.figures.painter) return;
    this.figures.painter = painter;
    this.draw();
  }

  get kind(): MapKind {
    return this.controls.kind;
  }

  /**
   * New config: masks now; weights arrive with setWeights. `mask` may be a function that builds it
   * (`patternWorker` pools the maps; the page builds the mask only if a feature asks).
   */
  show(config: PatternConfig, mask: PatternMask | (() => PatternMask), nnz: number[], unionNnz: number, sequence: Sequence | undefined, patternWorker: PatternWorker): void {
    const sameSize = this.current?.config.n === config.n;
    let built = typeof mask === 'function' ? undefined : mask;
    this.current?.patternWorker?.dispose();
    this.current = {
      config,
      get mask() {
        return (built ??= (mask as () => PatternMask)());
      },
      nnz,
      unionNnz,
      sequence,
      patternWorker,
    };
    this.weightLayers.reset();
    this.maskLayers.reset();
    this.cursor = { h: 0, i: 0, j: 0 };
    if (!sameSize) this.view = fullView(config.n);
    this.controls.setConfig(config, config.heads);
    this.rowView.clear();
    this.readout.clear();
    this.mapsNote.textContent = '';
    this.draw();
  }

  /** The config changed and its maps are not ready: the old ones stay, greyed, with `reason` (never shown as current). */
  markStale(reason: string): void {
    this.grid.dataset.stale = 'true';
    this.grid.title = reason;
    this.mapsNote.textContent = reason;
  }

  setWeights(config: PatternConfig, weights: WeightSource): void {
    if (!this.current || this.current.config !== config) return;
    this.current.weights = weights;
    this.weightLayers.reset();
    this.controls.showWeights();
    this.draw();
  }

  /** The weights of the view pooled by their source, or undefined while it pools them (the masks stand in). */
  private layersForView(current: Current, size: number): Float32Array[] | undefined {
    const weights = current.weights;
    if (!weights) return undefined;
    const key = viewKey(this.view, size);
    return this.weightLayers.get(key, this.view, size, () =>
      weights.pool(this.view, size, (fraction) => {
        if (this.weightLayers.waitsFor(key)) this.mapsNote.textContent = `Showing masks while the attention weights of this view are computed: ${Math.round(fraction * 100)}%…`;
      }),
    );
  }

  /** The pattern worker's pooled masks of the view, or undefined while it pools them. */
  private maskLayersForView(current: Current, size: number, pooling: MaskPooling): Float32Array[] | undefined {
    const worker = current.patternWorker;
    return this.maskLayers.get(`${viewKey(this.view, size)}/${pooling}`, this.view, size, () => worker.poolMask(this.view, size, pooling));
  }

  private draw(): void {
    const current = this.current;
    if (!current) return;
    // A lost WebGL context: choose again (a new context, or the canvas painter with the reason).
    if (this.figures.painter.lost) return this.setRenderer(this.rendererSetting);
    const css = this.mapCssPixels();
    const size = mapPixels(this.view.span, css);
    this.drawnCss = css;
    // Painters pool stored weights themselves (on the GPU where they can); other sources pool per view.
    const csr = current.weights?.csr;
    const layers = this.kind === 'weights' && !csr ? this.layersForView(current, size) : undefined;
    const weights = this.kind === 'weights' && (csr || layers);
    this.controls.weightsShown = !!weights;
    if (this.kind === 'weights' && !weights) {
      this.mapsNote.textContent = current.weights ? 'Showing masks while the attention weights of this view are computed…' : 'Showing masks: attention weights appear when computed.';
    } else if (this.mapsNote.textContent?.startsWith('Showing masks')) this.mapsNote.textContent = '';
    this.controls.viewLabel.textContent = describeView(this.view, current.config.n);
    const other = this.comparison(current);
    const kind = other ? 'diff' : weights ? 'weights' : 'mask';
    const scale = this.controls.scale;
    const focus = this.controls.focus;
    // The pattern worker pools the masks; the maps wait for its answer (the UI never does).
    const pooling = this.controls.maskPooling(this.view.span / size);
    const remoteMasks = kind === 'mask' ? this.maskLayersForView(current, size, pooling) : undefined;
    if (kind === 'mask' && !remoteMasks) {
      this.grid.dataset.pending = 'masks';
      return;
    }
    delete this.grid.dataset.pending;
    delete this.grid.dataset.stale;
    this.grid.removeAttribute('title');
    const request: FigureRequest = {
      kind,
      n: current.config.n,
      heads: current.config.heads,
      mask: kind === 'diff' ? current.mask : undefined,
      maskLayers: remoteMasks,
      nnz: current.nnz,
      unionNnz: current.unionNnz,
      probs: csr,
      other,
      layers,
      view: this.view,
      scale,
      threshold: this.controls.thresholdValue(),
    };
    const { figures, painted } = this.figures.drawInSlices(request, size, kind === 'diff' && focus === -1 ? undefined : focus);
    const generation = ++this.drawGeneration;
    this.grid.dataset.painting = 'true';
    const poolingNote = kind === 'mask' && this.view.span > size ? (remoteMasks && pooling === 'share' ? 'share' : 'any') : undefined;
    this.legendElement.replaceChildren(...legend(kind, this.controls.scale, other?.name, this.controls.thresholdValue(), weightsSource(current.sequence), poolingNote));
    // The maps are replaced (zoom, or weights arriving later): the focused one keeps the focus.
    const active = document.activeElement as HTMLElement | null;
    const focused = active && this.grid.contains(active) ? active.dataset.head : undefined;
    this.grid.replaceChildren(...figures.map((f) => this.mapElement(f, css)));
    if (focused !== undefined) this.grid.querySelector<HTMLElement>(`canvas[data-head="${focused}"]`)?.focus();
    painted.then(
      () => {
        if (generation !== this.drawGeneration) return;
        delete this.grid.dataset.painting;
        this.grid.dataset.kind = kind;
        const { renderer, pooledOn, poolMs, paintMs } = this.figures.timings;
        Object.assign(this.grid.dataset, { renderer, pooledOn });
        const pooled = pooledOn === 'cached' ? 'pooling reused' : pooledOn === 'worker' ? `${kind === 'weights' ? 'weights pooled in the attention worker' : 'masks pooled in the pattern worker'}` : `pooled on the ${pooledOn.toUpperCase()} in ${poolMs.toFixed(0)} ms`;
        this.controls.rendererLabel.textContent = `${renderer === 'webgl2' ? 'WebGL2' : 'canvas'}: ${pooled}, painted in ${paintMs.toFixed(0)} ms${this.rendererNote ? ` (${this.rendererNote})` : ''}`;
        this.onDrawn({ n: current.config.n, kind, renderer, pooledOn, span: this.view.span, ...(other ? { compared: other.name } : {}) });
      },
      // An export took the painter's layers while these maps were painted: paint them again.
      () => generation === this.drawGeneration && this.draw(),
    );
  }

  /** One map on the page: its canvas at `css` pixels a side with the pointer and keyboard wired, and its caption. */
  private mapElement(f: MapFigure, css: number): HTMLElement {
    const { canvas, head } = f;
    const n = this.current!.config.n;
    sizeCanvas(canvas, css);
    canvas.tabIndex = 0;
    canvas.dataset.head = String(head);
    // Position inside the content box (the border is not part of the map).
    const local = (e: MouseEvent): [number, number] => {
      const rect = canvas.getBoundingClientRect();
      return [e.clientX - rect.left - canvas.clientLeft, e.clientY - rect.top - canvas.clientTop];
    };
    canvas.addEventListener('mousemove', (e) => {
      if (this.drag && e.buttons & 1) return;
      this.hoverAt(canvas, head, ...local(e));
      this.readout.placeAt(e.clientX, e.clientY);
    });
    canvas.addEventListener('mouseleave', () => this.readout.hide());
    canvas.addEventListener('mousedown', (e) => this.startDrag(canvas, e));
    // As in VS Code's image preview: the wheel scrolls the panel; Ctrl/Cmd+wheel (and a pinch,
    // which Chromium reports as Ctrl+wheel) zooms at the pointed cell.
    canvas.addEventListener('wheel', (e) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      const { i0, j0 } = this.cellsAt(canvas, ...local(e));
      this.setView(zoomAt(this.view, n, i0, j0, e.deltaY < 0 ? 2 : 0.5));
    });
    canvas.addEventListener('click', () => {
      const moved = this.drag?.moved;
      this.drag = undefined;
      if (!moved) this.openRow(head);
    });
    canvas.addEventListener('keydown', (e) => {
      this.onKey(e, head);
      this.readout.placeAtCell(canvas, this.view, this.cursor.i, this.cursor.j);
    });
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent = f.caption;
    // Zoomed in far enough: positions (and tokens) along the edges.
    const axes = mapAxes(this.view, css, this.current!.sequence?.tokens);
    if (axes) {
      figure.classList.add('with-axes');
      figure.append(axes.top, axes.left);
    }
    figure.append(canvas, caption);
    return figure;
  }

  /** The maps side by side, exactly their pixels, with a footer saying what they show: the PNG export. */
  toPng(): string {
    const figures = Array.from(this.grid.querySelectorAll('figure')).map((f) => ({
      canvas: f.querySelector('canvas')!,
      caption: f.querySelector('figcaption')?.textContent ?? '',
    }));
    return composePng(figures, figures.length, this.pngFooter(this.view));
  }

  /** The exported PNG's footer: the config, the colours, the view and where the weights come from. */
  private pngFooter(view: Viewport, pixels = mapPixels(view.span, this.drawnCss)): PngFooter {
    const current = this.current!;
    const kind = (this.grid.dataset.kind ?? 'mask') as FigureKind;
    const other = kind === 'diff' ? this.comparison(current)?.name : undefined;
    const cells = Math.ceil(view.span / pixels);
    const share = kind === 'mask' && this.controls.maskPooling(view.span / pixels) === 'share';
    const pooled = view.span <= pixels ? '' : share ? `; each pixel shows the share of allowed cells among the ${cells}² under it` : `; max-pooled: each pixel shows the largest value of the ${cells}² cells under it`;
    const lines = [describeConfig(current.config), `${describeView(view, current.config.n)}${pooled}`];
    if (kind === 'weights') lines.push(weightsSource(current.sequence));
    return { lines, legend: legendEntries(kind, this.controls.scale, other, this.controls.thresholdValue(), view.span > pixels ? (share ? 'share' : 'any') : undefined) };
  }

  /** What the panel shows now, over the whole matrix at `size` pixels a side (for the exports). */
  private async wholeMatrix(size: number): Promise<FigureRequest> {
    const current = this.current!;
    const kind = (this.grid.dataset.kind ?? 'mask') as FigureKind;
    const view = fullView(current.config.n);
    const csr = current.weights?.csr;
    const layers = kind === 'weights' && !csr ? await current.weights!.pool(view, size, undefined, 'export') : undefined;
    const maskLayers = kind === 'mask' ? await current.patternWorker.poolMask(view, size, this.controls.maskPooling(view.span / size)) : undefined;
    const other = kind === 'diff' ? this.comparison(current) : undefined;
    const { config, nnz, unionNnz } = current;
    const mask = kind === 'diff' ? current.mask : undefined;
    return { kind, n: config.n, heads: config.heads, mask, maskLayers, nnz, unionNnz, probs: csr, other, layers, view, scale: this.controls.scale, threshold: this.controls.thresholdValue() };
  }

  /** Every head's whole map as shown, `resolution` pixels a side each: the full-map PNG export. */
  async fullPng(resolution: number): Promise<string> {
    const size = fullPngSize(this.current?.config, resolution);
    return fullMapPng(this.figures.painter, await this.wholeMatrix(size), size, this.pngFooter(fullView(this.current!.config.n), size));
  }

  /** Every head's whole map as shown, as SVG (exact cells up to 128 positions, blocks beyond). */
  async fullSvg(): Promise<string> {
    const size = fullSvgSize(this.current?.config);
    return fullMapSvg(this.current!.config, await this.wholeMatrix(size), size);
  }

  /** What the difference view compares with: another preset, or one head repeated for every head. */
  private comparison(current: Current): { mask: PatternMask; name: string } | undefined {
    const value = this.controls.comparison;
    if (!value) return undefined;
    // Built once per pattern and choice: draws (threshold, drag) reuse it, and so does the pooling cache.
    if (this.compared?.current !== current || this.compared.value !== value) {
      const k = value.startsWith('head:') ? Number(value.slice(5)) : -1;
      const user = value.startsWith('mask:') ? this.userMask : undefined;
      const mask = user ? this.userMaskFor(current, user.mask) : k >= 0 ? { ...current.mask, heads: current.mask.heads.map(() => current.mask.heads[k]) } : comparedMask(current.config, value as PatternName);
      this.compared = { current, value, result: mask && { mask, name: user ? user.name : k >= 0 ? `head ${k}` : value } };
    }
    if (!this.compared.result) {
      this.mapsNote.textContent = value.startsWith('mask:')
        ? `your mask ${this.userMask?.name} is for n = ${this.userMask?.mask.n}, ${this.userMask?.mask.heads.length} heads: set the config to match to compare`
        : `${value} does not take this config's parameters: nothing to compare`;
    }
    return this.compared.result;
  }

  /** The user's mask for the current config: one head repeated for every head; undefined when n or heads differ. */
  private userMaskFor(current: Current, mask: PatternMask): PatternMask | undefined {
    const heads = current.config.heads;
    const distinct = new Set(mask.heads).size;
    if (mask.n !== current.config.n || (distinct > 1 && mask.heads.length !== heads)) return undefined;
    return { ...mask, heads: Array.from({ length: heads }, (_, h) => mask.heads[distinct === 1 ? 0 : h]) };
  }

  /** Shows the user's mask against the pattern (the difference view). */
  compareWithMask(name: string, mask: PatternMask): void {
    this.userMask = { name, mask };
    this.compared = undefined;
    this.controls.compareWithUserMask(name, this.current?.config);
    if (this.current) this.draw();
  }

  /** Follows the pointer on the window, so a drag may leave the map (which is redrawn meanwhile). */
  private startDrag(canvas: HTMLCanvasElement, e: MouseEvent): void {
    const drag = { x: e.clientX, y: e.clientY, view: this.view, moved: false, cellsPerCss: this.view.span / canvas.clientWidth };
    this.drag = drag;
    const onMove = (ev: MouseEvent) => {
      if (Math.hypot(ev.clientX - drag.x, ev.clientY - drag.y) <= 3) return;
      drag.moved = true;
      const n = this.current!.config.n;
      this.setView(panBy(drag.view, n, -(ev.clientY - drag.y) * drag.cellsPerCss, -(ev.clientX - drag.x) * drag.cellsPerCss));
    };
    window.addEventListener('mousemove', onMove);
    window.addEventListener('mouseup', () => window.removeEventListener('mousemove', onMove), { once: true });
  }

  private setView(view: Viewport): void {
    if (view.row === this.view.row && view.col === this.view.col && view.span === this.view.span) return;
    this.view = view;
    this.draw();
  }

  /** Pixel to the cells of the viewport it covers (one cell when the viewport fits the canvas). */
  private cellsAt(canvas: HTMLCanvasElement, x: number, y: number): { i0: number; i1: number; j0: number; j1: number; px: number; py: number } {
    const { row, col, span } = this.view;
    const size = canvas.width;
    const px = Math.min(size - 1, Math.max(0, Math.floor((x / canvas.clientWidth) * size)));
    const py = Math.min(size - 1, Math.max(0, Math.floor((y / canvas.clientHeight) * size)));
    const range = (p: number) => [Math.ceil((p * span) / size), Math.ceil(((p + 1) * span) / size)];
    const [i0, i1] = range(py);
    const [j0, j1] = range(px);
    return { i0: row + i0, i1: row + i1, j0: col + j0, j1: col + j1, px, py };
  }

  private hoverAt(canvas: HTMLCanvasElement, head: number, x: number, y: number): void {
    const cells = this.cellsAt(canvas, x, y);
    if (cells.i1 - cells.i0 === 1 && cells.j1 - cells.j0 === 1) return this.describe(head, cells.i0, cells.j0);
    const size = canvas.width;
    this.readout.pixel(this.current!, this.weightLayers.shown, viewKey(this.view, size), head, cells, cells.py * size + cells.px, size);
  }

  describe(head: number, i: number, j: number): void {
    this.cursor = { h: Math.max(0, head), i, j };
    this.readout.cell(this.current!, this.weightLayers.shown, head, i, j);
  }

  private onKey(e: KeyboardEvent, head: number): void {
    const n = this.current!.config.n;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key] && e.shiftKey) {
      e.preventDefault();
      const step = Math.max(1, Math.round(this.view.span / 4));
      this.setView(panBy(this.view, n, moves[e.key][0] * step, moves[e.key][1] * step));
    } else if (e.key === '+' || e.key === '=' || e.key === '-') {
      e.preventDefault();
      this.setView(zoomAt(this.view, n, this.cursor.i, this.cursor.j, e.key === '-' ? 0.5 : 2));
      this.describe(head, this.cursor.i, this.cursor.j);
    } else if (e.key === '0') {
      this.setView(fullView(n));
    } else if (moves[e.key]) {
      e.preventDefault();
      const [di, dj] = moves[e.key];
      const i = Math.min(n - 1, Math.max(0, this.cursor.i + di));
      const j = Math.min(n - 1, Math.max(0, this.cursor.j + dj));
      this.describe(head, i, j);
    } else if (e.key === 'Enter') this.openRow(head);
    else if (e.key === 'f') {
      // Focus this map, or go back to all heads.
      this.controls.focus = this.controls.focus === undefined ? head : undefined;
      this.draw();
    }
  }

  /** The row view for the cursor's query row. */
  openRow(head: number): void {
    const current = this.current!;
    this.rowView.show(current, Math.max(0, head), this.cursor.i);
  }
}
