/**
 * Export… : the current config as PNG (the exact pixels of the maps, or every head's whole map as
 * shown, both from the webview; or the whole mask, made here), SVG,
 * .npy (mask, or probabilities where they fit), JSON (config and statistics) or a PyTorch snippet.
 * Everything but PNG is made here from the shared core.
 */
import * as vscode from 'vscode';
import { analyzePattern, attendHeads, attentionInputFor, buildPattern, encodeNpy, formatBytes, maskSvg, PatternConfig, probsToDense, resolveInput, toDense, torchSnippet, validateConfig } from '../core';
import { maskPng } from '../png';
import type { InspectorState } from '../protocol';

/** What only the open panel can make: the maps as it shows them. */
export interface PanelImages {
  png(resolution?: number): Promise<Uint8Array>;
  svg(): Promise<Uint8Array>;
}

/** Pixels a side per head for the full-map PNG. */
export const FULL_PNG_RESOLUTIONS = [256, 512, 1024, 2048, 4096];

export const EXPORT_FORMATS = ['png', 'png-full', 'png-full-view', 'svg', 'svg-view', 'mask-npy', 'probs-npy', 'json', 'torch'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** --probs style limit: a dense [H, n, n] float32 array beyond this n is refused. */
const MAX_PROBS_N = 4096;

const CHOICES: Array<{ format: ExportFormat; label: string; detail: string; extension: string }> = [
  { format: 'png', label: 'PNG', detail: 'the maps exactly as shown', extension: 'png' },
  { format: 'png-full', label: 'PNG, full mask', detail: 'every head\'s whole mask at a chosen resolution (max-pooled)', extension: 'png' },
  {
    format: 'png-full-view',
    label: 'PNG, full map as shown',
    detail: 'every head\'s whole map as the panel shows it (attention weights, masks or the difference) at a chosen resolution (max-pooled)',
    extension: 'png',
  },
  { format: 'svg', label: 'SVG, masks', detail: 'the masks as vector cells (max-pooled above 512 positions)', extension: 'svg' },
  {
    format: 'svg-view',
    label: 'SVG, maps as shown',
    detail: 'every head\'s whole map as the panel shows it (attention weights, masks or the difference), cells up to 128 positions, max-pooled blocks above',
    extension: 'svg',
  },
  { format: 'mask-npy', label: '.npy mask', detail: 'bool-valued uint8 [H, n, n]', extension: 'npy' },
  { format: 'probs-npy', label: '.npy probabilities', detail: `float32 [H, n, n], n <= ${MAX_PROBS_N}`, extension: 'npy' },
  { format: 'json', label: 'JSON', detail: 'the config, statistics and warnings', extension: 'json' },
  { format: 'torch', label: 'PyTorch snippet', detail: 'Python that builds mask as a torch bool tensor', extension: 'py' },
];

function probsNpy(config: PatternConfig, state: InspectorState): Uint8Array {
  const n = config.n;
  if (n > MAX_PROBS_N) {
    throw new Error(`probabilities are a dense [${config.heads}, ${n}, ${n}] float32 array (${formatBytes(config.heads * n * n * 4)}): export them for n <= ${MAX_PROBS_N}, or export the mask`);
  }
  // The same Q/K/V as the webview (pasted, or the synthetic ones), so the file matches the maps.
  const input = resolveInput(config, attentionInputFor(config, state.sequence));
  const out = new Float32Array(input.heads * n * input.d);
  const lse = new Float32Array(input.heads * n);
  const { probs } = attendHeads(buildPattern(config), input, 0, input.heads, { out, lse }, { withProbs: true });
  return encodeNpy('<f4', [config.heads, n, n], probsToDense(probs, n));
}

export async function exportContent(
  format: ExportFormat,
  state: InspectorState,
  panel: PanelImages,
  resolution = 1024,
): Promise<Uint8Array> {
  const config = state.config;
  const issues = validateConfig(config);
  if (issues.length) throw new Error(`the current config is invalid: ${issues[0].message}`);
  const text = (s: string) => new TextEncoder().encode(s);
  switch (format) {
    case 'png':
      return panel.png();
    case 'png-full':
      return maskPng(buildPattern(config), resolution);
    case 'png-full-view':
      return panel.png(resolution);
    case 'svg':
      return text(maskSvg(buildPattern(config), `${config.pattern} n=${config.n}, ${config.heads} heads`));
    case 'svg-view':
      return panel.svg();
    case 'mask-npy': {
      const mask = buildPattern(config);
      return encodeNpy('|u1', [mask.heads.length, config.n, config.n], toDense(mask));
    }
    case 'probs-npy':
      return probsNpy(config, state);
    case 'json':
      return text(JSON.stringify({ config, sequence: state.sequence, ...analyzePattern(config) }, null, 2));
    case 'torch':
      return text(torchSnippet(config));
  }
}

/** Asks for the format and the file when they are not given (the command palette path). */
export async function chooseExport(config: PatternConfig): Promise<{ format: ExportFormat; uri: vscode.Uri; resolution?: number } | undefined> {
  const pick = await vscode.window.showQuickPick(
    CHOICES.map((c) => ({ label: c.label, detail: c.detail, choice: c })),
    { title: 'Export the inspector view', placeHolder: 'Format' },
  );
  if (!pick) return undefined;
  let resolution: number | undefined;
  if (pick.choice.format === 'png-full' || pick.choice.format === 'png-full-view') {
    const size = await vscode.window.showQuickPick(
      FULL_PNG_RESOLUTIONS.filter((r) => r <= Math.max(256, config.n)).map((r) => ({ label: `${r} px per head`, r })),
      { title: 'Resolution of each head\'s map' },
    );
    if (!size) return undefined;
    resolution = size.r;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `${config.pattern}-n${config.n}.${pick.choice.extension}`;
  const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { [pick.choice.label]: [pick.choice.extension] } });
  return uri ? { format: pick.choice.format, uri, resolution } : undefined;
}
