/**
 * What a colour means in the current view: one description, drawn as the legend under the maps
 * and as the footer of exported PNGs (which must stand on their own in a paper or a bug report).
 */
import { diffColours } from './diffMaps';
import { VIRIDIS } from './render/painter';
import { BELOW_THRESHOLD, type WeightScale } from './weightMaps';
import type { Sequence } from '../src/protocol';

export type LegendEntry = { rgb: ArrayLike<number>; text: string } | { gradient: WeightScale; text: string };

/**
 * Where the attention weights come from, said on the legend: seeded synthetic Q/K/V are not a
 * trained model's attention, and a user must not read meaning into them.
 */
export function weightsSource(sequence?: Sequence): string {
  const model = sequence?.model;
  if (model && sequence?.qkv) return `Weights from ${model.name}'s real Q, K, V at layer ${model.layer} (${model.path}), under this pattern.`;
  if (sequence?.qkv) return 'Weights from your pasted Q, K, V.';
  if (sequence?.embeddings) return 'Weights from synthetic Q/K/V: seeded random projections of your pasted embeddings, not a trained model.';
  return 'Weights from synthetic Q/K/V (seeded from the tokens): a stand-in, not a trained model\'s attention. Paste Q, K, V to see real ones.';
}

/** `pooling`: how a mask pixel covering many cells is shown (undefined when a pixel is one cell). */
export function legendEntries(kind: 'mask' | 'weights' | 'diff', scale: WeightScale, other?: string, threshold = 0, pooling?: 'any' | 'share'): LegendEntry[] {
  const colours = diffColours();
  if (kind === 'diff') {
    return [
      { rgb: colours[1], text: 'only this pattern' },
      { rgb: colours[2], text: `only ${other}` },
      { rgb: colours[3], text: 'both' },
      { rgb: colours[0], text: 'neither' },
    ];
  }
  if (kind === 'mask') {
    const allowed =
      pooling === 'share'
        ? 'share of allowed cells under each pixel: the stronger the colour, the larger the share (union: the mean over heads)'
        : pooling === 'any'
          ? 'some cell under the pixel allowed: every allowed cell visible (union: darker where more heads attend)'
          : 'allowed (union: darker where more heads attend)';
    return [{ rgb: [55, 148, 255], text: allowed }, { rgb: colours[0], text: 'masked' }];
  }
  const entries: LegendEntry[] = [{ gradient: scale, text: (scale === 'log' ? ['≤1e-4', '1e-2', '1'] : ['0', '0.5', '1']).join(' … ') }, { rgb: colours[0], text: 'masked' }];
  if (threshold > 0) entries.push({ rgb: BELOW_THRESHOLD, text: `allowed, weight below ${threshold.toPrecision(2)}` });
  return entries;
}

/** The viridis bar, 256 × 1 pixels (stretched by CSS or drawImage). */
export function gradientBar(scale: WeightScale): HTMLCanvasElement {
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
  return bar;
}

export function legend(kind: 'mask' | 'weights' | 'diff', scale: WeightScale, other?: string, threshold = 0, source = '', pooling?: 'any' | 'share'): HTMLElement[] {
  const items: HTMLElement[] = legendEntries(kind, scale, other, threshold, pooling).flatMap((entry) => {
    const item = document.createElement('span');
    item.className = 'legend-item';
    if ('gradient' in entry) {
      const labels = document.createElement('span');
      labels.className = 'legend-labels';
      labels.textContent = entry.text;
      return [gradientBar(entry.gradient), labels];
    }
    const box = document.createElement('span');
    box.className = 'legend-swatch';
    box.style.background = `rgb(${entry.rgb[0]}, ${entry.rgb[1]}, ${entry.rgb[2]})`;
    item.append(box, entry.text);
    return [item];
  });
  if (kind !== 'weights') return items;
  const from = document.createElement('span');
  from.className = 'legend-source';
  from.textContent = source;
  return [...items, from];
}
