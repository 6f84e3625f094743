/**
 * GPT-2 (Hugging Face GPT2Model / GPT2LMHeadModel): token + position embeddings; pre-LN blocks
 * whose fused `attn.c_attn` is a Conv1D, weight [in, out] = [d, 3d] holding q | k | v; causal
 * attention; an MLP of two Conv1Ds with gelu_new.
 */
import type { HfConfig } from '../hfConfig';
import { matmul } from '../matmul';
import { activation, addInPlace, layerNorm, mapInPlace, splitHeads } from '../ops';
import type { LayerQkv } from '../layerQkv';
import { CheckedWeights, WeightProvider } from '../weights';
import { attendDense, checkDivides, escape, headCount, layerCount, positions, readPacked } from './common';
import type { Architecture, ModelHints, ModelInfo, Network } from './network';

class Gpt2Network implements Network {
  readonly info: ModelInfo;
  private readonly w: CheckedWeights;
  private readonly eps: number;
  private readonly act: (x: number) => number;
  private readonly inner: number;
  private readonly scaleWeights: boolean;
  private readonly scaleByLayer: boolean;

  constructor(config: HfConfig, weights: WeightProvider, private readonly prefix: string, hints: ModelHints) {
    this.w = new CheckedWeights(weights, 'GPT-2');
    const wte = () => this.w.shape(`${prefix}wte.weight`);
    const hidden = config.count('n_embd', 'hidden_size') ?? wte()[1];
    const heads = headCount(config, ['n_head', 'num_attention_heads'], hints, 'GPT-2');
    const positions = config.count('n_positions', 'max_position_embeddings') ?? this.w.shape(`${prefix}wpe.weight`)[0];
    this.info = {
      architecture: 'gpt2',
      prefix,
      layers: layerCount(config, ['n_layer', 'num_hidden_layers'], weights.names(), new RegExp(`^${escape(prefix)}h\\.(\\d+)\\.`)),
      heads,
      kvHeads: heads,
      headDim: checkDivides(hidden, heads, 'GPT-2'),
      hidden,
      vocab: config.count('vocab_size') ?? wte()[0],
      causal: true,
      tokenLimit: { count: positions, setting: 'n_positions' },
    };
    this.eps = config.positive('layer_norm_epsilon') ?? 1e-5;
    this.act = activation(config.string('activation_function') ?? 'gelu_new');
    this.inner = config.count('n_inner') ?? 4 * hidden;
    this.scaleWeights = config.flag('scale_attn_weights', true);
    this.scaleByLayer = config.flag('scale_attn_by_inverse_layer_idx', false);
  }

  async embed(tokens: readonly number[]): Promise<Float32Array> {
    const { hidden: d, vocab } = this.info;
    const x = await this.w.rows(`${this.prefix}wte.weight`, [vocab, d], tokens, 'token');
    const wpe = await this.w.rows(`${this.prefix}wpe.weight`, [this.info.tokenLimit!.count, d], positions(tokens.length), 'position');
    return addInPlace(x, wpe);
  }

  /** A Conv1D (weight [in, out], x · W + b) applied to x [n, in]. */
  private async conv1d(name: string, x: Float32Array, n: number, inDim: number, outDim: number): Promise<Float32Array> {
    const w = await readPacked(this.w, `${name}.weight`, inDim, outDim, 'in-out');
    return matmul(x, n, w, await this.w.read(`${name}.bias`, [outDim]));
  }

  private async norm(name: string, x: Float32Array, n: number): Promise<Float32Array> {
    const d = this.info.hidden;
    return layerNorm(x, n, d, await this.w.read(`${name}.weight`, [d]), await this.w.read(`${name}.bias`, [d]), this.eps);
  }

  async qkv(layer: number, x: Float32Array, n: number): Promise<LayerQkv> {
    const { hidden: d, heads, headDim } = this.info;
    const at = `${this.prefix}h.${layer}.`;
    const h = await this.norm(`${at}ln_1`, x, n);
    const fused = await this.conv1d(`${at}attn.c_attn`, h, n, d, 3 * d);
    let scale = this.scaleWeights ? 1 / Math.sqrt(headDim) : 1;
    if (this.scaleByLayer) scale /= layer + 1;
    return {
      layer,
      n,
      heads,
      headDim,
      kvHeads: heads,
      q: splitHeads(fused, n, 3 * d, heads, headDim, 0),
      k: splitHeads(fused, n, 3 * d, heads, headDim, d),
      v: splitHeads(fused, n, 3 * d, heads, headDim, 2 * d),
      scale,
      causal: true,
    };
  }

  async block(layer: number, x: Float32Array, n: number): Promise<Float32Array> {
    const d = this.info.hidden;
    const at = `${this.prefix}h.${layer}.`;
    const out = addInPlace(await this.conv1d(`${at}attn.c_proj`, attendDense(await this.qkv(layer, x, n)), n, d, d), x);
    const hidden = mapInPlace(await this.conv1d(`${at}mlp.c_fc`, await this.norm(`${at}ln_2`, out, n), n, d, this.inner), this.act);
    return addInPlace(await this.conv1d(`${at}mlp.c_proj`, hidden, n, this.inner, d), out);
  }
}

export const gpt2: Architecture = {
  name: 'gpt2',
  label: 'GPT-2',
  modelTypes: ['gpt2'],
  prefixes: ['transformer.', ''],
  probe: 'h.0.attn.c_attn.weight',
  open: (config, weights, prefix, hints) => new Gpt2Network(config, weights, prefix, hints),
};
