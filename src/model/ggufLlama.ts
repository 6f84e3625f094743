/**
 * A GGUF file as the forward pass's input. llama.cpp's `llama` architecture (what
 * convert_hf_to_gguf.py writes for LlamaForCausalLM and MistralForCausalLM) is the Hugging Face
 * Llama network under other names: the hyperparameters come from `llama.*` metadata, the tensors
 * are renamed back (gguf-py's tensor_mapping.py: token_embd ← model.embed_tokens, blk.N.attn_q ←
 * model.layers.N.self_attn.q_proj, …), and the Q and K rows are put back in Hugging Face's order
 * (the converter's LlamaModel.permute interleaves each head's two RoPE halves for llama.cpp's kernel).
 * llama.cpp's `gpt2` is mapped in ggufGpt2.ts; other architectures are refused by name.
 */
import type { ModelSummary } from './modelConfig';
import { GgufKeys } from './ggufKeys';
import { gpt2Forward } from './ggufGpt2';
import { readRowRangeOf, rowLengthOf } from './rows';
import type { OpenedCheckpoint } from './types';
import { ModelError, WeightProvider } from './weights';

export interface GgufForward {
  /** What a Hugging Face config.json for the same model says (model_type llama). */
  config: Record<string, unknown>;
  /** The tensors under Hugging Face's names, Q and K un-permuted. */
  weights: WeightProvider;
}

/** gguf-py's names (blk.N.<name>) for a Llama layer's tensors, and the Hugging Face module each came from. */
const LAYER_TENSORS: Record<string, string> = {
  attn_norm: 'input_layernorm',
  attn_q: 'self_attn.q_proj',
  attn_k: 'self_attn.k_proj',
  attn_v: 'self_attn.v_proj',
  attn_output: 'self_attn.o_proj',
  ffn_norm: 'post_attention_layernorm',
  ffn_gate: 'mlp.gate_proj',
  ffn_up: 'mlp.up_proj',
  ffn_down: 'mlp.down_proj',
};
const MODEL_TENSORS: Record<string, string> = { token_embd: 'model.embed_tokens', output_norm: 'model.norm', output: 'lm_head' };

/** The Hugging Face name of a GGUF tensor of the llama architecture, or undefined for one it has no counterpart of. */
export function hfNameOf(ggufName: string): string | undefined {
  const layer = /^blk\.(\d+)\.(\w+)\.(weight|bias)$/.exec(ggufName);
  if (layer) return LAYER_TENSORS[layer[2]] === undefined ? undefined : `model.layers.${layer[1]}.${LAYER_TENSORS[layer[2]]}.${layer[3]}`;
  const top = /^(\w+)\.(weight|bias)$/.exec(ggufName);
  return top && MODEL_TENSORS[top[1]] !== undefined ? `${MODEL_TENSORS[top[1]]}.${top[2]}` : undefined;
}

/**
 * Undoes convert_hf_to_gguf.py's LlamaModel.permute(w, heads): `w.reshape(heads, 2, rows / heads / 2, …)
 * .swapaxes(1, 2)`, so inside each head GGUF row 2i + s holds Hugging Face row s·(headDim/2) + i.
 * `values` is [rows, cols] (a weight) or [rows] (a bias, cols 1).
 */
export function unpermuteRows(values: Float32Array, rows: number, heads: number): Float32Array {
  const headDim = rows / heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new ModelError(`GGUF: ${rows} Q/K rows do not split into ${heads} heads of an even size, as llama.cpp's RoPE layout needs`);
  const cols = values.length / rows;
  const half = headDim / 2;
  const out = new Float32Array(values.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let s = 0; s < 2; s++) {
        const from = (h * headDim + 2 * i + s) * cols;
        out.set(values.subarray(from, from + cols), (h * headDim + s * half + i) * cols);
      }
    }
  }
  return out;
}

/** What GGUF metadata says about the model, for `checkpoint list` (never refuses: unknown keys leave fields empty). */
export function ggufSummary(checkpoint: Pick<OpenedCheckpoint, 'ggufMetadata'>): ModelSummary | undefined {
  const values = checkpoint.ggufMetadata;
  const arch = values?.get('general.architecture');
  if (!values || typeof arch !== 'string') return undefined;
  const count = (key: string) => {
    const value = values.get(`${arch}.${key}`);
    const n = typeof value === 'bigint' ? Number(value) : value;
    return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
  };
  const heads = count('attention.head_count');
  const hidden = count('embedding_length');
  const kvHeads = count('attention.head_count_kv');
  return {
    architecture: arch,
    layers: count('block_count'),
    heads,
    kvHeads: kvHeads !== undefined && kvHeads !== heads ? kvHeads : undefined,
    hidden,
    headDim: count('attention.key_length') ?? (heads && hidden && hidden % heads === 0 ? hidden / heads : undefined),
    source: 'GGUF metadata',
  };
}

