/**
 * What draws the maps. Every map is a square of pixels, each holding one pooled value per layer
 * (one layer per head); a style turns values into colours. Two painters share this contract: the
 * WebGL2 one (pools attention weights and colours every map in shaders) and the canvas one (the
 * reference, used when WebGL2 is unavailable or the user turns it off).
 */
import type { SparseProbs } from '../../src/core';
import type { Viewport } from '../maps';

export type Rgb = [number, number, number];

export type LayerStyle =
  /** Layer values are head counts per pixel (0 or 1 per head); the union sums the layers. */
  | { kind: 'counts'; on: Rgb; off: Rgb; total: number }
  /** Layer values are 0 (neither), 1 (only ours), 2 (only theirs), 3 (both). */
  | { kind: 'flags'; colours: [Rgb, Rgb, Rgb, Rgb] }
  /** Layer values are max-pooled weights, -1 where the mask allows no cell; the union takes the max. */
  | { kind: 'weights'; log: boolean; threshold: number; background: Rgb; belowThreshold: Rgb };

export interface MapPainter {
  readonly name: 'webgl2' | 'canvas2d';
  /** True once the GPU context is gone (driver reset, too many contexts): choose a painter again. */
  readonly lost: boolean;
  /** Makes room for `count` layers of size×size values (kept when unchanged). */
  layers(size: number, count: number): void;
  setLayer(layer: number, values: Float32Array): void;
  /**
   * Max-pools head `head`'s probabilities over the view into `layer` where the painter can (the
   * GPU one, once `useProbs` accepted them); false means the caller pools on the CPU instead.
   */
  poolWeights(layer: number, head: number, view: Viewport): boolean;
  /** Hands the painter the probabilities it may pool from; false when it cannot hold them. */
  useProbs(probs: SparseProbs[] | undefined): boolean;
  /** Colours one layer, or all of them combined (the union), into the canvas's pixels (size×size; CSS size is the caller's). */
  paint(target: HTMLCanvasElement, layer: number | 'all', style: LayerStyle): void;
}

/** The same arithmetic in both painters: palette index of a weight, log spanning 1e-4 .. 1. */
export function paletteIndex(weight: number, log: boolean): number {
  const t = log ? (Math.log10(Math.max(weight, 1e-4)) + 4) / 4 : weight;
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

/** Viridis anchors (matplotlib), interpolated to 256 entries. */
const ANCHORS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];
export const VIRIDIS: Uint8ClampedArray = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let v = 0; v < 256; v++) {
    const x = (v / 255) * (ANCHORS.length - 1);
    const a = Math.floor(x);
    const b = Math.min(a + 1, ANCHORS.length - 1);
    for (let ch = 0; ch < 3; ch++) lut[v * 3 + ch] = ANCHORS[a][ch] + (ANCHORS[b][ch] - ANCHORS[a][ch]) * (x - a);
  }
  return lut;
})();
