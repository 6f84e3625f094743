/**
 * "Is my mask the paper's?": a CodeLens above each Python function that builds a mask runs it
 * (trusted workspaces only, in a child process with limits) and checks what it returns cell by cell
 * against a pattern; Compare Mask File… does the same for a saved mask. The inspector then shows the
 * pattern with the user's mask in its difference view, and a notification says the verdict.
 */
import * as vscode from 'vscode';
import { basename } from 'path';
import { configFromDefaults, findMaskFunctions, maskCallFor, MaskFunction } from '../../code/maskFunctions';
import { BlockLayout, buildPattern, checkLayout, checkMask, DENSE_LIMIT_BYTES, formatBytes, MaskCheck, PATTERN_NAMES, PatternConfig, PatternName, switchPreset, validateConfig } from '../../core';
import { HEADS } from '../../core/patterns/params';
import { patternSpec } from '../../core/patterns/registry';
import { isPatternConfig } from '../../protocol';
import { InspectorPanel } from '../inspectorPanel';
import { MaskFile, readMaskFile } from '../maskFiles';
import { pythonFor } from '../pythonInterpreter';
import { PythonMaskError, runPythonMask } from '../pythonMask';
import { configFromSettings } from '../settings';
import type { Guard } from './guarded';

/** What the last check found, for scripts and tests (the API's lastMaskCheck). */
export interface MaskCheckResult {
  what: string;
  config: PatternConfig;
  lines: string[];
  identical: boolean;
  match?: string;
  note?: string;
}

