/** Activation: commands, the inspector panel and its serializer, and a small API for tests. */
import * as vscode from 'vscode';
import { existsSync } from 'fs';
import { isAbsolute } from 'path';
import { writeAtomically } from '../atomicWrite';
import { PatternConfig, validateConfig } from '../core/config';
import { torchSnippet } from '../core/patterns/registry';
import { ComputeSummary, InspectorState, isInspectorState, isPatternConfig, MapsSummary, RenderSummary } from '../protocol';
import { chooseExport, EXPORT_FORMATS, exportContent, ExportFormat } from './exporter';
import { InspectorPanel, VIEW_TYPE } from './inspectorPanel';
import { PastedNumbers } from './pastedNumbers';
import { sequenceFromSelection } from './selection';
import { configFromSettings, inspectorSettings } from './settings';

/** What `getExtension(...).exports` gives: lets integration tests see what the webview drew. */
export interface InspectorApi {
  currentState(): InspectorState | undefined;
  lastRender(): RenderSummary | undefined;
  lastCompute(): ComputeSummary | undefined;
  /** What the maps show now: masks or weights, painted by whom, pooled where. */
  lastMaps(): MapsSummary | undefined;
  isVisible(): boolean;
  renderCount(): number;
  /**
   * Resolves with a render that satisfies `accept`: the last one if it does and is newer than
   * render number `after`, else the next one that does.
   */
  waitForRender(accept: (summary: RenderSummary) => boolean, options?: { after?: number; timeoutMs?: number }): Promise<RenderSummary>;
}

export function activate(context: vscode.ExtensionContext): InspectorApi {
  const log = vscode.window.createOutputChannel('Sparse Attention Inspector', { log: true });
  const storage = context.storageUri ?? context.globalStorageUri;
  const pasted = new PastedNumbers(storage.scheme === 'file' ? storage.fsPath : undefined, (message) => log.warn(message));
  const inspector = new InspectorPanel(context.extensionUri, log, inspectorSettings, pasted);
  context.subscriptions.push(log, { dispose: () => inspector.dispose() });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sparseAttention.computeBackend') || e.affectsConfiguration('sparseAttention.mapRenderer')) inspector.settingsChanged();
    }),
  );

  const guarded =
    (name: string, body: (...args: unknown[]) => unknown) =>
    async (...args: unknown[]): Promise<void> => {
      try {
        await body(...args);
      } catch (e) {
        log.error(`${name} failed: ${(e as Error).stack ?? e}`);
        void vscode.window.showErrorMessage(`Sparse Attention Inspector: ${(e as Error).message}`);
      }
    };

  context.subscriptions.push(
    vscode.commands.registerCommand(
      'sparseAttention.openInspector',
      guarded('Open Inspector', (override?: unknown) => {
        const config = mergeOverride(inspector.currentState?.config ?? configFromSettings(), override);
        inspector.show({ ...inspector.currentState, config });
      }),
    ),
    vscode.commands.registerCommand(
      'sparseAttention.inspectSelection',
      guarded('Inspect Selection as Sequence', () => {
        const editor = vscode.window.activeTextEditor;
        if (!editor) throw new Error('Open a file and select the text to inspect first.');
        const sequence = sequenceFromSelection(editor);
        const config = { ...(inspector.currentState?.config ?? configFromSettings()), n: sequence.tokens.length };
        inspector.show({ config, sequence });
      }),
    ),
    vscode.commands.registerCommand(
      'sparseAttention.copyTorchSnippet',
      guarded('Copy PyTorch Snippet', async () => {
        const config = inspector.currentState?.config ?? configFromSettings();
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
        const state = inspector.currentState ?? { config: configFromSettings() };
        const given = args as { format?: string; path?: string; resolution?: number } | undefined;
        let target: { format: ExportFormat; uri: vscode.Uri; resolution?: number } | undefined;
        if (given?.format && given.path) {
          if (!EXPORT_FORMATS.includes(given.format as ExportFormat)) throw new Error(`unknown export format ${given.format}; use one of ${EXPORT_FORMATS.join(', ')}`);
          target = { format: given.format as ExportFormat, uri: exportTarget(given.path), resolution: given.resolution };
        } else target = await chooseExport(state.config);
        if (!target) return;
        const bytes = await exportContent(target.format, state, { png: (resolution) => inspector.requestPng(resolution), svg: () => inspector.requestSvg() }, target.resolution);
        // A local file is replaced atomically (never half-written); other file systems take VS Code's write.
        if (target.uri.scheme === 'file') writeAtomically(target.uri.fsPath, bytes);
        else await vscode.workspace.fs.writeFile(target.uri, bytes);
        log.info(`exported ${target.format} to ${target.uri.fsPath} (${bytes.length} bytes)`);
        if (!given) void vscode.window.showInformationMessage(`Exported ${target.uri.path.split('/').pop()}.`);
      }),
    ),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel, saved) {
        inspector.restore(panel, isInspectorState(saved) ? saved : { config: configFromSettings() });
      },
    }),
  );

  return {
    currentState: () => inspector.currentState,
    lastRender: () => inspector.lastRender,
    lastCompute: () => inspector.lastCompute,
    lastMaps: () => inspector.lastMaps,
    isVisible: () => inspector.isVisible,
    renderCount: () => inspector.renderCount,
    waitForRender: (accept, { after = -1, timeoutMs = 30000 } = {}) =>
      new Promise((resolve, reject) => {
        const last = inspector.lastRender;
        if (last && inspector.renderCount > after && accept(last)) return resolve(last);
        const timer = setTimeout(() => {
          subscription.dispose();
          reject(new Error(`no matching render within ${timeoutMs} ms (last: ${JSON.stringify(inspector.lastRender)})`));
        }, timeoutMs);
        const subscription = inspector.onRender((summary) => {
          if (!accept(summary)) return;
          clearTimeout(timer);
          subscription.dispose();
          resolve(summary);
        });
      }),
  };
}

/** Commands may carry a partial config (CodeLens, tests); a bad one is an error, not a crash. */
function mergeOverride(base: PatternConfig, override: unknown): PatternConfig {
  if (override === undefined) return base;
  const merged = { ...base, ...(override as object) };
  if (!isPatternConfig(merged)) throw new Error(`not a pattern config: ${JSON.stringify(override)}`);
  const issues = validateConfig(merged);
  if (issues.length) throw new Error(issues.map((i) => i.message).join('; '));
  return merged;
}

export function deactivate(): void {}

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
