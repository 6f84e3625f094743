/**
 * The parameters presets share, each with its label, CLI flag, setting and the keywords the
 * peers' Python code spells it with (for the code detector). A preset lists the ones it reads.
 */
import type { ParamSpec } from './spec';

export const N: ParamSpec = { key: 'n', label: 'Sequence length n', kind: 'integer', min: 1, flag: 'n', python: ['seq_len', 'n_ctx', 'max_position_embeddings', 'max_seq_len', 'n'], setting: 'n' };
export const HEADS: ParamSpec = { key: 'heads', label: 'Heads', kind: 'integer', min: 1, flag: 'heads', python: ['num_heads', 'n_heads', 'heads', 'n_head'], setting: 'heads' };

// The fixed family (the paper's two sets and the ports of it).
export const STRIDE: ParamSpec = {
  key: 'stride',
  label: 'Stride l',
  name: 'stride l',
  short: 'l',
  title: 'Block length of the fixed pattern',
  kind: 'integer',
  min: 1,
  flag: 'stride',
  python: ['stride', 'l', 'local_attn_ctx', 'block_length'],
  setting: 'stride',
};
export const C: ParamSpec = { key: 'c', label: 'Summary c', short: 'c', title: 'Summary cells per block', kind: 'integer', min: 1, flag: 'c', python: ['c', 'expressivity', 'summary', 'summary_length'], setting: 'summaryLength' };
export const SUBBLOCKS: ParamSpec = { key: 'subblocks', label: 'Sub-blocks K', short: 'K', title: 'Distinct summary sub-blocks; head h uses h mod K', kind: 'integer', min: 1, flag: 'subblocks', python: ['subblocks', 'num_subblocks'], setting: 'subblocks' };
export const MODE: ParamSpec = { key: 'mode', label: 'Mode', kind: 'choice', options: ['merged', 'split', 'interleaved'], flag: 'mode', python: ['mode'], setting: 'mode' };
export const LAYER: ParamSpec = { key: 'layer', label: 'Layer r', title: 'Interleaved mode: even layers use A1, odd layers A2', kind: 'integer', min: 0, flag: 'layer', python: ['layer', 'layer_idx', 'layer_id'] };
export const BIDIRECTIONAL: ParamSpec = { key: 'bidirectional', label: 'Bidirectional', kind: 'boolean', flag: 'bidirectional', python: ['bidirectional', 'is_bidirectional'], setting: 'bidirectional' };

// OpenAI's blocksparse layout.
export const OPENAI_BLOCK: ParamSpec = { key: 'block', label: 'Block B', short: 'B', kind: 'integer', flag: 'block', python: ['blocksize', 'block'] };
export const OPENAI_STRIDE: ParamSpec = { ...STRIDE, python: ['local_attn_ctx'], setting: undefined };
export const NUM_VERTS: ParamSpec = { key: 'numVerts', label: 'num_verts', name: 'num_verts', short: 'num_verts', kind: 'integer', min: 1, flag: 'num-verts', python: ['num_verts'] };
export const VERTSIZE: ParamSpec = { key: 'vertsize', label: 'vertsize', short: 'vertsize', kind: 'integer', min: 1, flag: 'vertsize', python: ['vertsize'] };

// DeepSpeed's SparsityConfig family (sparsity_config.py); the Python keywords are its __init__ arguments.
export const DS_BLOCK: ParamSpec = { key: 'block', label: 'Block B', short: 'B', kind: 'integer', min: 1, flag: 'block', python: ['block', 'block_size'] };
export const NUM_LOCAL_BLOCKS: ParamSpec = { key: 'numLocalBlocks', label: 'num_local_blocks', name: 'num_local_blocks', short: 'local', kind: 'integer', flag: 'num-local-blocks', python: ['num_local_blocks'] };
export const NUM_GLOBAL_BLOCKS: ParamSpec = { key: 'numGlobalBlocks', label: 'num_global_blocks', name: 'num_global_blocks', short: 'global', kind: 'integer', flag: 'num-global-blocks', python: ['num_global_blocks'] };
export const ATTENTION: ParamSpec = {
  key: 'attention',
  label: 'attention',
  kind: 'choice',
  options: ['bidirectional', 'unidirectional'],
  flag: 'attention',
  python: ['attention'],
  refusal: 'only "uni/bi-directional" attentions are supported for now!',
};
export const HORIZONTAL_GLOBAL: ParamSpec = { key: 'horizontalGlobalAttention', label: 'horizontal_global_attention', kind: 'boolean', flag: 'horizontal-global', python: ['horizontal_global_attention'] };
export const DIFFERENT_LAYOUT_PER_HEAD: ParamSpec = { key: 'differentLayoutPerHead', label: 'different_layout_per_head', kind: 'boolean', flag: 'different-layout-per-head', python: ['different_layout_per_head'] };
export const NUM_DIFFERENT_GLOBAL_PATTERNS: ParamSpec = {
  key: 'numDifferentGlobalPatterns',
  label: 'num_different_global_patterns',
  name: 'num_different_global_patterns',
  short: 'patterns',
  kind: 'integer',
  min: 1,
  flag: 'num-different-global-patterns',
  python: ['num_different_global_patterns'],
};
export const NUM_RANDOM_BLOCKS: ParamSpec = { key: 'numRandomBlocks', label: 'num_random_blocks', name: 'num_random_blocks', short: 'random', kind: 'integer', min: 0, flag: 'num-random-blocks', python: ['num_random_blocks'] };
export const LOCAL_WINDOW_BLOCKS: ParamSpec = {
  key: 'localWindowBlocks',
  label: 'local_window_blocks',
  name: 'local_window_blocks',
  short: 'windows',
  title: 'Blocks per local window, first to last; the last size repeats to the end',
  kind: 'integers',
  min: 1,
  flag: 'local-window-blocks',
  python: ['local_window_blocks'],
};
export const GLOBAL_BLOCK_INDICES: ParamSpec = {
  key: 'globalBlockIndices',
  label: 'global_block_indices',
  name: 'global_block_indices',
  short: 'global',
  title: 'Blocks every block attends to (and, with end indices, the start of each global range)',
  kind: 'integers',
  min: 0,
  optional: true,
  flag: 'global-block-indices',
  python: ['global_block_indices'],
};
export const GLOBAL_BLOCK_END_INDICES: ParamSpec = {
  key: 'globalBlockEndIndices',
  label: 'global_block_end_indices',
  name: 'global_block_end_indices',
  short: 'global end',
  title: 'Empty for None; else the (exclusive) end of each global range',
  kind: 'integers',
  min: 0,
  optional: true,
  flag: 'global-block-end-indices',
  python: ['global_block_end_indices'],
};
export const NUM_SLIDING_WINDOW_BLOCKS: ParamSpec = {
  key: 'numSlidingWindowBlocks',
  label: 'num_sliding_window_blocks',
  name: 'num_sliding_window_blocks',
  short: 'window',
  kind: 'integer',
  min: 0,
  flag: 'num-sliding-window-blocks',
  python: ['num_sliding_window_blocks'],
};
