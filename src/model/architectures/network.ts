/** What every architecture module provides: its recognition keys and a network that runs its blocks. */
import type { HfConfig } from '../hfConfig';
import type { LayerQkv } from '../layerQkv';
import type { WeightProvider } from '../weights';

export type ArchitectureName = 'gpt2' | 'llama' | 'bert' | 'gpt-neox';

/** The sizes and rules of one model, from config.json and the tensor shapes. */
export interface ModelInfo {
  architecture: ArchitectureName;
  /** The tensor-name prefix the checkpoint uses ('transformer.', 'model.', 'bert.', 'gpt_neox.' or ''). */
  prefix: string;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  hidden: number;
  vocab: number;
  causal: boolean;
  /** The most tokens the model takes, and which setting says so. */
  tokenLimit?: { count: number; setting: string };
}

/** One model's blocks over its weights; hidden states are [n, hidden] float32. */
export interface Network {
  readonly info: ModelInfo;
  /** The input of layer 0. */
  embed(tokens: readonly number[]): Promise<Float32Array>;
  /** Q/K/V of `layer` for its input x, after the model's input norm and RoPE. */
  qkv(layer: number, x: Float32Array, n: number): Promise<LayerQkv>;
  /** The output of `layer` for its input x (the input of the next layer). */
  block(layer: number, x: Float32Array, n: number): Promise<Float32Array>;
}

/** Facts a checkpoint without config.json cannot tell (the head count is not in any tensor's shape). */
export interface ModelHints {
  heads?: number;
}

export interface Architecture {
  name: ArchitectureName;
  /** How people call it in messages. */
  label: string;
  /** config.json model_type values it runs. */
  modelTypes: readonly string[];
  /** The name prefixes its checkpoints use (a *ForCausalLM's and a bare model's). */
  prefixes: readonly string[];
  /** Layer 0's attention weight after the prefix: the tensor that recognises the architecture. */
  probe: string;
  open(config: HfConfig, weights: WeightProvider, prefix: string, hints: ModelHints): Network;
}
