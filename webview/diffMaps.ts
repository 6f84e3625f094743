/**
 * The difference view: each head of the current pattern against the same head of another preset
 * with the same parameters (the paper against a port, say). Pixels max-pool: a pixel shows a
 * difference when any cell under it differs.
 */
import { buildPattern, HeadMask, PatternConfig, PatternMask, PatternName, poolMask, relativeConfig } from '../src/core';
import { cssColor, Viewport } from './maps';
import type { Rgb } from './render/painter';

/** The other preset's mask with this config's parameters, or undefined when it does not accept them. */
export function comparedMask(config: PatternConfig, other: PatternName): PatternMask | undefined {
  const candidate = relativeConfig(config, other);
  if (!candidate) return undefined;
  try {
    return buildPattern(candidate);
  } catch {
    return undefined;
  }
}

/** 1: only ours, 2: only theirs, 3: both, 0: neither, per pixel of the viewport. */
export function classifyDiff(ours: HeadMask, theirs: HeadMask, view: Viewport, size: number): Float32Array {
  const a = poolMask(ours, view, size);
  const b = poolMask(theirs, view, size);
  for (let p = 0; p < a.length; p++) a[p] += 2 * b[p];
  return a;
}

export function diffColours(): [Rgb, Rgb, Rgb, Rgb] {
  return [
    cssColor('--vscode-editor-background', '#1e1e1e'),
    cssColor('--vscode-charts-orange', '#d18616'),
    cssColor('--vscode-charts-blue', '#3794ff'),
    cssColor('--vscode-descriptionForeground', '#8b8b8b'),
  ];
}
