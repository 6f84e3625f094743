/**
 * The canvas painter: colours pooled values with ImageData on the CPU. It is the fallback when
 * WebGL2 is missing or turned off, and the reference the GPU painter is tested against.
 */
import type { SparseProbs } from '../../src/core';
import { LayerStyle, MapPainter, paletteIndex, Rgb, VIRIDIS } from './painter';

/** The combined value of a pixel over layers: the sum for counts, the max for weights. */
function combine(layers: Float32Array[], p: number, style: LayerStyle): number {
  let value = style.kind === 'weights' ? -1 : 0;
  for (const layer of layers) value = style.kind === 'weights' ? Math.max(value, layer[p]) : value + layer[p];
  return value;
}

export function colourOf(value: number, style: LayerStyle): Rgb {
  if (style.kind === 'counts') {
    const t = value === 0 ? 0 : 0.35 + (0.65 * value) / style.total;
    return [0, 1, 2].map((ch) => style.off[ch] + (style.on[ch] - style.off[ch]) * t) as Rgb;
  }
  if (style.kind === 'flags') return style.colours[value as 0 | 1 | 2 | 3];
  if (value < 0) return style.background;
  if (value < style.threshold) return style.belowThreshold;
  const v = paletteIndex(value, style.log) * 3;
  return [VIRIDIS[v], VIRIDIS[v + 1], VIRIDIS[v + 2]];
}

/** Nothing allowed under the pixel: no head (counts), neither pattern (flags), masked (weights). */
function isEmpty(value: number, style: LayerStyle): boolean {
  return style.kind === 'weights' ? value < 0 : value === 0;
}

export class CanvasPainter implements MapPainter {
  readonly name = 'canvas2d';
  readonly lost = false;
  private size = 0;
  private values: Float32Array[] = [];

  layers(size: number, count: number): void {
    this.size = size;
    this.values = Array.from({ length: count }, () => new Float32Array(size * size));
  }

  setLayer(layer: number, values: Float32Array): void {
    this.values[layer] = values;
  }

  poolWeights(): boolean {
    return false;
  }

  useProbs(_probs: SparseProbs[] | undefined): boolean {
    return false;
  }

  /** The layer's (or the union's) colours as CSS hex, undefined where nothing is allowed: for SVG. */
  colours(layer: number | 'all', style: LayerStyle): Array<string | undefined> {
    const sources = layer === 'all' ? this.values : [this.values[layer]];
    const hex = (v: number) => Math.round(v).toString(16).padStart(2, '0');
    return Array.from({ length: this.size * this.size }, (_, p) => {
      const value = combine(sources, p, style);
      return isEmpty(value, style) ? undefined : `#${colourOf(value, style).map(hex).join('')}`;
    });
  }

  /**
   * Same colours as colourOf, without an array per pixel: weights index the palette directly,
   * counts and flags look their few distinct values up in a small table.
   */
  paint(target: HTMLCanvasElement, layer: number | 'all', style: LayerStyle): void {
    const size = this.size;
    target.width = size;
    target.height = size;
    const ctx = target.getContext('2d')!;
    const image = ctx.createImageData(size, size);
    const data = image.data;
    const sources = layer === 'all' ? this.values : [this.values[layer]];
    const table = new Map<number, Rgb>();
    for (let p = 0; p < size * size; p++) {
      const value = sources.length === 1 ? sources[0][p] : combine(sources, p, style);
      const o = 4 * p;
      let rgb: ArrayLike<number>;
      let at = 0;
      if (style.kind !== 'weights') {
        rgb = table.get(value) ?? table.set(value, colourOf(value, style)).get(value)!;
      } else if (value < 0) rgb = style.background;
      else if (value < style.threshold) rgb = style.belowThreshold;
      else {
        rgb = VIRIDIS;
        at = paletteIndex(value, style.log) * 3;
      }
      data[o] = rgb[at];
      data[o + 1] = rgb[at + 1];
      data[o + 2] = rgb[at + 2];
      data[o + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }
}
