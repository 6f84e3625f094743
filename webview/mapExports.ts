/**
 * The whole-matrix exports of what the maps show (masks, weights or the difference): a PNG at a
 * chosen resolution, painted like the screen, and an SVG for papers, cell by cell up to SVG_CELLS
 * positions and max-pooled blocks beyond, with masked cells left empty.
 */
import { formatBytes, gridSvg, pooledNote, type PatternConfig } from '../src/core';
import { composePng, type PngFooter } from './compose';
import { FigureRequest, MapFigures } from './mapFigures';
import { CanvasPainter } from './render/canvasPainter';
import type { MapPainter } from './render/painter';

/** SVG cells a side: a weight map has a colour per cell, so its SVG grows with the square of this. */
const SVG_CELLS = 128;

/** Pooled values a full-map export may hold at once (size² × heads × 4 bytes). */
const FULL_EXPORT_BYTES = 256 * 1024 * 1024;

function needMaps(config: PatternConfig | undefined): PatternConfig {
  if (!config) throw new Error('there are no maps to export (fix the configuration first)');
  return config;
}

/** Pixels a side for a full-map PNG, or an error naming a resolution that fits in memory. */
export function fullPngSize(config: PatternConfig | undefined, resolution: number): number {
  const { n, heads } = needMaps(config);
  const size = Math.min(resolution, n);
  const bytes = size * size * heads * 4;
  if (bytes > FULL_EXPORT_BYTES) {
    const fits = Math.max(...[256, 512, 1024, 2048, 4096].filter((r) => r * r * heads * 4 <= FULL_EXPORT_BYTES), 256);
    throw new Error(`${heads} heads at ${size} px need ${formatBytes(bytes)} of pooled values: choose ${fits} px or less`);
  }
  return size;
}

export function fullSvgSize(config: PatternConfig | undefined): number {
  return Math.min(needMaps(config).n, SVG_CELLS);
}

/** Painted by the screen's painter, in a square-ish grid of maps. */
export function fullMapPng(painter: MapPainter, request: FigureRequest, size: number, footer?: PngFooter): string {
  const figures = new MapFigures(painter).draw(request, size);
  return composePng(figures, Math.ceil(Math.sqrt(figures.length)), footer);
}

/** Coloured on the CPU (its own canvas painter), so the values never leave for the GPU. */
export function fullMapSvg(config: PatternConfig, request: FigureRequest, size: number): string {
  const maps = new MapFigures(new CanvasPainter()).svgMaps(request, size);
  const n = request.n;
  const what = request.kind === 'weights' ? `attention weights, ${request.scale} scale` : request.kind === 'diff' ? `difference against ${request.other!.name}` : 'masks';
  return gridSvg(maps, size, `${config.pattern} n=${n}, ${request.heads} heads: ${what}${pooledNote(size, n)}`);
}
