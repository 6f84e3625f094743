/**
 * The difference view: each head of the current pattern against the same head of another preset
 * with the same parameters (the paper against a port, say). Pixels max-pool: a pixel shows a
 * difference when any cell under it differs.
 */
import { buildPattern, FactorizedConfig, HeadMask, PatternConfig, PatternMask, RangeList } from '../src/core';
import { cssColor, mapPixels, sizeCanvas, Viewport, type MapFigure } from './maps';

/** The other preset with this config's parameters, or undefined when it does not accept them. */
export function comparedConfig(config: PatternConfig, other: string): PatternConfig | undefined {
  if (!('stride' in config) || !('mode' in config) || other === config.pattern) return undefined;
  const single = other !== 'fixed';
  const candidate = { ...config, pattern: other, subblocks: single ? 1 : config.subblocks, mode: other.endsWith('-fixed') ? 'merged' : config.mode } as FactorizedConfig;
  try {
    buildPattern(candidate);
    return candidate;
  } catch {
    return undefined;
  }
}

/** 1: only ours, 2: only theirs, 3: both, 0: neither, per pixel. */
function classify(ours: HeadMask, theirs: HeadMask, view: Viewport, size: number): Uint8Array {
  const flags = new Uint8Array(size * size);
  const mark = (head: HeadMask, bit: number, list: RangeList) => {
    for (let i = view.row; i < view.row + view.span; i++) {
      const y = Math.floor(((i - view.row) * size) / view.span);
      head.row(i, list);
      for (let r = 0; r < list.length; r++) {
        const start = Math.max(list.starts[r], view.col);
        const end = Math.min(list.ends[r], view.col + view.span);
        for (let j = start; j < end; j++) flags[y * size + Math.floor(((j - view.col) * size) / view.span)] |= bit;
      }
    }
  };
  const list = new RangeList();
  mark(ours, 1, list);
  mark(theirs, 2, list);
  return flags;
}

export function diffColours(): Record<0 | 1 | 2 | 3, [number, number, number]> {
  return {
    0: cssColor('--vscode-editor-background', '#1e1e1e'),
    1: cssColor('--vscode-charts-orange', '#d18616'),
    2: cssColor('--vscode-charts-blue', '#3794ff'),
    3: cssColor('--vscode-descriptionForeground', '#8b8b8b'),
  };
}

export function drawDiffMaps(ours: PatternMask, theirs: PatternMask, otherName: string, view: Viewport): MapFigure[] {
  const size = mapPixels(view.span);
  const colours = diffColours();
  return ours.heads.map((head, h) => {
    const flags = classify(head, theirs.heads[h], view, size);
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    sizeCanvas(canvas);
    const ctx = canvas.getContext('2d')!;
    const image = ctx.createImageData(size, size);
    let differ = 0;
    for (let p = 0; p < flags.length; p++) {
      const [r, g, b] = colours[flags[p] as 0 | 1 | 2 | 3];
      image.data.set([r, g, b, 255], 4 * p);
      if (flags[p] === 1 || flags[p] === 2) differ++;
    }
    ctx.putImageData(image, 0, 0);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Head ${h} against ${otherName}: ${differ} pixels differ`);
    return { caption: `head ${h} vs ${otherName}`, canvas };
  });
}
