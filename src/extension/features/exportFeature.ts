/** Export… and Copy PyTorch Snippet: the current config as files and as Python. */
import * as vscode from 'vscode';
import { existsSync } from 'fs';
import { isAbsolute } from 'path';
import { writeAtomically } from '../../atomicWrite';
import { PatternConfig, validateConfig } from '../../core/config';
import { torchSnippet } from '../../core/patterns/registry';
import { chooseExport, EXPORT_FORMATS, exportContent, ExportFormat } from '../exporter';
import type { InspectorPanel } from '../inspectorPanel';
import { configFromSettings } from '../settings';
import type { Guard } from './guarded';

export class ExportFeature implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  /** `coverage`: a loaded checkpoint's coverage under a config, if any (it goes into the JSON). */
  constructor(panel: InspectorPanel, log: vscode.LogOutputChannel, guarded: Guard, coverage: (config: PatternConfig) => { lines: string[]; mean?: number } | undefined = () => undefined) {
    this.subscriptions = [
      vscode.commands.registerCommand(
        'sparseAttention.copyTorchSnippet',
        guarded('Copy PyTorch Snippet', async () => {
          const config = panel.currentState?.config ?? configFromSettings();
          const issues = validateConfig(config);
          if (issues.length) throw new Error(`the current config is invalid: ${issues[0].message}`);
          await vscode.env.clipboard.writeText(torchSnippet(config));
          log.info(`copied the PyTorch snippet for ${config.pattern} n=${config.n}`);
          void vscode.window.showInformationMessage(`PyTorch snippet copied: it builds mask, bool [${config.heads}, ${config.n}, ${config.n}].`);
        }),
      ),
      vscode.commands.registerCommand(
        'sparseAttention.export',
        // Arguments (format, path) let scripts and tests export without the dialogs.
        guarded('Export', async (args?: unknown) => {
          const state = panel.currentState ?? { config: configFromSettings() };
          const given = args as { format?: string; path?: string; resolution?: number } | undefined;
          let target: { format: ExportFormat; uri: vscode.Uri; resolution?: number } | undefined;
          if (given?.format && given.path) {
            if (!EXPORT_FORMATS.includes(given.format as ExportFormat)) throw new Error(`unknown export format ${given.format}; use one of ${EXPORT_FORMATS.join(', ')}`);
            target = { format: given.format as ExportFormat, uri: exportTarget(given.path), resolution: given.resolution };
          } else target = await chooseExport(state.config);
          if (!target) return;
          const images = { png: (resolution?: number) => panel.requestPng(resolution), svg: () => panel.requestSvg() };
          const format = target.format;
          const resolution = target.resolution;
          // A notification with progress and Cancel: the probabilities are computed head by head.
          const bytes = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `Exporting ${format}`, cancellable: true },
            (progress, token) => {
              let done = 0;
              const report = (fraction: number) => {
                progress.report({ increment: (fraction - done) * 100 });
                done = fraction;
              };
              return exportContent(format, state, images, resolution, { report, get cancelled() { return token.isCancellationRequested; } }, coverage(state.config));
            },
          );
          // A local file is replaced atomically (never half-written); other file systems take VS Code's write.
          if (target.uri.scheme === 'file') writeAtomically(target.uri.fsPath, bytes);
          else await vscode.workspace.fs.writeFile(target.uri, bytes);
          log.info(`exported ${target.format} to ${target.uri.fsPath} (${bytes.length} bytes)`);
          if (!given) void vscode.window.showInformationMessage(`Exported ${target.uri.path.split('/').pop()}.`);
        }),
      ),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/**
 * Where a scripted Export (`{format, path}`) writes: an absolute path, or one relative to the first
 * workspace folder; never over an existing file, since no save dialog asked the user about it.
 */
function exportTarget(path: string): vscode.Uri {
  let uri: vscode.Uri;
  if (isAbsolute(path)) uri = vscode.Uri.file(path);
  else {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder) throw new Error(`export path "${path}" is relative and no folder is open: give an absolute path`);
    uri = vscode.Uri.joinPath(folder, path);
  }
  if (uri.scheme === 'file' && existsSync(uri.fsPath)) {
    throw new Error(`${uri.fsPath} exists: a scripted export never replaces a file (Export… from the palette asks first); choose a new path`);
  }
  return uri;
}
