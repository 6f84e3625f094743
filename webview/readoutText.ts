/**
 * What the hover readout says, as pure functions (no DOM, tested in Node): a cell's verdict and
 * weight for every head, or what a max-pooled pixel holds.
 */
import { explainCell, explainedByDefinition, type PatternConfig, type PatternMask, type PoolView as Viewport } from '../src/core';
import type { Sequence } from '../src/protocol';
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

export interface PixelCells {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

/** ` “token”` for position i when the sequence has one. */
export function tokenLabel(source: { sequence?: Sequence } | undefined, i: number): string {
  const t = source?.sequence?.tokens[i];
  return t === undefined ? '' : ` “${t}”`;
}

/** One cell: every head's (or, head >= 0, one head's) verdict and weight. */
export function cellText(source: ReadoutSource, layers: ViewLayers | undefined, head: number, i: number, j: number): string {
  const heads = head < 0 ? Array.from({ length: source.config.heads }, (_, h) => h) : [head];
  const parts = heads.map((h) => {
    // The fixed family is explained from its definition; other presets ask the mask.
    const reason = explainCell(source.config, h, i, j, explainedByDefinition(source.config) ? undefined : source.mask);
    const w = weightOf(source, layers, h, i, j);
    const weight = w === undefined ? '' : `, weight ${w.toPrecision(3)}`;
    return `head ${h}: ${reason === 'masked' ? 'masked' : `allowed by ${reason}`}${weight}`;
  });
  return `query i=${i}${tokenLabel(source, i)} → key j=${j}${tokenLabel(source, j)}: ${parts.join('; ')}`;
}

/** A pixel covering rows [i0, i1) and columns [j0, j1): the largest weight under it, if known. */
export function pixelText(source: ReadoutSource, layers: ViewLayers | undefined, key: string, head: number, cells: PixelCells, pixel: number, size: number): string {
  const { i0, i1, j0, j1 } = cells;
  const w = pooledWeight(source, layers, key, head, cells, pixel, size);
  const weight = w === undefined ? '' : w < 0 ? '; every cell under it is masked' : `; largest weight under it ${w.toPrecision(3)}`;
  return `rows ${i0}–${i1 - 1}, columns ${j0}–${j1 - 1} share this pixel (max-pooled)${weight}; zoom in for single cells`;
}

/** The largest weight of the head's (or, for -1, any head's) cells under a pixel; -1 if all are masked. */
function pooledWeight(source: ReadoutSource, layers: ViewLayers | undefined, key: string, head: number, cells: PixelCells, pixel: number, size: number): number | undefined {
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
