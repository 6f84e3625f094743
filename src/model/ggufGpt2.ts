/**
 * llama.cpp's `gpt2` architecture (convert_hf_to_gguf.py's GPT2Model) as Hugging Face's GPT-2: the
 * sizes from `gpt2.*` metadata, gguf-py's names mapped back (token_embd ← wte, position_embd ← wpe,
 * blk.N.attn_qkv ← h.N.attn.c_attn, …), and the Conv1D weights (c_attn, c_proj, c_fc), which the
 * converter transposes to nn.Linear's [out, in], transposed back to [in, out].
 */
import type { GgufForward } from './ggufLlama';
import type { GgufKeys } from './ggufKeys';
import { transpose } from './ops';
import { readRowRangeOf, rowLengthOf } from './rows';
import type { OpenedCheckpoint } from './types';
import { ModelError, WeightProvider } from './weights';

const LAYER_TENSORS: Record<string, { hf: string; conv1d: boolean }> = {
  attn_norm: { hf: 'ln_1', conv1d: false },
  attn_qkv: { hf: 'attn.c_attn', conv1d: true },
  attn_output: { hf: 'attn.c_proj', conv1d: true },
  ffn_norm: { hf: 'ln_2', conv1d: false },
  ffn_up: { hf: 'mlp.c_fc', conv1d: true },
  ffn_down: { hf: 'mlp.c_proj', conv1d: true },
};
const MODEL_TENSORS: Record<string, string> = { token_embd: 'wte', position_embd: 'wpe', output_norm: 'ln_f', output: 'lm_head' };

/** The Hugging Face name of a gpt2-architecture GGUF tensor, and whether it is a Conv1D weight stored transposed. */
export function gpt2NameOf(ggufName: string): { hf: string; transposed: boolean } | undefined {
  const layer = /^blk\.(\d+)\.(\w+)\.(weight|bias)$/.exec(ggufName);
  if (layer) {
    const known = LAYER_TENSORS[layer[2]];
    return known && { hf: `h.${layer[1]}.${known.hf}.${layer[3]}`, transposed: known.conv1d && layer[3] === 'weight' };
  }
  const top = /^(\w+)\.(weight|bias)$/.exec(ggufName);
  return top && MODEL_TENSORS[top[1]] !== undefined ? { hf: `${MODEL_TENSORS[top[1]]}.${top[2]}`, transposed: false } : undefined;
}

export function gpt2Forward(checkpoint: Pick<OpenedCheckpoint, 'tensors' | 'read' | 'readRowRange'>, keys: GgufKeys, file: string): GgufForward {
  const config: Record<string, unknown> = {
    model_type: 'gpt2',
    n_embd: keys.required('gpt2.embedding_length', keys.count('gpt2.embedding_length')),
    n_head: keys.required('gpt2.attention.head_count', keys.count('gpt2.attention.head_count')),
    n_layer: keys.required('gpt2.block_count', keys.count('gpt2.block_count')),
    n_positions: keys.count('gpt2.context_length'),
    n_inner: keys.count('gpt2.feed_forward_length'),
    layer_norm_epsilon: keys.positive('gpt2.attention.layer_norm_epsilon'),
    activation_function: 'gelu_new',
  };
  const stored = new Map<string, { name: string; shape: number[]; transposed: boolean }>();
  for (const t of checkpoint.tensors) {
    const mapped = gpt2NameOf(t.name);
    const transposed = mapped?.transposed === true && t.shape.length === 2;
    stored.set(mapped?.hf ?? t.name, { name: t.name, shape: transposed ? [t.shape[1], t.shape[0]] : t.shape, transposed });
  }
  const get = (hfName: string) => {
    const entry = stored.get(hfName);
    if (!entry) throw new ModelError(`no tensor named ${hfName} in ${file}`);
    return entry;
  };
  const weights: WeightProvider = {
    names: () => [...stored.keys()],
    shape: (hfName) => [...get(hfName).shape],
    read: async (hfName) => {
      const { name, shape, transposed } = get(hfName);
      const values = await checkpoint.read(name);
      // Stored [out, in] = [shape[1], shape[0]]; Hugging Face's Conv1D is [in, out].
      return transposed ? transpose(values, shape[1], shape[0]) : values;
    },
    readRowRange: async (hfName, start, count) => {
      const { name, shape, transposed } = get(hfName);
      if (!transposed) return readRowRangeOf(checkpoint, name, start, count);
      const rowLength = rowLengthOf(shape);
      return (await weights.read(hfName)).slice(start * rowLength, (start + count) * rowLength);
    },
  };
  return { config, weights };
}
