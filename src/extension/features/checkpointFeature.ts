/**
 * Load Checkpoint…: a model's real Q/K/V for one layer and the user's text, in the inspector. The
 * checkpoint is read where it lies (the extension host), the forward pass runs in a worker thread
 * with progress and Cancel, and the panel then computes attention under the pattern with the
 * model's own Q/K/V. The coverage (how much of the model's dense attention mass the pattern keeps,
 * per head) is computed here for every config the panel draws.
 */
import * as vscode from 'vscode';
import { basename } from 'path';
import { Worker } from 'worker_threads';
import { buildPattern, PatternConfig, validateConfig } from '../../core';
import { coverage } from '../../model';
import { coverageLines } from '../../model/layerReport';
import { cachedModels } from '../../huggingFaceCache';
import type { Sequence } from '../../protocol';
import { InspectorPanel } from '../inspectorPanel';
import type { ModelLayer, ModelRequest, ModelWorkerMessage, NamedProjection, UnknownModel } from '../modelWorker';
import { configFromSettings } from '../settings';
import type { Guard } from './guarded';
import { askProjection } from './projectionPicks';

export interface CoverageShown {
  config: PatternConfig;
  lines: string[];
  /** The layer mean, undefined when the config does not fit the model's n and heads. */
  mean?: number;
}

const SAMPLE_TEXT = 'The quick brown fox jumps over the lazy dog, then rests in the shade of an old oak tree.';

export class CheckpointFeature implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private loaded?: { layer: ModelLayer; sequence: Sequence };
  lastCoverage?: CoverageShown;

  constructor(
    private readonly panel: InspectorPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    guarded: Guard,
  ) {
    this.subscriptions.push(
      vscode.commands.registerCommand('sparseAttention.loadCheckpoint', guarded('Load Checkpoint', (uri?: unknown, options?: unknown) => this.load(uri, options))),
      panel.onRender((summary) => this.showCoverage(summary.config)),
    );
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  /** `options` (scripts, tests): {layer?, text?, heads?, projection?}; what is missing is asked for (projection: only for an unknown architecture). */
  private async load(uriArg: unknown, options: unknown): Promise<void> {
    const given = (options ?? {}) as { layer?: unknown; text?: unknown; heads?: unknown; projection?: NamedProjection };
    const path = typeof uriArg === 'string' ? uriArg : uriArg instanceof vscode.Uri ? uriArg.fsPath : await pickModel();
    if (!path) return;
    const layer = typeof given.layer === 'number' ? given.layer : await askLayer();
    if (layer === undefined) return;
    const selection = vscode.window.activeTextEditor?.selection;
    const selected = selection && !selection.isEmpty ? vscode.window.activeTextEditor!.document.getText(selection) : undefined;
    const text = typeof given.text === 'string' ? given.text : await vscode.window.showInputBox({ title: 'Text to run through the model', value: selected ?? SAMPLE_TEXT, prompt: 'Its tokens label the maps' });
    if (text === undefined) return;
    const request: ModelRequest = { path, layer, text, ...(typeof given.heads === 'number' ? { heads: given.heads } : {}) };
    const run = (r: ModelRequest) =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Loading ${basename(path)}, layer ${layer}`, cancellable: true }, (progress, token) => this.runWorker(r, progress, token));
    let answer = await run(request);
    if (answer && 'unknownArchitecture' in answer) {
      // Not an architecture the forward pass runs: the user names its projections, as with the CLI's --q/--k/--v.
      const projection = typeof given.projection === 'object' && given.projection !== null ? given.projection : await askProjection(answer, path, layer);
      if (!projection) return;
      answer = await run({ ...request, projection });
    }
    if (!answer || 'unknownArchitecture' in answer) return;
    const result = answer;
    const where = vscode.workspace.asRelativePath(path);
    this.log.info(`checkpoint ${path} (${result.format}): ${result.name} layer ${result.layer} of ${result.layers ?? '?'}, ${result.tokens.length} tokens, read ${result.bytesRead} bytes`);
    const sequence: Sequence = {
      tokens: result.labels,
      source: `${result.name}'s tokenizer (${result.tokenizer}) on your text`,
      qkv: { heads: result.heads, d: result.headDim, q: result.q, k: result.k, v: result.v },
      model: { name: result.name, layer: result.layer, path: where },
    };
    this.loaded = { layer: result, sequence };
    const base = this.panel.currentState?.config ?? configFromSettings();
    // The pattern attends the way the model does (a BERT-like encoder both ways), where the pattern has the choice.
    const direction = 'bidirectional' in base ? { bidirectional: !result.causal } : {};
    const config = { ...base, n: result.tokens.length, heads: result.heads, ...direction } as PatternConfig;
    this.panel.show({ config, sequence: this.panel.adoptSequence(sequence) });
  }

  private runWorker(request: ModelRequest, progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken): Promise<ModelLayer | UnknownModel | undefined> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(vscode.Uri.joinPath(this.extensionUri, 'dist', 'model-worker.js').fsPath, { workerData: { modelRequest: request } });
      let reported = 0;
      token.onCancellationRequested(() => {
        void worker.terminate();
        resolve(undefined);
      });
      worker.on('message', (message: ModelWorkerMessage) => {
        if (message.type === 'progress') {
          const share = (100 * message.done) / message.total;
          progress.report({ message: message.what, increment: share - reported });
          reported = share;
        } else if (message.type === 'done' || message.type === 'unknown') resolve(message.result);
        else reject(new Error(message.message));
        if (message.type !== 'progress') void worker.terminate();
      });
      worker.on('error', (e) => reject(e));
      // A worker that dies without answering (out of memory, say) must not leave the progress spinning.
      worker.on('exit', (code) => reject(new Error(`the model worker stopped (exit code ${code}) before it answered`)));
    });
  }

  /** The coverage shown for exactly this config (for Export… JSON), if a checkpoint is loaded. */
  coverageFor(config: PatternConfig): CoverageShown | undefined {
    return this.lastCoverage && JSON.stringify(this.lastCoverage.config) === JSON.stringify(config) ? this.lastCoverage : undefined;
  }

  /** After each render: the coverage of the loaded layer under the config drawn, or why there is none. */
  private showCoverage(config: PatternConfig): void {
    const loaded = this.loaded;
    const model = this.panel.currentState?.sequence?.model;
    if (!loaded || !model || model.path !== loaded.sequence.model!.path || model.layer !== loaded.layer.layer) {
      if (this.lastCoverage) this.panel.post({ type: 'coverage', lines: [] });
      this.lastCoverage = undefined;
      return;
    }
    if (this.lastCoverage && JSON.stringify(this.lastCoverage.config) === JSON.stringify(config)) return;
    const { layer } = loaded;
    const n = layer.tokens.length;
    let shown: CoverageShown;
    if (config.n !== n || config.heads !== layer.heads || validateConfig(config).length) {
      shown = { config, lines: [`Coverage of ${layer.name}'s attention: set n = ${n} and heads = ${layer.heads} (the model's) and a valid config to see how much of it this pattern keeps.`] };
    } else {
      const result = coverage({ heads: layer.heads, n, probs: layer.dense }, buildPattern(config));
      const lines = coverageLines(result, config);
      const note = layer.causal || (config as { bidirectional?: boolean }).bidirectional ? '' : ' (the model attends both ways: compare a bidirectional pattern)';
      shown = { config, mean: result.mean, lines: [`${layer.name}, layer ${layer.layer}: ${lines[lines.length - 1]}${note}`, ...lines.slice(0, -1)] };
    }
    this.lastCoverage = shown;
    this.panel.post({ type: 'coverage', lines: shown.lines });
  }
}