export class MaskCheckFeature implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  last?: MaskCheckResult;

  constructor(private readonly panel: InspectorPanel, private readonly log: vscode.LogOutputChannel, guarded: Guard) {
    this.subscriptions.push(
      vscode.languages.registerCodeLensProvider({ language: 'python' }, new MaskFunctionLenses()),
      vscode.commands.registerCommand('sparseAttention.checkMaskFunction', guarded('Check Mask Function', (uri?: unknown, name?: unknown, options?: unknown) => this.checkFunction(uri, name, options))),
      vscode.commands.registerCommand('sparseAttention.compareMaskFile', guarded('Compare Mask File', (uri?: unknown, options?: unknown) => this.compareFile(uri, options))),
    );
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  /** `options`: {pattern?, config?} for scripts; without them the user picks the pattern. */
  private async checkFunction(uriArg: unknown, nameArg: unknown, options: unknown): Promise<void> {
    const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg instanceof vscode.Uri ? uriArg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) throw new Error('Open the Python file with the mask function first.');
    if (!vscode.workspace.isTrusted) throw new Error('Checking a mask function runs its file with Python: trust this workspace first (Manage Workspace Trust).');
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.isUntitled || uri.scheme !== 'file') throw new Error('Save the file first: Python imports it from disk.');
    const functions = findMaskFunctions(document.getText());
    const fn = functions.find((f) => f.name === nameArg) ?? (functions.length === 1 ? functions[0] : undefined);
    if (!fn) throw new Error(`no mask function ${typeof nameArg === 'string' ? `"${nameArg}" ` : ''}in ${basename(uri.fsPath)} (a module-level def named like a mask, taking n or seq_len, returning the mask)`);
    const config = await this.configFor(fn, options);
    if (!config) return;
    checkDenseSize(config);
    const call = maskCallFor(fn, config);
    await document.save();
    const { python, from } = await pythonFor(uri, this.log);
    const settings = vscode.workspace.getConfiguration('sparseAttention.maskCheck', uri);
    const callText = `${fn.name}(${Object.entries(call.kwargs).map(([k, v]) => `${k}=${v}`).join(', ')})`;
    this.log.info(`running ${callText} from ${uri.fsPath} with ${python} (${from})`);
    const returned = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Running ${callText} with ${basename(python)}`, cancellable: true },
      (_, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return runPythonMask({
          python,
          file: uri.fsPath,
          functionName: fn.name,
          kwargs: call.kwargs,
          timeoutMs: 1000 * settings.get<number>('timeoutSeconds', 60),
          memoryBytes: 2 ** 20 * settings.get<number>('memoryLimitMB', 4096),
          signal: controller.signal,
        }).catch((e: unknown) => {
          // Cancel is the user's choice, not an error to show.
          if (token.isCancellationRequested) return undefined;
          if (e instanceof PythonMaskError && e.detail) this.log.error(`${callText}:\n${e.detail}`);
          throw e;
        });
      },
    );
    if (!returned) return;
    this.report(callText, config, returned.cells, returned.shape, returned.note);
  }

  /**
   * A saved mask ([H, n, n] or [n, n]; .npy, or one tensor of a .pt/.safetensors/.npz) against the
   * pattern at its n and heads; a block layout [H, n/B, n/B] (DeepSpeed's master_layout) against
   * the pattern's layout, block by block.
   */
  private async compareFile(uriArg: unknown, options: unknown): Promise<void> {
    let uri = typeof uriArg === 'string' ? vscode.Uri.file(uriArg) : uriArg instanceof vscode.Uri ? uriArg : undefined;
    uri ??= (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Masks and layouts': ['npy', 'pt', 'pth', 'bin', 'safetensors', 'npz'] }, title: 'Compare Mask File' }))?.[0];
    if (!uri) return;
    const given = (options ?? {}) as { config?: unknown; tensor?: unknown };
    const file = await readMaskFile(uri.fsPath, async (names) =>
      typeof given.tensor === 'string' ? given.tensor : (await vscode.window.showQuickPick(names, { title: `Which tensor of ${basename(uri!.fsPath)} is the mask?` })),
    );
    if (!file) return;
    const { what, shape } = file;
    if ((shape.length !== 2 && shape.length !== 3) || shape[shape.length - 1] !== shape[shape.length - 2]) {
      throw new Error(`${what} has shape [${shape}]; a mask is [H, n, n] or [n, n]`);
    }
    const side = shape[shape.length - 1];
    const heads = shape.length === 3 ? shape[0] : 1;
    const settings = configFromSettings();
    const config = given.config !== undefined ? checkedConfig(given.config) : checkedConfig({ ...settings, n: side, ...(heads > 1 ? { heads } : {}) });
    const mask = buildPattern(config);
    if (mask.layout && side === mask.layout.blocks && side !== config.n) return this.reportLayout(file, config, mask.layout, heads);
    this.report(what, config, file.cells, shape, file.note);
  }

  private reportLayout(file: MaskFile, config: PatternConfig, layout: BlockLayout, theirHeads: number): void {
    if (theirHeads !== 1 && theirHeads !== layout.heads) throw new Error(`${file.what} has ${theirHeads} heads, but the pattern has ${layout.heads}`);
    const check = checkLayout(file.cells, theirHeads, layout, file.what);
    this.last = { what: file.what, config, lines: check.lines, identical: check.identical, note: file.note };
    for (const line of check.lines) this.log.info(`${file.what}: ${line}`);
    this.panel.show({ ...this.panel.currentState, sequence: this.panel.sequenceFitting(config), config, follows: undefined });
    const message = check.identical ? check.lines[0] : `${file.what} differs from the ${config.pattern} layout: ${check.lines.filter((l) => !/: 0 blocks missing, 0 extra$/.test(l)).join('; ')}`;
    void (check.identical ? vscode.window.showInformationMessage(message) : vscode.window.showWarningMessage(message));
  }

  private async configFor(fn: MaskFunction, options: unknown): Promise<PatternConfig | undefined> {
    const { pattern, config } = (options ?? {}) as { pattern?: unknown; config?: unknown };
    if (config !== undefined) return checkedConfig(config);
    const settings = configFromSettings();
    let chosen = typeof pattern === 'string' && PATTERN_NAMES.includes(pattern as PatternName) ? (pattern as PatternName) : undefined;
    if (!chosen) {
      const items = [settings.pattern, ...PATTERN_NAMES.filter((p) => p !== settings.pattern)].map((name) => ({ label: name, detail: patternSpec(name).summary }));
      chosen = (await vscode.window.showQuickPick(items, { title: `Check ${fn.name} against which pattern?`, matchOnDetail: true }))?.label;
      if (!chosen) return undefined;
    }
    // The function's own literal defaults (l=8, c=2) set the pattern's values; settings give the rest.
    const fromDefaults = configFromDefaults(fn, chosen === settings.pattern ? settings : switchPreset(settings, chosen));
    // A function without a heads parameter builds one mask: it is checked against one head.
    return checkedConfig(fn.params.some((p) => HEADS.python.includes(p.name)) ? fromDefaults : { ...fromDefaults, heads: 1 });
  }

  private report(what: string, config: PatternConfig, cells: Uint8Array, shape: number[], note?: string): MaskCheck {
    const n = shape[shape.length - 1];
    const theirHeads = shape.length === 3 ? shape[0] : 1;
    if (shape.length < 2 || shape.length > 3 || shape[shape.length - 2] !== n) throw new Error(`${what} returned shape [${shape}]; a mask is [H, n, n] or [n, n]`);
    if (n !== config.n) throw new Error(`${what} returned a mask for n = ${n}, but the pattern has n = ${config.n}`);
    if (theirHeads !== 1 && theirHeads !== config.heads) throw new Error(`${what} returned ${theirHeads} heads, but the pattern has ${config.heads}: return one head for all, or set heads to ${theirHeads}`);
    const check = checkMask(cells, theirHeads, config, buildPattern(config), what);
    this.last = { what, config, lines: check.lines, identical: check.diff.identical, match: check.match?.config.pattern, note };
    for (const line of check.lines) this.log.info(`${what}: ${line}`);
    this.panel.show({ ...this.panel.currentState, sequence: this.panel.sequenceFitting(config), config, follows: undefined }, { type: 'compareWithMask', name: what, n, heads: theirHeads, cells });
    const noteText = note ? ` (${note})` : '';
    if (check.diff.identical) void vscode.window.showInformationMessage(`${check.lines[0]}${noteText}`);
    else {
      const missing = check.diff.heads.reduce((s, h) => s + h.missing, 0);
      const extra = check.diff.heads.reduce((s, h) => s + h.extra, 0);
      const verdict = check.match ? `This is ${check.match.config.pattern}: ${check.match.description}` : 'No known port explains the difference.';
      void vscode.window.showWarningMessage(`${what} differs from ${config.pattern}: ${missing} missing, ${extra} extra cells over ${config.heads} heads. ${verdict} The inspector shows where${noteText}.`);
    }
    return check;
  }
}

/** A lens above each mask function: "Check against fixed pattern…". */
class MaskFunctionLenses implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const pattern = configFromSettings().pattern;
    return findMaskFunctions(document.getText()).map((fn) => {
      const range = new vscode.Range(fn.range.start.line, fn.range.start.character, fn.range.end.line, fn.range.end.character);
      return new vscode.CodeLens(range, { title: `Check against ${pattern} pattern…`, command: 'sparseAttention.checkMaskFunction', arguments: [document.uri, fn.name], tooltip: `Run ${fn.name} and compare its mask with a pattern, cell by cell` });
    });
  }
}

function checkedConfig(value: unknown): PatternConfig {
  if (!isPatternConfig(value)) throw new Error(`not a pattern config: ${JSON.stringify(value)}`);
  const issues = validateConfig(value);
  if (issues.length) throw new Error(issues.map((i) => i.message).join('; '));
  return value;
}

/** Their mask comes back dense ([H, n, n] bytes): bounded like a dense export. */
function checkDenseSize(config: PatternConfig): void {
  const bytes = config.heads * config.n * config.n;
  if (bytes > DENSE_LIMIT_BYTES) {
    throw new Error(`a dense mask at n = ${config.n} with ${config.heads} heads would need ${formatBytes(bytes)} (limit ${formatBytes(DENSE_LIMIT_BYTES)}): check it at a smaller n (the pattern repeats every block)`);
  }
}
