/**
 * Attention-weight maps with the mask overlaid: masked cells keep the editor background, allowed
 * cells take a perceptual (viridis) colour by weight, so an allowed-but-tiny cell is still
 * visibly different from a masked one. Pixels max-pool the cells they cover.
 */
import type { SparseProbs } from '../src/core';
import { sizeCanvas, Viewport } from './maps';

export type WeightScale = 'log' | 'linear';

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

/** Weight in [0, 1] to a palette index; log spans 1e-4 .. 1. */
export function paletteIndex(weight: number, scale: WeightScale): number {
  const t = scale === 'linear' ? weight : (Math.log10(Math.max(weight, 1e-4)) + 4) / 4;
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

/** Max-pooled weights per pixel of the viewport; -1 where no allowed cell falls in the pixel. */
export function poolWeights(probs: SparseProbs, view: Viewport, size: number): Float32Array {
  const pooled = new Float32Array(size * size).fill(-1);
  const { row, col, span } = view;
  for (let i = row; i < row + span; i++) {
    const y = Math.floor(((i - row) * size) / span);
    // Columns are sorted: skip to the first one inside the viewport.
    let lo = probs.rowPtr[i];
    let hi = probs.rowPtr[i + 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (probs.cols[mid] < col) lo = mid + 1;
      else hi = mid;
    }
    for (let t = lo; t < probs.rowPtr[i + 1] && probs.cols[t] < col + span; t++) {
      const p = y * size + Math.floor(((probs.cols[t] - col) * size) / span);
      if (probs.values[t] > pooled[p]) pooled[p] = probs.values[t];
    }
  }
  return pooled;
}

/** Allowed cells whose weight is under the threshold: a neutral grey, never the masked background. */
export const BELOW_THRESHOLD: [number, number, number] = [128, 128, 128];

export function paintWeights(
  canvas: HTMLCanvasElement,
  pooled: Float32Array,
  size: number,
  scale: WeightScale,
  background: [number, number, number],
  threshold = 0,
): void {
  canvas.width = size;
  canvas.height = size;
  sizeCanvas(canvas);
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(size, size);
  for (let p = 0; p < size * size; p++) {
    const o = 4 * p;
    if (pooled[p] < 0) [image.data[o], image.data[o + 1], image.data[o + 2]] = background;
    else if (pooled[p] < threshold) [image.data[o], image.data[o + 1], image.data[o + 2]] = BELOW_THRESHOLD;
    else {
      const v = paletteIndex(pooled[p], scale) * 3;
      image.data[o] = VIRIDIS[v];
      image.data[o + 1] = VIRIDIS[v + 1];
      image.data[o + 2] = VIRIDIS[v + 2];
    }
    image.data[o + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
}

/** Weight of (i, j) in the CSR row, or undefined when masked (binary search over sorted columns). */
export function weightAt(probs: SparseProbs, i: number, j: number): number | undefined {
  let lo = probs.rowPtr[i];
  let hi = probs.rowPtr[i + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (probs.cols[mid] === j) return probs.values[mid];
    if (probs.cols[mid] < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
