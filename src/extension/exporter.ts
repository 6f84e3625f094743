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
import { CHOICES, defaultExportName, ExportFormat, FULL_PNG_RESOLUTIONS, MAX_PROBS_BYTES } from './exportFormats';

export { EXPORT_FORMATS, FULL_PNG_RESOLUTIONS } from './exportFormats';
export type { ExportFormat } from './exportFormats';

/** What only the open panel can make: the maps as it shows them. */
export interface PanelImages {
  png(resolution?: number): Promise<Uint8Array>;
  svg(): Promise<Uint8Array>;
}

function probsNpy(config: PatternConfig, state: InspectorState): Uint8Array {
  const n = config.n;
  // Bounded by bytes, not n: 32 heads at n = 4096 once blocked the extension host for 32 s at 3.6 GiB.
  const bytes = config.heads * n * n * 4;
  if (bytes > MAX_PROBS_BYTES) {
    const fits = Math.floor(Math.sqrt(MAX_PROBS_BYTES / (4 * config.heads)));
    throw new Error(
      `probabilities are a dense [${config.heads}, ${n}, ${n}] float32 array (${formatBytes(bytes)}, limit ${formatBytes(MAX_PROBS_BYTES)}): export them for n <= ${fits} with ${config.heads} heads, or export the mask`,
    );
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
  const name = defaultExportName(config, pick.choice.format);
  const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { [pick.choice.label]: [pick.choice.extension] } });
  return uri ? { format: pick.choice.format, uri, resolution } : undefined;
}