/** A file or folder, or a model in the Hugging Face cache. */
async function pickModel(): Promise<string | undefined> {
  const cached = cachedModels();
  const items: Array<vscode.QuickPickItem & { path?: string; pick?: 'file' | 'folder' }> = [
    { label: '$(file) Weights file…', pick: 'file', detail: '.safetensors, .pt, .bin, .pth, .npz, .pkl, .onnx' },
    { label: '$(folder) Model folder…', pick: 'folder', detail: 'config.json, tokenizer.json and the weights (sharded through an index)' },
    ...cached.map((m) => ({ label: m.name, description: `Hugging Face cache · ${m.revision}`, detail: `${m.weightFiles.slice(0, 3).join(', ')}${m.weightFiles.length > 3 ? ', …' : ''} · ${m.path}`, path: m.path })),
  ];
  const chosen = await vscode.window.showQuickPick(items, { title: 'Load Checkpoint' });
  if (!chosen) return undefined;
  if (chosen.path) return chosen.path;
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: chosen.pick === 'file', canSelectFolders: chosen.pick === 'folder', canSelectMany: false, title: 'Load Checkpoint' });
  return picked?.[0].fsPath;
}

async function askLayer(): Promise<number | undefined> {
  const value = await vscode.window.showInputBox({ title: 'Layer', value: '0', prompt: 'The layer whose attention to show (0 is the first)', validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'a layer number: 0, 1, 2, …') });
  return value === undefined ? undefined : Number(value.trim());
}
