/**
 * A loaded model: its architecture and sizes, and the forward pass to any layer's Q/K/V.
 */
import { recognize } from './architectures';
import type { ArchitectureName, ModelHints, ModelInfo, Network } from './architectures/network';
import { HfConfig } from './hfConfig';
import type { LayerQkv } from './layerQkv';
import { ModelError, WeightProvider } from './weights';

export interface ForwardProgress {
  /** Steps done: the embeddings, then one per block. */
  done: number;
  total: number;
  /** What was just done, e.g. "layer 2 of 12". */
  what: string;
}

export interface QkvOptions {
  /** Checked between steps (an AbortSignal fits); once aborted, qkvAt rejects with ForwardCancelledError. */
  signal?: { readonly aborted: boolean };
  onProgress?: (progress: ForwardProgress) => void;
}

export class ForwardCancelledError extends Error {
  constructor() {
    super('the forward pass was cancelled');
    this.name = 'ForwardCancelledError';
  }
}

export class Model {
  constructor(private readonly network: Network) {}

  get info(): ModelInfo {
    return this.network.info;
  }

  get architecture(): ArchitectureName {
    return this.network.info.architecture;
  }

  /**
   * Runs the embeddings and the blocks before `layer`, then returns that layer's per-head Q, K, V
   * ([heads, n, headDim]) after its input norm and RoPE, as the model computes them for `tokens`.
   */
  async qkvAt(tokens: readonly number[], layer: number, options: QkvOptions = {}): Promise<LayerQkv> {
    const x = await this.run(tokens, layer, layer + 2, options);
    const qkv = await this.network.qkv(layer, x, tokens.length);
    options.onProgress?.({ done: layer + 2, total: layer + 2, what: `Q/K/V of layer ${layer}` });
    return qkv;
  }

  /** The hidden state [n, hidden] entering `layer` (the embeddings for layer 0), before any norm. */
  async inputOf(tokens: readonly number[], layer: number, options: QkvOptions = {}): Promise<Float32Array> {
    return this.run(tokens, layer, layer + 1, options);
  }

  /** The embeddings and the blocks before `layer`, reporting `total` steps in all. */
  private async run(tokens: readonly number[], layer: number, total: number, { signal, onProgress }: QkvOptions): Promise<Float32Array> {
    this.checkRequest(tokens, layer);
    const step = async (done: number, what: string) => {
      onProgress?.({ done, total, what });
      // Let the caller's abort (a click, a timer) run between steps.
      if (signal || onProgress) await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (signal?.aborted) throw new ForwardCancelledError();
    };
    if (signal?.aborted) throw new ForwardCancelledError();
    const n = tokens.length;
    let x = await this.network.embed(tokens);
    await step(1, 'embeddings');
    for (let k = 0; k < layer; k++) {
      x = await this.network.block(k, x, n);
      await step(k + 2, `layer ${k} of ${this.info.layers}`);
    }
    return x;
  }

  private checkRequest(tokens: readonly number[], layer: number): void {
    const { layers, vocab, tokenLimit } = this.info;
    if (!Number.isInteger(layer) || layer < 0 || layer >= layers) {
      throw new ModelError(`layer ${layer} does not exist: the model has ${layers} layers, 0 to ${layers - 1}`);
    }
    if (tokens.length === 0) throw new ModelError('no tokens: give at least one');
    const bad = tokens.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= vocab);
    if (bad >= 0) throw new ModelError(`token ${tokens[bad]} (at position ${bad}) is not in the model's vocabulary of ${vocab}: tokenize with the model's own tokenizer`);
    if (tokenLimit && tokens.length > tokenLimit.count) {
      throw new ModelError(`${tokens.length} tokens, but the model takes at most ${tokenLimit.count} (${tokenLimit.setting}): use a shorter text`);
    }
  }
}

/**
 * Recognises the architecture (config.json's model_type, else the tensor names) and opens it over
 * `weights`. `config` is config.json parsed, or undefined when there is none; then `hints.heads`
 * gives the head count, which no tensor shape holds.
 */
export async function loadModel(config: unknown | undefined, weights: WeightProvider, hints: ModelHints = {}): Promise<Model> {
  const hf = new HfConfig(config);
  const { architecture, prefix } = recognize(hf, weights);
  return new Model(architecture.open(hf, weights, prefix, hints));
}
