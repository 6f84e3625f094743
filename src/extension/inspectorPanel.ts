/**
 * The single inspector panel beside the editor: creates or reveals it, relays the protocol,
 * keeps the latest state (for hide/show and the serializer) and what was last rendered.
 */
import * as vscode from 'vscode';
import type { PatternConfig } from '../core/config';
import { Messenger, Reply } from '../messenger';
import { ComputeSummary, HostToWebview, InspectorSettings, InspectorState, MapsSummary, parseWebviewMessage, PasteKind, RenderSummary, Sequence, WebviewToHost } from '../protocol';
import { sequenceFromText } from '../sequence';
import { PastedNumbers } from './pastedNumbers';
import { inspectorHtml, localResourceRoots } from './webviewHtml';

export const VIEW_TYPE = 'sparseAttention.inspector';

type RenderListener = (summary: RenderSummary) => void;

export class InspectorPanel {
  private panel: vscode.WebviewPanel | undefined;
  private state: InspectorState | undefined;
  private lastSummary: RenderSummary | undefined;
  private lastComputeSummary: ComputeSummary | undefined;
  private lastMapsSummary: MapsSummary | undefined;
  private renders = 0;
  /** PNG and SVG requests to the webview, through the one messenger (src/messenger.ts). */
  private readonly images = new Messenger<WebviewToHost & Reply>(
    (message) => this.post(message as HostToWebview),
    (reply) => {
      if (reply.type === 'png') return Buffer.from(reply.dataUrl.slice('data:image/png;base64,'.length), 'base64');
      if (reply.type === 'svg') return new TextEncoder().encode(reply.text);
      throw new Error((reply as { message: string }).message);
    },
  );
  private readonly renderListeners = new Set<RenderListener>();
  /** The user's mask shown in the difference view: sent after every init (first load, reload). */
  private comparison?: Extract<HostToWebview, { type: 'compareWithMask' }>;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: () => InspectorSettings,
    private readonly pasted: PastedNumbers,
  ) {}

  /** Opens (or reveals) the panel beside the active editor and shows `state` (with the user's mask to compare, if given). */
  show(state: InspectorState, comparison?: InspectorPanel['comparison']): void {
    this.state = state;
    this.comparison = comparison;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      this.sendState();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      'Sparse Attention Inspector',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: localResourceRoots(this.extensionUri) },
    );
    this.attach(panel);
  }

  /** Called by the serializer after a window reload with the state the webview had saved. */
  restore(panel: vscode.WebviewPanel, state: InspectorState): void {
    this.state = this.pasted.complete(state);
    panel.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(this.extensionUri) };
    this.attach(panel);
  }

  get currentState(): InspectorState | undefined {
    return this.state;
  }

  get lastRender(): RenderSummary | undefined {
    return this.lastSummary;
  }

  get lastCompute(): ComputeSummary | undefined {
    return this.lastComputeSummary;
  }

  get lastMaps(): MapsSummary | undefined {
    return this.lastMapsSummary;
  }

  private sendState(): void {
    if (!this.state) return;
    this.post({ type: 'init', state: this.state, settings: this.settings() });
    if (this.comparison) this.post(this.comparison);
  }

  /** Settings changed: the webview recomputes (a new backend) or repaints (a new map renderer). */
  settingsChanged(): void {
    this.post({ type: 'settings', settings: this.settings() });
  }

  /** How many renders the webview has reported since activation. */
  get renderCount(): number {
    return this.renders;
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get isVisible(): boolean {
    return this.panel?.visible ?? false;
  }

  post(message: HostToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  /**
   * The maps as the webview shows them, as PNG bytes; with `resolution`, every head's whole map
   * at that many pixels a side (pooling a large n may take the worker a while).
   */
  requestPng(resolution?: number, timeoutMs = resolution ? 120000 : 15000): Promise<Uint8Array> {
    return this.requestImage('PNG', timeoutMs, (id) => ({ type: 'requestPng', id, resolution }));
  }

  /** Every head's whole map as the webview shows it, as SVG bytes. */
  requestSvg(timeoutMs = 120000): Promise<Uint8Array> {
    return this.requestImage('SVG', timeoutMs, (id) => ({ type: 'requestSvg', id }));
  }

  private requestImage(what: string, timeoutMs: number, message: (id: number) => HostToWebview): Promise<Uint8Array> {
    if (!this.panel) return Promise.reject(new Error(`open the inspector first: the ${what} is what it shows`));
    return this.images.request<Uint8Array>(message, { timeoutMs, timeoutMessage: `the inspector did not answer with a ${what} within ${timeoutMs / 1000} s (is it visible?)` });
  }

  /**
   * Pasted text (from the panel's text box, or a script) becomes the sequence: tokens, embeddings or
   * Q/K/V, which then travel to the webview as Float32Arrays. An error is said next to the text box.
   */
  usePastedText(text: string, kind: PasteKind): void {
    try {
      const sequence = this.pasted.adopt(sequenceFromText(text, kind, 'pasted text'));
      this.post({ type: 'setSequence', sequence });
    } catch (e) {
      // Next to the text box, in full (a notification would truncate it and cover the maps).
      this.log.warn(`pasted text: ${(e as Error).message}`);
      this.post({ type: 'pasteError', message: (e as Error).message });
    }
  }

  /**
   * The current sequence if `config` can use it; pasted or a model's Q/K/V (or embeddings) for fewer
   * positions or other heads step aside (a command that shows a config asked for that config).
   */
  sequenceFitting(config: PatternConfig): Sequence | undefined {
    const sequence = this.state?.sequence;
    if (!sequence || (!sequence.qkv && !sequence.embeddings)) return sequence;
    const fits = config.n <= sequence.tokens.length && (!sequence.qkv || sequence.qkv.heads === 1 || sequence.qkv.heads === config.heads);
    if (!fits) this.log.info(`${sequence.source} does not fit n = ${config.n} with ${config.heads} heads: shown without it`);
    return fits ? sequence : undefined;
  }

  /** A sequence with bulk numbers (a model's Q/K/V) kept by reference, as pasted numbers are. */
  adoptSequence(sequence: Sequence): Sequence {
    return this.pasted.adopt(sequence);
  }

  onRender(listener: RenderListener): vscode.Disposable {
    this.renderListeners.add(listener);
    return new vscode.Disposable(() => this.renderListeners.delete(listener));
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.svg');
    panel.webview.html = inspectorHtml(panel.webview, this.extensionUri);
    panel.webview.onDidReceiveMessage((raw) => this.receive(raw));
    void vscode.commands.executeCommand('setContext', 'sparseAttention.inspectorOpen', true);
    panel.onDidDispose(() => {
      void vscode.commands.executeCommand('setContext', 'sparseAttention.inspectorOpen', false);
      this.panel = undefined;
      this.lastSummary = undefined;
      this.images.failAll('the inspector was closed before it answered');
    });
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.log.warn(`ignored a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        // The webview asks for its state on every load (first open, re-show, reload).
        this.sendState();
        break;
      case 'stateChanged':
        // Pasted numbers come by reference: the host's copy is put back.
        this.state = this.pasted.complete(message.state);
        break;
      case 'rendered':
        this.lastSummary = message.summary;
        this.renders++;
        this.log.info(`rendered ${message.summary.config.pattern} n=${message.summary.config.n} in ${message.summary.ms.toFixed(1)} ms`);
        for (const listener of this.renderListeners) listener(message.summary);
        break;
      case 'computed':
        this.lastComputeSummary = message.compute;
        this.log.info(
          `attention n=${message.compute.n} on ${message.compute.backend} (${message.compute.kernel}, ${message.compute.reason}) in ${message.compute.ms.toFixed(1)} ms` +
            (message.compute.fallback ? `; ${message.compute.fallback}` : ''),
        );
        break;
      case 'mapsDrawn':
        this.lastMapsSummary = message.maps;
        break;
      case 'computeFailed':
        this.log.error(`attention compute failed: ${message.message}`);
        void vscode.window.showErrorMessage(`Sparse Attention Inspector: attention compute failed: ${message.message}`);
        break;
      case 'tokenize':
        this.usePastedText(message.text, message.tokenizer);
        break;
      case 'copyTorchSnippet':
        void vscode.commands.executeCommand('sparseAttention.copyTorchSnippet');
        break;
      case 'export':
        void vscode.commands.executeCommand('sparseAttention.export');
        break;
      case 'png':
      case 'svg':
      case 'pngFailed':
      case 'svgFailed':
        this.images.receive(message);
        break;
      case 'computeSkipped':
        this.log.info(`attention not computed: ${message.reason}`);
        break;
      case 'backendFailed':
        // The status line says it in one sentence; the compiler's whole text belongs here only.
        this.log.error(`attention backend ${message.backend} failed (${message.stage}):\n${message.detail}`);
        break;
      case 'log':
        this.log.info(`webview: ${message.message}`);
        break;
      case 'error':
        this.log.error(`webview: ${message.message}`);
        void vscode.window.showErrorMessage(`Sparse Attention Inspector: ${message.message}`);
        break;
    }
  }
}
