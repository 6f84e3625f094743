/**
 * BERT encoders (Hugging Face BertModel / BertForMaskedLM): word + position + token-type
 * embeddings (every token of type 0) and a LayerNorm; post-LN blocks (LayerNorm after each
 * residual add) with separate query/key/value nn.Linear projections, bidirectional attention, and a
 * GELU MLP. Q/K/V of a layer come straight from its input: there is no input norm. Checkpoints
 * converted from TensorFlow name the LayerNorm's parameters gamma/beta; both spellings are read.
 */
import type { HfConfig } from '../hfConfig';
import { activation, addInPlace, layerNorm, mapInPlace, splitHeads } from '../ops';
import type { LayerQkv } from '../layerQkv';
import { CheckedWeights, ModelError, WeightProvider } from '../weights';
import { applyLinear, attendDense, checkDivides, escape, headCount, layerCount, positions } from './common';
import type { Architecture, ModelHints, ModelInfo, Network } from './network';

class BertNetwork implements Network {
  readonly info: ModelInfo;
  private readonly w: CheckedWeights;
  private readonly eps: number;
  private readonly act: (x: number) => number;
  private readonly intermediate: number;
  private readonly typeVocab: number;

  constructor(config: HfConfig, weights: WeightProvider, private readonly prefix: string, hints: ModelHints) {
    this.w = new CheckedWeights(weights, 'BERT');
    const positionType = config.string('position_embedding_type') ?? 'absolute';
    if (positionType !== 'absolute') throw new ModelError(`config.json's position_embedding_type is "${positionType}"; only "absolute" is computed here`);
    const words = () => this.w.shape(`${prefix}embeddings.word_embeddings.weight`);
    const hidden = config.count('hidden_size') ?? words()[1];
    const heads = headCount(config, ['num_attention_heads'], hints, 'BERT');
    this.info = {
      architecture: 'bert',
      prefix,
      layers: layerCount(config, ['num_hidden_layers'], weights.names(), new RegExp(`^${escape(prefix)}encoder\\.layer\\.(\\d+)\\.`)),
      heads,
      kvHeads: heads,
      headDim: checkDivides(hidden, heads, 'BERT'),
      hidden,
      vocab: config.count('vocab_size') ?? words()[0],
      // BERT used as a decoder (BertLMHeadModel) masks causally.
      causal: config.flag('is_decoder', false),
      tokenLimit: { count: config.count('max_position_embeddings') ?? this.w.shape(`${prefix}embeddings.position_embeddings.weight`)[0], setting: 'max_position_embeddings' },
    };
    this.eps = config.positive('layer_norm_eps') ?? 1e-12;
    this.act = activation(config.string('hidden_act') ?? 'gelu');
    this.intermediate = config.count('intermediate_size') ?? this.w.shape(`${prefix}encoder.layer.0.intermediate.dense.weight`)[0];
    this.typeVocab = config.count('type_vocab_size') ?? this.w.shape(`${prefix}embeddings.token_type_embeddings.weight`)[0];
  }

  private async norm(name: string, x: Float32Array, n: number): Promise<Float32Array> {
    const d = this.info.hidden;
    const weight = await this.w.read(this.w.firstPresent(`${name}.weight`, `${name}.gamma`), [d]);
    const bias = await this.w.read(this.w.firstPresent(`${name}.bias`, `${name}.beta`), [d]);
    return layerNorm(x, n, d, weight, bias, this.eps);
  }

  private async dense(name: string, x: Float32Array, n: number, inDim: number, outDim: number): Promise<Float32Array> {
    return applyLinear(this.w, name, x, n, inDim, outDim, 'required');
  }

  async embed(tokens: readonly number[]): Promise<Float32Array> {
    const { hidden: d, vocab } = this.info;
    const at = `${this.prefix}embeddings.`;
    const x = await this.w.rows(`${at}word_embeddings.weight`, [vocab, d], tokens, 'token');
    addInPlace(x, await this.w.rows(`${at}position_embeddings.weight`, [this.info.tokenLimit!.count, d], positions(tokens.length), 'position'));
    // Every token is of type 0 (one segment).
    addInPlace(x, await this.w.rows(`${at}token_type_embeddings.weight`, [this.typeVocab, d], new Array<number>(tokens.length).fill(0), 'token type'));
    return this.norm(`${at}LayerNorm`, x, tokens.length);
  }

  async qkv(layer: number, x: Float32Array, n: number): Promise<LayerQkv> {
    const { hidden: d, heads, headDim, causal } = this.info;
    const at = `${this.prefix}encoder.layer.${layer}.attention.self.`;
    const project = async (name: string) => splitHeads(await this.dense(`${at}${name}`, x, n, d, d), n, d, heads, headDim);
    return { layer, n, heads, headDim, kvHeads: heads, q: await project('query'), k: await project('key'), v: await project('value'), scale: 1 / Math.sqrt(headDim), causal };
  }

  async block(layer: number, x: Float32Array, n: number): Promise<Float32Array> {
    const d = this.info.hidden;
    const at = `${this.prefix}encoder.layer.${layer}.`;
    const attended = attendDense(await this.qkv(layer, x, n));
    const mid = await this.norm(`${at}attention.output.LayerNorm`, addInPlace(await this.dense(`${at}attention.output.dense`, attended, n, d, d), x), n);
    const hidden = mapInPlace(await this.dense(`${at}intermediate.dense`, mid, n, d, this.intermediate), this.act);
    return this.norm(`${at}output.LayerNorm`, addInPlace(await this.dense(`${at}output.dense`, hidden, n, this.intermediate, d), mid), n);
  }
}

export const bert: Architecture = {
  name: 'bert',
  label: 'BERT',
  modelTypes: ['bert'],
  prefixes: ['bert.', ''],
  probe: 'encoder.layer.0.attention.self.query.weight',
  open: (config, weights, prefix, hints) => new BertNetwork(config, weights, prefix, hints),
};
