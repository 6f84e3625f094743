/**
 * Export… : the current config as PNG (the exact pixels of the maps, or every head's whole map as
 * shown, both from the webview; or the whole mask, made here), SVG,
 * .npy (mask, or probabilities where they fit), JSON (config and statistics) or a PyTorch snippet.
 * Everything but PNG is made here from the shared core.
 */
import * as vscode from 'vscode';
import { analyzePattern, buildPattern, encodeNpy, maskSvg, PatternConfig, toDense, torchSnippet, validateConfig } from '../core';
import { maskPng } from '../png';
import type { InspectorState, Sequence } from '../protocol';
import { CHOICES, defaultExportName, ExportFormat, FULL_PNG_RESOLUTIONS } from './exportFormats';
import { ExportProgress, probsNpy } from './probsExport';

export { EXPORT_FORMATS, FULL_PNG_RESOLUTIONS } from './exportFormats';
export type { ExportFormat } from './exportFormats';

/** What only the open panel can make: the maps as it shows them. */
export interface PanelImages {
  png(resolution?: number): Promise<Uint8Array>;
  svg(): Promise<Uint8Array>;
}

export async function exportContent(
  format: ExportFormat,
  state: InspectorState,
  panel: PanelImages,
  resolution = 1024,
  progress?: ExportProgress,
  /** A loaded checkpoint's coverage under this config (Load Checkpoint…), for the JSON. */
  coverage?: { lines: string[]; mean?: number },
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
      return probsNpy(config, state, progress);
    case 'json':
      // The sequence by its tokens and origin: pasted or a model's Q/K/V are numbers, not JSON.
      return text(JSON.stringify({ config, sequence: state.sequence && sequenceSummary(state.sequence), ...(coverage ? { coverage } : {}), ...analyzePattern(config) }, null, 2));
    case 'torch':
      return text(torchSnippet(config));
  }
}

function sequenceSummary(sequence: Sequence): object {
  const { tokens, source, model, qkv, embeddings } = sequence;
  return { tokens, source, ...(model ? { model } : {}), ...(qkv ? { qkv: { heads: qkv.heads, d: qkv.d } } : {}), ...(embeddings ? { embeddings: { dim: embeddings.dim } } : {}) };
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
  const name = defaultExportName(config, pick.choice.format);
  const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { [pick.choice.label]: [pick.choice.extension] } });
  return uri ? { format: pick.choice.format, uri, resolution } : undefined;
}
