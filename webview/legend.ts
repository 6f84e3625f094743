/** The colour legend under the maps: what a colour means in the current view. */
import { diffColours } from './diffMaps';
import { VIRIDIS } from './render/painter';
import { BELOW_THRESHOLD, type WeightScale } from './weightMaps';
import type { Sequence } from '../src/protocol';

function swatch(rgb: ArrayLike<number>, text: string): HTMLElement {
  const item = document.createElement('span');
  item.className = 'legend-item';
  const box = document.createElement('span');
  box.className = 'legend-swatch';
  box.style.background = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
  item.append(box, text);
  return item;
}

/**
 * Where the attention weights come from, said on the legend: seeded synthetic Q/K/V are not a
 * trained model's attention, and a user must not read meaning into them.
 */
export function weightsSource(sequence?: Sequence): string {
  if (sequence?.qkv) return 'Weights from your pasted Q, K, V.';
  if (sequence?.embeddings) return 'Weights from synthetic Q/K/V: seeded random projections of your pasted embeddings, not a trained model.';
  return 'Weights from synthetic Q/K/V (seeded from the tokens): a stand-in, not a trained model\'s attention. Paste Q, K, V to see real ones.';
}

export function legend(kind: 'mask' | 'weights' | 'diff', scale: WeightScale, other?: string, threshold = 0, source = ''): HTMLElement[] {
  const colours = diffColours();
  if (kind === 'diff') return [swatch(colours[1], 'only this pattern'), swatch(colours[2], `only ${other}`), swatch(colours[3], 'both'), swatch(colours[0], 'neither')];
  if (kind === 'mask') return [swatch([55, 148, 255], 'allowed (union: darker where more heads attend)'), swatch(colours[0], 'masked')];
  const bar = document.createElement('canvas');
  bar.width = 256;
  bar.height = 1;
  bar.className = 'legend-bar';
  const ctx = bar.getContext('2d')!;
  const image = ctx.createImageData(256, 1);
  for (let v = 0; v < 256; v++) image.data.set([VIRIDIS[3 * v], VIRIDIS[3 * v + 1], VIRIDIS[3 * v + 2], 255], 4 * v);
  ctx.putImageData(image, 0, 0);
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', scale === 'log' ? 'weight colour scale, logarithmic from 1e-4 to 1' : 'weight colour scale, linear from 0 to 1');
  const ends = scale === 'log' ? ['≤1e-4', '1e-2', '1'] : ['0', '0.5', '1'];
  const labels = document.createElement('span');
  labels.className = 'legend-labels';
  labels.textContent = ends.join(' … ');
  const items = [bar, labels, swatch(colours[0], 'masked')];
  if (threshold > 0) items.push(swatch(BELOW_THRESHOLD, `allowed, weight below ${threshold.toPrecision(2)}`));
  const from = document.createElement('span');
  from.className = 'legend-source';
  from.textContent = source;
  return [...items, from];
}
