/** DeepSpeed VariableSparsityConfig: listed local window sizes (the last repeats) and global block ranges. */
import type { DeepSpeedVariableConfig } from '../../config';
import { header, py } from '../../export/torchSnippet';
import { layoutHeads, variableLayout } from '../deepspeedFamily';
import { ATTENTION, DIFFERENT_LAYOUT_PER_HEAD, DS_BLOCK, GLOBAL_BLOCK_END_INDICES, GLOBAL_BLOCK_INDICES, HEADS, HORIZONTAL_GLOBAL, LOCAL_WINDOW_BLOCKS, N, NUM_RANDOM_BLOCKS } from '../params';
import type { PatternSpec } from '../spec';
import { globalRangeRules, horizontalRule, pyList, sequenceRule } from './deepspeedRules';

export const deepspeedVariableSpec: PatternSpec<DeepSpeedVariableConfig> = {
  name: 'deepspeed-variable',
  summary: "DeepSpeed's VariableSparsityConfig: local windows of the listed sizes (the last repeats) plus global blocks",
  defaults: {
    pattern: 'deepspeed-variable',
    n: 256,
    heads: 2,
    block: 16,
    numRandomBlocks: 0,
    localWindowBlocks: [4],
    globalBlockIndices: [0],
    globalBlockEndIndices: [],
    attention: 'bidirectional',
    horizontalGlobalAttention: false,
    differentLayoutPerHead: false,
  },
  params: [N, HEADS, DS_BLOCK, LOCAL_WINDOW_BLOCKS, GLOBAL_BLOCK_INDICES, GLOBAL_BLOCK_END_INDICES, ATTENTION, HORIZONTAL_GLOBAL, DIFFERENT_LAYOUT_PER_HEAD, NUM_RANDOM_BLOCKS],
  layout: true,
  validate(config, issues) {
    globalRangeRules(config, issues);
    horizontalRule(config, issues);
    sequenceRule(config, issues);
    if (config.numRandomBlocks > 0) {
      const blocks = config.n / config.block;
      issues.push({
        field: 'numRandomBlocks',
        message:
          blocks < config.numRandomBlocks
            ? `Number of random blocks, ${config.numRandomBlocks}, must be smaller than overall number of blocks in a row, ${blocks}!`
            : `num_random_blocks (${config.numRandomBlocks}): DeepSpeed draws them with Python's random.sample, which no other tool reproduces; use 0 to see the deterministic part`,
      });
    }
  },
  build: (config) => {
    const layout = variableLayout(config);
    return { n: config.n, heads: layoutHeads(layout, config.n), layout, warnings: [] };
  },
  causal: (config) => config.attention === 'unidirectional',
  rule(config, _h, _i, j) {
    const b = Math.floor(j / config.block);
    const ends = config.globalBlockEndIndices;
    const global = config.globalBlockIndices.some((s, k) => (ends.length ? b >= s && b < ends[k] : b === s));
    return global ? 'global block' : 'local window';
  },
  torchSnippet: (c) =>
    header(c, [
      `n, H, B = ${c.n}, ${c.heads}, ${c.block}`,
      `local_window_blocks = ${pyList(c.localWindowBlocks)}`,
      `global_block_indices = ${pyList(c.globalBlockIndices)}`,
      `global_block_end_indices = ${c.globalBlockEndIndices.length ? pyList(c.globalBlockEndIndices) : 'None'}`,
      `attention = '${c.attention}'`,
      `horizontal_global_attention = ${py(c.horizontalGlobalAttention)}`,
      '# DeepSpeed VariableSparsityConfig.make_layout (num_random_blocks = 0), transcribed',
      'nb = n // B',
      'layout = torch.zeros(nb, nb, dtype=torch.bool)',
      'start = end = 0',
      'for size in local_window_blocks:',
      '    end = min(end + size, nb)',
      '    for row in range(start, end):',
      "        layout[row, start:(row + 1 if attention == 'unidirectional' else end)] = True",
      '    start += size',
      'for s in range(start, nb, size):  # the last size repeats',
      '    e = min(s + size, nb)',
      '    for row in range(s, e):',
      "        layout[row, s:(row + 1 if attention == 'unidirectional' else e)] = True",
      'ranges = zip(global_block_indices, global_block_end_indices) if global_block_end_indices else [(g, g + 1) for g in global_block_indices]',
      'for s, e in ranges:',
      '    if s < nb:',
      '        e = min(e, nb)',
      '        if horizontal_global_attention:',
      '            layout[s:e, :] = True',
      "        layout[(0 if attention == 'bidirectional' else s):, s:e] = True",
      '# every head the same; each block a full B x B tile',
      'mask = layout.repeat_interleave(B, 0).repeat_interleave(B, 1).expand(H, n, n).clone()',
    ]),
};
