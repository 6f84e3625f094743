/**
 * Configs in the user's code (src/code finds them): a CodeLens above each that opens the inspector
 * with exactly that config and then follows the code as it is edited, a hover with its statistics
 * and a thumbnail of its masks, Problems for invalid ones on the argument at fault, and quick fixes
 * that set the nearest valid value. Parsing waits until VS Code asks (lenses, hovers) or the text
 * settles (diagnostics), and is cached per document version.
 */
import * as vscode from 'vscode';
import { ConfigFinding, findConfigsInJson, findConfigsInPython, findingDensity, SourceRange } from '../../code';
import { fixesFor } from '../../code/fixes';
import { lensTitle } from '../../code/lensText';
import { buildPattern, poolMask } from '../../core';
import { encodeGrayPng } from '../../png';
import { InspectorPanel } from '../inspectorPanel';
import type { Guard } from './guarded';

const SELECTOR: vscode.DocumentSelector = [{ language: 'python' }, { pattern: '**/ds_config*.json' }];
const DEBOUNCE_MS = 300;

const toRange = (r: SourceRange) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

/** The panel follows one finding: its document and where it was (to find it again after edits). */
interface Followed {
  uri: string;
  source: string;
  line: number;
}

export class CodeConfigFeature implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly cache = new Map<string, { version: number; findings: ConfigFinding[] }>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('sparse-attention');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private followed?: Followed;

  constructor(private readonly panel: InspectorPanel, private readonly log: vscode.LogOutputChannel, guarded: Guard) {
    this.subscriptions.push(
      this.diagnostics,
      vscode.languages.registerCodeLensProvider(SELECTOR, { provideCodeLenses: (document) => this.lenses(document) }),
      vscode.languages.registerHoverProvider(SELECTOR, { provideHover: (document, position) => this.hover(document, position) }),
      vscode.languages.registerCodeActionsProvider(SELECTOR, { provideCodeActions: (document, _range, context) => this.quickFixes(document, context) }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.commands.registerCommand('sparseAttention.inspectConfigAt', guarded('Inspect Config', (uri?: unknown, index?: unknown) => this.inspect(uri, index))),
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.cache.delete(document.uri.toString());
        this.diagnostics.delete(document.uri);
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const s of this.subscriptions) s.dispose();
  }

  /** Findings of this version of the document (parsed once per version). */
  findings(document: vscode.TextDocument): ConfigFinding[] {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached?.version === document.version) return cached.findings;
    let findings: ConfigFinding[] = [];
    try {
      findings = document.languageId === 'python' ? findConfigsInPython(document.getText()) : findConfigsInJson(document.getText());
    } catch (e) {
      this.log.warn(`could not read configs in ${document.uri.fsPath}: ${(e as Error).message}`);
    }
    this.cache.set(key, { version: document.version, findings });
    return findings;
  }

  private applies(document: vscode.TextDocument): boolean {
    return vscode.languages.match(SELECTOR, document) > 0;
  }

  /** Diagnostics (and the followed config) once the text has settled. */
  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (!this.applies(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (document.isClosed) return;
        const findings = this.findings(document);
        this.diagnostics.set(document.uri, findings.flatMap((finding) => finding.issues.map((issue) => diagnostic(finding, issue))));
        if (this.followed?.uri === key) this.follow(document, findings);
      }, delayMs),
    );
  }

  private lenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return this.findings(document).map((finding, index) => {
      const title = lensTitle(finding, findingDensity(finding));
      return new vscode.CodeLens(toRange(finding.range), { title, command: 'sparseAttention.inspectConfigAt', arguments: [document.uri.toString(), index], tooltip: `Open the inspector on this ${finding.source}; it follows your edits` });
    });
  }

  private async inspect(uriArg: unknown, indexArg: unknown): Promise<void> {
    const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg instanceof vscode.Uri ? uriArg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) throw new Error('Open the file with the attention config first.');
    const document = await vscode.workspace.openTextDocument(uri);
    const findings = this.findings(document);
    const index = typeof indexArg === 'number' ? indexArg : 0;
    const finding = findings[index];
    if (!finding) throw new Error(`no attention config #${index + 1} in ${vscode.workspace.asRelativePath(uri)} (found ${findings.length})`);
    this.followed = { uri: uri.toString(), source: finding.source, line: finding.range.start.line };
    this.showFinding(document, finding);
  }

  /** After an edit: the same config (same kind, nearest line) goes to the panel if it changed. */
  private follow(document: vscode.TextDocument, findings: ConfigFinding[]): void {
    const followed = this.followed!;
    if (!this.panel.isOpen || this.panel.currentState?.follows?.file !== vscode.workspace.asRelativePath(document.uri)) {
      this.followed = undefined; // closed, or the user took the panel elsewhere
      return;
    }
    const candidates = findings.filter((f) => f.source === followed.source);
    if (!candidates.length) return;
    const finding = candidates.reduce((a, b) => (Math.abs(b.range.start.line - followed.line) < Math.abs(a.range.start.line - followed.line) ? b : a));
    followed.line = finding.range.start.line;
    if (finding.issues.length) return; // keep showing the last valid config; Problems say what is wrong
    this.showFinding(document, finding);
  }

  private showFinding(document: vscode.TextDocument, finding: ConfigFinding): void {
    const follows = { file: vscode.workspace.asRelativePath(document.uri), line: finding.range.start.line + 1, unresolved: finding.unresolved };
    const state = this.panel.currentState;
    if (state?.follows?.file === follows.file && JSON.stringify(state.config) === JSON.stringify(finding.config) && state.follows.line === follows.line) return;
    // The lens asked for this config, not for an error about numbers it cannot use.
    this.panel.show({ ...state, sequence: this.panel.sequenceFitting(finding.config), config: finding.config, follows });
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const finding = this.findings(document).find((f) => toRange(f.range).contains(position));
    if (!finding) return undefined;
    const density = findingDensity(finding);
    const text = new vscode.MarkdownString();
    text.appendMarkdown(`**${lensTitle(finding, density).slice('Inspect '.length)}**\n\n`);
    text.appendMarkdown(`Found as \`${finding.source}\`${density.known ? `; density against the ${density.against} square` : `; ${density.reason}`}.\n\n`);
    if (finding.unresolved.length) text.appendMarkdown(`Unknown here: ${finding.unresolved.join(', ')} (the inspector starts from defaults; set them there).\n\n`);
    for (const issue of finding.issues) text.appendMarkdown(`⚠ ${escape(issue.message)}\n\n`);
    if (density.known) text.appendMarkdown(`![masks of every head](${thumbnail(finding)})`);
    return new vscode.Hover(text, toRange(finding.range));
  }

  private quickFixes(document: vscode.TextDocument, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== 'sparse-attn' || typeof d.code !== 'string') continue;
      const finding = this.findings(document).find((f) => f.issues.some((i) => i.key === d.code && toRange(i.range).isEqual(d.range)));
      const where = finding?.found[d.code];
      if (!finding || !where) continue;
      for (const fix of fixesFor(finding.config, d.code)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, toRange(where.range), String(fix.value));
        action.diagnostics = [d];
        actions.push(action);
      }
      if (actions.length) actions[0].isPreferred = true;
    }
    return actions;
  }
}

function diagnostic(finding: ConfigFinding, issue: ConfigFinding['issues'][number]): vscode.Diagnostic {
  const d = new vscode.Diagnostic(toRange(issue.range), issue.message, vscode.DiagnosticSeverity.Error);
  d.source = 'sparse-attn';
  if (issue.key) d.code = issue.key;
  return d;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** Every head's mask side by side, 48 pixels a head (max-pooled: no allowed cell disappears), as a PNG data URI. */
function thumbnail(finding: ConfigFinding): string {
  // At most one pixel per position: a pixel row covering no row would draw a gap.
  const size = Math.min(48, finding.config.n);
  const heads = buildPattern(finding.config).heads.slice(0, 8);
  const width = heads.length * (size + 2);
  const pixels = new Uint8Array(width * size).fill(255);
  heads.forEach((head, h) => {
    const pooled = poolMask(head, { row: 0, col: 0, span: finding.config.n }, size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pixels[y * width + h * (size + 2) + x] = pooled[y * size + x] > 0 ? 40 : 235;
  });
  return `data:image/png;base64,${encodeGrayPng(width, size, pixels).toString('base64')}`;
}
