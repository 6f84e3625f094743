/**
 * The inspector: its panel (and serializer for window reloads), Open Inspector, Inspect Selection,
 * and the settings it follows. Other features reach the panel through `panel`.
 */
import * as vscode from 'vscode';
import { PatternConfig, validateConfig } from '../../core/config';
import { isInspectorState, isPatternConfig, PASTE_KINDS, PasteKind } from '../../protocol';
import { InspectorPanel, VIEW_TYPE } from '../inspectorPanel';
import { PastedNumbers } from '../pastedNumbers';
import { sequenceFromSelection } from '../selection';
import { configFromSettings, inspectorSettings } from '../settings';
import type { Guard } from './guarded';

export class InspectorFeature implements vscode.Disposable {
  readonly panel: InspectorPanel;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, guarded: Guard) {
    const storage = context.storageUri ?? context.globalStorageUri;
    const pasted = new PastedNumbers(storage.scheme === 'file' ? storage.fsPath : undefined, (message) => log.warn(message));
    const panel = (this.panel = new InspectorPanel(context.extensionUri, log, inspectorSettings, pasted));
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sparseAttention.computeBackend') || e.affectsConfiguration('sparseAttention.mapRenderer')) panel.settingsChanged();
      }),
      vscode.commands.registerCommand(
        'sparseAttention.openInspector',
        guarded('Open Inspector', (override?: unknown) => {
          const config = mergeOverride(panel.currentState?.config ?? configFromSettings(), override);
          panel.show({ ...panel.currentState, sequence: panel.sequenceFitting(config), config, follows: undefined });
        }),
      ),
      vscode.commands.registerCommand(
        'sparseAttention.inspectSelection',
        guarded('Inspect Selection as Sequence', () => {
          const editor = vscode.window.activeTextEditor;
          if (!editor) throw new Error('Open a file and select the text to inspect first.');
          const sequence = sequenceFromSelection(editor);
          const config = { ...(panel.currentState?.config ?? configFromSettings()), n: sequence.tokens.length };
          panel.show({ config, sequence });
        }),
      ),
      // For scripts (and tests): what pasting into the panel's text box does, e.g. {text, kind: 'qkv'}.
      vscode.commands.registerCommand(
        'sparseAttention.pasteSequence',
        guarded('Paste Sequence', (args?: unknown) => {
          const { text, kind } = (args ?? {}) as { text?: unknown; kind?: unknown };
          if (typeof text !== 'string' || !(typeof kind === 'string' && PASTE_KINDS.includes(kind as PasteKind))) {
            throw new Error(`sparseAttention.pasteSequence takes {text, kind} with kind one of ${PASTE_KINDS.join(', ')}`);
          }
          if (!panel.isOpen) throw new Error('Open the inspector first (Sparse Attention: Open Inspector): the sequence goes to its panel.');
          panel.usePastedText(text, kind as PasteKind);
        }),
      ),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        async deserializeWebviewPanel(webviewPanel, saved) {
          panel.restore(webviewPanel, isInspectorState(saved) ? saved : { config: configFromSettings() });
        },
      }),
    );
  }

  dispose(): void {
    this.panel.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
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
