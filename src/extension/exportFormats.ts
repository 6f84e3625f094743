/** The export formats, their labels and default file names (no vscode here, so it is unit-tested). */
import { DENSE_PROBS_LIMIT_BYTES, type PatternConfig } from '../core';

/** Pixels a side per head for the full-map PNG. */
export const FULL_PNG_RESOLUTIONS = [256, 512, 1024, 2048, 4096];

export const EXPORT_FORMATS = ['png', 'png-full', 'png-full-view', 'svg', 'svg-view', 'mask-npy', 'probs-npy', 'json', 'torch'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Dense probabilities [H, n, n] float32 are exported up to this many bytes, as the CLI's --probs. */
export const MAX_PROBS_BYTES = DENSE_PROBS_LIMIT_BYTES;

export const CHOICES: Array<{ format: ExportFormat; label: string; detail: string; extension: string; stem: string }> = [
  { format: 'png', label: 'PNG', detail: 'the maps exactly as shown', extension: 'png', stem: 'maps' },
  { format: 'png-full', label: 'PNG, full mask', detail: 'every head\'s whole mask at a chosen resolution (max-pooled)', extension: 'png', stem: 'mask-full' },
  {
    format: 'png-full-view',
    label: 'PNG, full map as shown',
    detail: 'every head\'s whole map as the panel shows it (attention weights, masks or the difference) at a chosen resolution (max-pooled)',
    extension: 'png',
    stem: 'maps-full',
  },
  { format: 'svg', label: 'SVG, masks', detail: 'the masks as vector cells (max-pooled above 512 positions)', extension: 'svg', stem: 'mask' },
  {
    format: 'svg-view',
    label: 'SVG, maps as shown',
    detail: 'every head\'s whole map as the panel shows it (attention weights, masks or the difference), cells up to 128 positions, max-pooled blocks above',
    extension: 'svg',
    stem: 'maps',
  },
  { format: 'mask-npy', label: '.npy mask', detail: 'bool-valued uint8 [H, n, n]', extension: 'npy', stem: 'mask' },
  { format: 'probs-npy', label: '.npy probabilities', detail: `float32 [H, n, n], up to ${MAX_PROBS_BYTES / 2 ** 20} MiB`, extension: 'npy', stem: 'probs' },
  { format: 'json', label: 'JSON', detail: 'the config, statistics and warnings', extension: 'json', stem: 'stats' },
  { format: 'torch', label: 'PyTorch snippet', detail: 'Python that builds mask as a torch bool tensor', extension: 'py', stem: 'mask' },
];

/** The file name the save dialog proposes: each format its own, so no export overwrites another by default. */
export function defaultExportName(config: PatternConfig, format: ExportFormat): string {
  const choice = CHOICES.find((c) => c.format === format)!;
  return `${config.pattern}-n${config.n}-${choice.stem}.${choice.extension}`;
}

