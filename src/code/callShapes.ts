/**
 * The peers' calls that build a sparse-attention config, with their real signatures: the order
 * positional arguments take, and the defaults the peer uses for arguments left out. Which config
 * key a Python parameter sets is not here: each preset's ParamSpec lists its `python` keywords.
 */
import type { PatternName } from '../core';
import type { PyValue } from './pythonValues';

export interface Signature {
  /** Parameters in order (without self). */
  names: readonly string[];
  /** The defaults the peer uses; a default of None is left out (the preset's default stands). */
  defaults: Readonly<Record<string, PyValue>>;
  /** Keywords a copy of the class spells differently (xformers' block_size for DeepSpeed's block). */
  spellings?: readonly string[];
}

export interface CallShape {
  preset: PatternName;
  signature: Signature;
  /** A parameter that must hold this string for the call to be this pattern (OpenAI's attn_mode). */
  requires?: { name: string; value: string };
  source: string;
}

// DeepSpeed deepspeed/ops/sparse_attention/sparsity_config.py (vendored in test/peers/deepspeed/, whose
// __init__s a unit test compares with these). xformers' copy spells block as block_size, same order.
const XFORMERS = ['block_size'];
const DEEPSPEED_FIXED: Signature = {
  spellings: XFORMERS,
  names: ['num_heads', 'block', 'different_layout_per_head', 'num_local_blocks', 'num_global_blocks', 'attention', 'horizontal_global_attention', 'num_different_global_patterns'],
  defaults: { block: 16, different_layout_per_head: false, num_local_blocks: 4, num_global_blocks: 1, attention: 'bidirectional', horizontal_global_attention: false, num_different_global_patterns: 1 },
};
const DEEPSPEED_VARIABLE: Signature = {
  spellings: XFORMERS,
  names: ['num_heads', 'block', 'different_layout_per_head', 'num_random_blocks', 'local_window_blocks', 'global_block_indices', 'global_block_end_indices', 'attention', 'horizontal_global_attention'],
  defaults: { block: 16, different_layout_per_head: false, num_random_blocks: 0, local_window_blocks: [4], global_block_indices: [0], attention: 'bidirectional', horizontal_global_attention: false },
};
const DEEPSPEED_BSLONGFORMER: Signature = {
  spellings: XFORMERS,
  names: ['num_heads', 'block', 'different_layout_per_head', 'num_sliding_window_blocks', 'global_block_indices', 'global_block_end_indices', 'attention'],
  defaults: { block: 16, different_layout_per_head: false, num_sliding_window_blocks: 3, global_block_indices: [0], attention: 'bidirectional' },
};
const DEEPSPEED_DENSE: Signature = { names: ['num_heads', 'block', 'different_layout_per_head'], defaults: { block: 16, different_layout_per_head: false }, spellings: XFORMERS };

// fairseq fairseq/modules/sparse_multihead_attention.py.
const FAIRSEQ: Signature = {
  names: ['embed_dim', 'num_heads', 'kdim', 'vdim', 'dropout', 'bias', 'add_bias_kv', 'add_zero_attn', 'self_attention', 'encoder_decoder_attention', 'stride', 'expressivity', 'is_bidirectional'],
  defaults: { stride: 32, expressivity: 8, is_bidirectional: true },
};

// openai/sparse_attention attention.py.
const OPENAI_IMPL: Signature = { names: ['q', 'k', 'v', 'heads', 'attn_mode', 'local_attn_ctx', 'blocksize', 'num_verts', 'vertsize'], defaults: { blocksize: 32 } };
const OPENAI_OBJ: Signature = { names: ['n_ctx', 'n_heads', 'attn_mode', 'blocksize', 'local_attn_ctx', 'num_verts', 'vertsize'], defaults: { blocksize: 32, num_verts: 4, vertsize: 1 } };
const OPENAI_FIXED = { name: 'attn_mode', value: 'fixed' };
const ATTN_MODE_SOURCE = 'attn_mode="fixed"';

/** Calls recognised by the callee's last name. */
export const CALL_SHAPES: Readonly<Record<string, CallShape>> = {
  FixedSparsityConfig: { preset: 'deepspeed-fixed', signature: DEEPSPEED_FIXED, source: 'FixedSparsityConfig(...)' },
  VariableSparsityConfig: { preset: 'deepspeed-variable', signature: DEEPSPEED_VARIABLE, source: 'VariableSparsityConfig(...)' },
  BSLongformerSparsityConfig: { preset: 'deepspeed-bslongformer', signature: DEEPSPEED_BSLONGFORMER, source: 'BSLongformerSparsityConfig(...)' },
  DenseSparsityConfig: { preset: 'deepspeed-dense', signature: DEEPSPEED_DENSE, source: 'DenseSparsityConfig(...)' },
  SparseMultiheadAttention: { preset: 'fairseq-fixed', signature: FAIRSEQ, source: 'SparseMultiheadAttention(...)' },
  blocksparse_attention_impl: { preset: 'openai-fixed', signature: OPENAI_IMPL, requires: OPENAI_FIXED, source: ATTN_MODE_SOURCE },
  get_blocksparse_obj: { preset: 'openai-fixed', signature: OPENAI_OBJ, requires: OPENAI_FIXED, source: ATTN_MODE_SOURCE },
};

/** Any other call with attn_mode="fixed": OpenAI's keywords (local_attn_ctx, num_verts, vertsize, blocksize). */
export const ATTN_MODE_SHAPE: CallShape = { preset: 'openai-fixed', signature: { names: [], defaults: {} }, requires: OPENAI_FIXED, source: ATTN_MODE_SOURCE };

/** Plain keywords (a dataclass or the user's own call): the paper's fixed pattern, when both l and c are spelled. */
export const KEYWORDS_SHAPE: CallShape = { preset: 'fixed', signature: { names: [], defaults: {} }, source: 'keywords' };
/** The same, as a class's fields with defaults (a dataclass config). */
export const CLASS_FIELDS_SHAPE: CallShape = { ...KEYWORDS_SHAPE, source: 'class fields' };

/** DeepSpeed's `"sparse_attention"` config (runtime/config.py): "mode" picks the class, "fixed" when absent. */
export const DS_CONFIG_MODES: Readonly<Record<string, CallShape>> = {
  fixed: { ...CALL_SHAPES.FixedSparsityConfig, signature: dsConfigKeys(DEEPSPEED_FIXED) },
  variable: { ...CALL_SHAPES.VariableSparsityConfig, signature: dsConfigKeys(DEEPSPEED_VARIABLE) },
  bslongformer: { ...CALL_SHAPES.BSLongformerSparsityConfig, signature: dsConfigKeys(DEEPSPEED_BSLONGFORMER) },
  dense: { ...CALL_SHAPES.DenseSparsityConfig, signature: dsConfigKeys(DEEPSPEED_DENSE) },
};
export const DS_CONFIG_DEFAULT_MODE = 'fixed';
export const DS_CONFIG_KEY = 'sparse_attention';
export const DS_CONFIG_SOURCE = 'ds_config sparse_attention';

/** The JSON config holds the class's keywords and defaults but not num_heads (the model's). */
function dsConfigKeys(signature: Signature): Signature {
  return { names: signature.names.filter((n) => n !== 'num_heads'), defaults: signature.defaults, spellings: signature.spellings };
}