/** The config and the renamed, un-permuted weights of a GGUF file's model; a ModelError for what is not mapped. */
export function ggufForward(checkpoint: Pick<OpenedCheckpoint, 'ggufMetadata' | 'tensors' | 'read' | 'readRowRange'>, file: string): GgufForward {
  const keys = new GgufKeys(checkpoint.ggufMetadata ?? new Map(), file);
  const arch = keys.string('general.architecture');
  if (arch === 'gpt2') return gpt2Forward(checkpoint, keys, file);
  if (arch !== 'llama') {
    throw new ModelError(`${file}: general.architecture is ${arch === undefined ? 'missing' : `"${arch}"`}; the inspector runs GGUF files of the llama (Llama, Mistral) and gpt2 architectures only`);
  }
  const hidden = keys.required('llama.embedding_length', keys.count('llama.embedding_length'));
  const heads = keys.required('llama.attention.head_count', keys.count('llama.attention.head_count'));
  const kvHeads = keys.count('llama.attention.head_count_kv') ?? heads;
  const headDim = keys.count('llama.attention.key_length') ?? hidden / heads;
  const valueLength = keys.count('llama.attention.value_length');
  if (valueLength !== undefined && valueLength !== headDim) throw new ModelError(`${file}: llama.attention.value_length ${valueLength} differs from the key length ${headDim}, which a Llama does not do`);
  const ropeDims = keys.count('llama.rope.dimension_count');
  if (ropeDims !== undefined && ropeDims !== headDim) throw new ModelError(`${file}: llama.rope.dimension_count is ${ropeDims} but the heads have ${headDim} dimensions; only RoPE over the whole head is computed`);
  const scaling = keys.string('llama.rope.scaling.type');
  if (scaling !== undefined && scaling !== 'none') throw new ModelError(`${file}: llama.rope.scaling.type is "${scaling}"; only plain RoPE is computed`);
  const names = new Set(checkpoint.tensors.map((t) => t.name));
  if (names.has('rope_freqs.weight')) throw new ModelError(`${file} holds rope_freqs.weight (Llama 3.1-style RoPE scaling); only plain RoPE is computed`);
  if ((keys.count('llama.expert_count') ?? 0) > 0) throw new ModelError(`${file} is a mixture of experts (llama.expert_count); only dense Llama blocks are computed`);
  const config: Record<string, unknown> = {
    model_type: 'llama',
    hidden_size: hidden,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    num_hidden_layers: keys.required('llama.block_count', keys.count('llama.block_count')),
    head_dim: headDim,
    rms_norm_eps: keys.required('llama.attention.layer_norm_rms_epsilon', keys.positive('llama.attention.layer_norm_rms_epsilon')),
    // llama.cpp's default base when the file gives none.
    rope_theta: keys.positive('llama.rope.freq_base') ?? 10000,
    hidden_act: 'silu',
    max_position_embeddings: keys.count('llama.context_length'),
    intermediate_size: keys.count('llama.feed_forward_length'),
  };
  const fromHf = new Map<string, string>();
  for (const name of names) fromHf.set(hfNameOf(name) ?? name, name);
  const shapes = new Map(checkpoint.tensors.map((t) => [t.name, t.shape]));
  const rowHeads = (hfName: string) => (/\.self_attn\.q_proj\./.test(hfName) ? heads : /\.self_attn\.k_proj\./.test(hfName) ? kvHeads : undefined);
  const ggufName = (hfName: string) => {
    const name = fromHf.get(hfName);
    if (name === undefined) throw new ModelError(`no tensor named ${hfName} in ${file}`);
    return name;
  };
  const weights: WeightProvider = {
    names: () => [...fromHf.keys()],
    shape: (hfName) => [...shapes.get(ggufName(hfName))!],
    read: async (hfName) => {
      const name = ggufName(hfName);
      const values = await checkpoint.read(name);
      const permutedHeads = rowHeads(hfName);
      return permutedHeads === undefined ? values : unpermuteRows(values, shapes.get(name)![0], permutedHeads);
    },
    readRowRange: async (hfName, start, count) => {
      const name = ggufName(hfName);
      if (rowHeads(hfName) === undefined) return readRowRangeOf(checkpoint, name, start, count);
      const shape = shapes.get(name)!;
      const rowLength = rowLengthOf(shape);
      return (await weights.read(hfName)).slice(start * rowLength, (start + count) * rowLength);
    },
  };
  return { config, weights };
}
