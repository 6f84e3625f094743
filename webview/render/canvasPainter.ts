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
   * Same colours as colourOf, one 32-bit write per pixel: weights index a packed palette, counts and
   * flags (small integers) a packed table filled on first use. Nine 256² maps paint in a few ms.
   */
  paint(target: HTMLCanvasElement, layer: number | 'all', style: LayerStyle): void {
    const size = this.size;
    target.width = size;
    target.height = size;
    const ctx = target.getContext('2d')!;
    const image = ctx.createImageData(size, size);
    const pixels = new Uint32Array(image.data.buffer);
    const sources = layer === 'all' ? this.values : [this.values[layer]];
    const single = sources.length === 1 ? sources[0] : undefined;
    if (style.kind === 'weights') {
      const background = pack(style.background);
      const below = pack(style.belowThreshold);
      for (let p = 0; p < pixels.length; p++) {
        const value = single ? single[p] : combine(sources, p, style);
        pixels[p] = value < 0 ? background : value < style.threshold ? below : PACKED_VIRIDIS[paletteIndex(value, style.log)];
      }
    } else {
      const table: number[] = [];
      for (let p = 0; p < pixels.length; p++) {
        const value = single ? single[p] : combine(sources, p, style);
        pixels[p] = table[value] ?? (table[value] = pack(colourOf(value, style)));
      }
    }
    ctx.putImageData(image, 0, 0);
  }
}

const scratch = new Uint8ClampedArray(4);
const scratchWord = new Uint32Array(scratch.buffer);

/** RGB as one opaque RGBA word in the platform's byte order, rounded as ImageData's clamped bytes round. */
function pack(rgb: ArrayLike<number>): number {
  scratch[0] = rgb[0];
  scratch[1] = rgb[1];
  scratch[2] = rgb[2];
  scratch[3] = 255;
  return scratchWord[0];
}

const PACKED_VIRIDIS = Uint32Array.from({ length: 256 }, (_, v) => pack([VIRIDIS[3 * v], VIRIDIS[3 * v + 1], VIRIDIS[3 * v + 2]]));
