/**
 * Llama-style decoders (Hugging Face LlamaModel; Mistral has the same tensors, Qwen2 adds biases to
 * q, k and v): token embeddings
 * only; pre-RMSNorm blocks with separate q/k/v/o projections (nn.Linear, [out, in]), grouped-query
 * heads (num_key_value_heads ≤ num_attention_heads), RoPE in the rotate_half convention on q and k,
 * causal attention, and a SwiGLU MLP: down(act(gate(x)) · up(x)).
 */
import type { HfConfig } from '../hfConfig';
import { activation, addInPlace, applyRope, repeatHeads, rmsNorm, ropeFrequencies, splitHeads } from '../ops';
import type { LayerQkv } from '../layerQkv';
import { CheckedWeights, ModelError, WeightProvider } from '../weights';
import { applyLinear, attendDense, checkPlainRope, escape, headCount, layerCount } from './common';
import type { Architecture, ModelHints, ModelInfo, Network } from './network';

class LlamaNetwork implements Network {
  readonly info: ModelInfo;
  private readonly w: CheckedWeights;
  private readonly eps: number;
  private readonly act: (x: number) => number;
  private readonly intermediate: number;
  private readonly frequencies: Float64Array;

  constructor(config: HfConfig, weights: WeightProvider, private readonly prefix: string, hints: ModelHints) {
    this.w = new CheckedWeights(weights, 'Llama');
    const embedding = () => this.w.shape(`${prefix}embed_tokens.weight`);
    const hidden = config.count('hidden_size') ?? embedding()[1];
    const heads = headCount(config, ['num_attention_heads'], hints, 'Llama');
    const headDim = config.count('head_dim') ?? hidden / heads;
    if (!Number.isInteger(headDim)) throw new ModelError(`Llama: the hidden size ${hidden} is not a multiple of the ${heads} heads; config.json needs head_dim`);
    // Without config.json the K projection's rows say how many K/V heads there are.
    const kvHeads = config.count('num_key_value_heads') ?? (config.present ? heads : this.w.shape(`${prefix}layers.0.self_attn.k_proj.weight`)[0] / headDim);
    if (!Number.isInteger(kvHeads) || heads % kvHeads !== 0) {
      throw new ModelError(`Llama: ${heads} query heads cannot share ${kvHeads} key/value heads (num_key_value_heads must divide num_attention_heads)`);
    }
    checkPlainRope(config);
    // Mistral always attends within its sliding window; Qwen2 only with use_sliding_window.
    const modelType = config.string('model_type');
    const windowed = modelType === 'mistral' || (modelType === 'qwen2' && config.flag('use_sliding_window', false));
    const window = windowed ? config.count('sliding_window') : undefined;
    const positions = config.count('max_position_embeddings');
    this.info = {
      architecture: 'llama',
      prefix,
      layers: layerCount(config, ['num_hidden_layers'], weights.names(), new RegExp(`^${escape(prefix)}layers\\.(\\d+)\\.`)),
      heads,
      kvHeads,
      headDim,
      hidden,
      vocab: config.count('vocab_size') ?? embedding()[0],
      causal: true,
      // A sliding window shorter than the text would change the attention; the dense causal pass refuses it.
      tokenLimit: window !== undefined && (positions === undefined || window < positions) ? { count: window, setting: 'sliding_window' } : positions === undefined ? undefined : { count: positions, setting: 'max_position_embeddings' },
    };
    this.eps = config.positive('rms_norm_eps') ?? 1e-6;
    this.act = activation(config.string('hidden_act') ?? 'silu');
    this.intermediate = config.count('intermediate_size') ?? this.w.shape(`${prefix}layers.0.mlp.gate_proj.weight`)[0];
    this.frequencies = ropeFrequencies(headDim, config.positive('rope_theta') ?? 10000);
  }

  async embed(tokens: readonly number[]): Promise<Float32Array> {
    const { hidden: d, vocab } = this.info;
    return this.w.rows(`${this.prefix}embed_tokens.weight`, [vocab, d], tokens, 'token');
  }

  /** An nn.Linear [out, in] applied to x [n, in]; its bias only where the checkpoint has one (Qwen-style attention_bias). */
  private async project(name: string, x: Float32Array, n: number, inDim: number, outDim: number): Promise<Float32Array> {
    return applyLinear(this.w, name, x, n, inDim, outDim, 'optional');
  }

  private async norm(name: string, x: Float32Array, n: number): Promise<Float32Array> {
    const d = this.info.hidden;
    return rmsNorm(x, n, d, await this.w.read(`${name}.weight`, [d]), this.eps);
  }

  async qkv(layer: number, x: Float32Array, n: number): Promise<LayerQkv> {
    const { hidden: d, heads, kvHeads, headDim } = this.info;
    const at = `${this.prefix}layers.${layer}.`;
    const h = await this.norm(`${at}input_layernorm`, x, n);
    const kvWidth = kvHeads * headDim;
    const q = splitHeads(await this.project(`${at}self_attn.q_proj`, h, n, d, heads * headDim), n, heads * headDim, heads, headDim);
    const k = splitHeads(await this.project(`${at}self_attn.k_proj`, h, n, d, kvWidth), n, kvWidth, kvHeads, headDim);
    const v = splitHeads(await this.project(`${at}self_attn.v_proj`, h, n, d, kvWidth), n, kvWidth, kvHeads, headDim);
    applyRope(q, heads, n, headDim, this.frequencies);
    applyRope(k, kvHeads, n, headDim, this.frequencies);
    const group = heads / kvHeads;
    return {
      layer,
      n,
      heads,
      headDim,
      kvHeads,
      q,
      k: repeatHeads(k, kvHeads, group, n, headDim),
      v: repeatHeads(v, kvHeads, group, n, headDim),
      scale: 1 / Math.sqrt(headDim),
      causal: true,
    };
  }

  async block(layer: number, x: Float32Array, n: number): Promise<Float32Array> {
    const { hidden: d, heads, headDim } = this.info;
    const at = `${this.prefix}layers.${layer}.`;
    const attended = attendDense(await this.qkv(layer, x, n));
    const out = addInPlace(await this.project(`${at}self_attn.o_proj`, attended, n, heads * headDim, d), x);
    const h = await this.norm(`${at}post_attention_layernorm`, out, n);
    const gate = await this.project(`${at}mlp.gate_proj`, h, n, d, this.intermediate);
    const up = await this.project(`${at}mlp.up_proj`, h, n, d, this.intermediate);
    for (let k = 0; k < gate.length; k++) gate[k] = this.act(gate[k]) * up[k];
    return addInPlace(await this.project(`${at}mlp.down_proj`, gate, n, this.intermediate, d), out);
  }
}

export const llama: Architecture = {
  name: 'llama',
  label: 'Llama',
  modelTypes: ['llama', 'mistral', 'qwen2'],
  prefixes: ['model.', ''],
  probe: 'layers.0.self_attn.q_proj.weight',
  open: (config, weights, prefix, hints) => new LlamaNetwork(config, weights, prefix, hints),
};
