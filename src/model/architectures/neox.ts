/**
 * GPT-NeoX (Hugging Face GPTNeoXModel: Pythia, GPT-NeoX-20B): token embeddings only; pre-LN blocks
 * whose fused `attention.query_key_value` (nn.Linear [3d, d]) is laid out per head — the output
 * row is [head 0: q k v, head 1: q k v, …], not q | k | v; RoPE (rotate_half) on the first
 * rotary_pct of each head's dimensions; causal attention; a GELU MLP; and by default the parallel
 * residual x + attn(ln1(x)) + mlp(ln2(x)).
 */
import type { HfConfig } from '../hfConfig';
import { activation, addInPlace, applyRope, layerNorm, mapInPlace, ropeFrequencies, splitHeads } from '../ops';
import type { LayerQkv } from '../layerQkv';
import { CheckedWeights, ModelError, WeightProvider } from '../weights';
import { applyLinear, attendDense, checkDivides, checkPlainRope, escape, headCount, layerCount } from './common';
import type { Architecture, ModelHints, ModelInfo, Network } from './network';

class NeoxNetwork implements Network {
  readonly info: ModelInfo;
  private readonly w: CheckedWeights;
  private readonly eps: number;
  private readonly act: (x: number) => number;
  private readonly intermediate: number;
  private readonly parallel: boolean;
  private readonly frequencies: Float64Array;

  constructor(config: HfConfig, weights: WeightProvider, private readonly prefix: string, hints: ModelHints) {
    this.w = new CheckedWeights(weights, 'GPT-NeoX');
    const embedding = () => this.w.shape(`${prefix}embed_in.weight`);
    const hidden = config.count('hidden_size') ?? embedding()[1];
    const heads = headCount(config, ['num_attention_heads'], hints, 'GPT-NeoX');
    const headDim = checkDivides(hidden, heads, 'GPT-NeoX');
    checkPlainRope(config);
    const positions = config.count('max_position_embeddings');
    this.info = {
      architecture: 'gpt-neox',
      prefix,
      layers: layerCount(config, ['num_hidden_layers'], weights.names(), new RegExp(`^${escape(prefix)}layers\\.(\\d+)\\.`)),
      heads,
      kvHeads: heads,
      headDim,
      hidden,
      vocab: config.count('vocab_size') ?? embedding()[0],
      causal: true,
      tokenLimit: positions === undefined ? undefined : { count: positions, setting: 'max_position_embeddings' },
    };
    const rotaryPct = config.positive('rotary_pct', 'partial_rotary_factor') ?? 0.25;
    // int(head_dim * rotary_pct), as Hugging Face computes rotary_ndims.
    const rotaryDims = Math.floor(headDim * Math.min(rotaryPct, 1));
    if (rotaryDims % 2 !== 0) throw new ModelError(`GPT-NeoX: rotary_pct ${rotaryPct} of head size ${headDim} gives ${rotaryDims} rotary dimensions; RoPE needs an even number`);
    this.frequencies = ropeFrequencies(rotaryDims, config.positive('rotary_emb_base', 'rope_theta') ?? 10000);
    this.eps = config.positive('layer_norm_eps') ?? 1e-5;
    this.act = activation(config.string('hidden_act') ?? 'gelu');
    this.intermediate = config.count('intermediate_size') ?? this.w.shape(`${prefix}layers.0.mlp.dense_h_to_4h.weight`)[0];
    this.parallel = config.flag('use_parallel_residual', true);
  }

  async embed(tokens: readonly number[]): Promise<Float32Array> {
    const { hidden: d, vocab } = this.info;
    return this.w.rows(`${this.prefix}embed_in.weight`, [vocab, d], tokens, 'token');
  }

  private async dense(name: string, x: Float32Array, n: number, inDim: number, outDim: number): Promise<Float32Array> {
    return applyLinear(this.w, name, x, n, inDim, outDim, 'optional');
  }

  private async norm(name: string, x: Float32Array, n: number): Promise<Float32Array> {
    const d = this.info.hidden;
    return layerNorm(x, n, d, await this.w.read(`${name}.weight`, [d]), await this.w.read(`${name}.bias`, [d]), this.eps);
  }

  async qkv(layer: number, x: Float32Array, n: number): Promise<LayerQkv> {
    const { hidden: d, heads, headDim } = this.info;
    const at = `${this.prefix}layers.${layer}.`;
    const fused = await this.dense(`${at}attention.query_key_value`, await this.norm(`${at}input_layernorm`, x, n), n, d, 3 * d);
    // Head h's q, k and v are columns 3·h·headDim + [0, 1, 2]·headDim of the fused row.
    const part = (which: number) => splitHeads(fused, n, 3 * d, heads, headDim, which * headDim, 3 * headDim);
    const q = part(0);
    const k = part(1);
    applyRope(q, heads, n, headDim, this.frequencies);
    applyRope(k, heads, n, headDim, this.frequencies);
    return { layer, n, heads, headDim, kvHeads: heads, q, k, v: part(2), scale: 1 / Math.sqrt(headDim), causal: true };
  }

  async block(layer: number, x: Float32Array, n: number): Promise<Float32Array> {
    const d = this.info.hidden;
    const at = `${this.prefix}layers.${layer}.`;
    const attention = await this.dense(`${at}attention.dense`, attendDense(await this.qkv(layer, x, n)), n, d, d);
    const mlp = async (input: Float32Array) => {
      const h = mapInPlace(await this.dense(`${at}mlp.dense_h_to_4h`, await this.norm(`${at}post_attention_layernorm`, input, n), n, d, this.intermediate), this.act);
      return this.dense(`${at}mlp.dense_4h_to_h`, h, n, this.intermediate, d);
    };
    if (this.parallel) return addInPlace(addInPlace(await mlp(x), attention), x);
    const mid = addInPlace(attention, x);
    return addInPlace(await mlp(mid), mid);
  }
}

export const neox: Architecture = {
  name: 'gpt-neox',
  label: 'GPT-NeoX',
  modelTypes: ['gpt_neox'],
  prefixes: ['gpt_neox.', ''],
  probe: 'layers.0.attention.query_key_value.weight',
  open: (config, weights, prefix, hints) => new NeoxNetwork(config, weights, prefix, hints),
};
