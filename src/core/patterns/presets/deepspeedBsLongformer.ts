/** DeepSpeed BSLongformerSparsityConfig: a sliding window of blocks plus global rows and columns. */
import type { DeepSpeedBSLongformerConfig } from '../../config';
import { header } from '../../export/torchSnippet';
import { bsLongformerLayout, layoutHeads } from '../deepspeedFamily';
import { ATTENTION, DIFFERENT_LAYOUT_PER_HEAD, DS_BLOCK, GLOBAL_BLOCK_END_INDICES, GLOBAL_BLOCK_INDICES, HEADS, N, NUM_SLIDING_WINDOW_BLOCKS } from '../params';
import type { PatternSpec } from '../spec';
import { globalRangeRules, pyList, sequenceRule } from './deepspeedRules';

export const deepspeedBsLongformerSpec: PatternSpec<DeepSpeedBSLongformerConfig> = {
  name: 'deepspeed-bslongformer',
  summary: "DeepSpeed's BSLongformerSparsityConfig: a sliding window of num_sliding_window_blocks plus global rows and columns",
  defaults: {
    pattern: 'deepspeed-bslongformer',
    n: 256,
    heads: 2,
    block: 16,
    numSlidingWindowBlocks: 3,
    globalBlockIndices: [0],
    globalBlockEndIndices: [],
    attention: 'bidirectional',
    differentLayoutPerHead: false,
  },
  params: [N, HEADS, DS_BLOCK, NUM_SLIDING_WINDOW_BLOCKS, GLOBAL_BLOCK_INDICES, GLOBAL_BLOCK_END_INDICES, ATTENTION, DIFFERENT_LAYOUT_PER_HEAD],
  layout: true,
  validate(config, issues) {
    globalRangeRules(config, issues);
    sequenceRule(config, issues);
    const blocks = config.n / config.block;
    if (Number.isInteger(blocks) && blocks < config.numSlidingWindowBlocks) {
      issues.push({
        field: 'numSlidingWindowBlocks',
        message: `Number of sliding window blocks, ${config.numSlidingWindowBlocks}, must be smaller than overall number of blocks in a row, ${blocks}!`,
      });
    }
  },
  build: (config) => {
    const layout = bsLongformerLayout(config);
    return { n: config.n, heads: layoutHeads(layout, config.n), layout, warnings: [] };
  },
  causal: (config) => config.attention === 'unidirectional',
  rule(config, _h, i, j) {
    const [bi, bj] = [Math.floor(i / config.block), Math.floor(j / config.block)];
    return Math.abs(bi - bj) <= Math.floor(config.numSlidingWindowBlocks / 2) ? 'sliding window' : 'global block';
  },
  torchSnippet: (c) =>
    header(c, [
      `n, H, B = ${c.n}, ${c.heads}, ${c.block}`,
      `num_sliding_window_blocks = ${c.numSlidingWindowBlocks}`,
      `global_block_indices = ${pyList(c.globalBlockIndices)}`,
      `global_block_end_indices = ${c.globalBlockEndIndices.length ? pyList(c.globalBlockEndIndices) : 'None'}`,
      `attention = '${c.attention}'`,
      '# DeepSpeed BSLongformerSparsityConfig.make_layout, transcribed',
      'nb = n // B',
      'layout = torch.zeros(nb, nb, dtype=torch.bool)',
      'w = num_sliding_window_blocks // 2',
      'for row in range(nb):',
      '    layout[row, max(0, row - w):min(row + w + 1, nb)] = True',
      'ranges = zip(global_block_indices, global_block_end_indices) if global_block_end_indices else [(g, g + 1) for g in global_block_indices]',
      'for s, e in ranges:',
      '    if s < nb:',
      '        e = min(e, nb)',
      '        layout[s:e, :] = True',
      '        layout[:, s:e] = True',
      "if attention == 'unidirectional':",
      '    layout = torch.tril(layout)',
      '# every head the same; each block a full B x B tile',
      'mask = layout.repeat_interleave(B, 0).repeat_interleave(B, 1).expand(H, n, n).clone()',
    ]),
  window: (config) => ({
    size: config.block * (2 * Math.floor(config.numSlidingWindowBlocks / 2) + 1),
    what: `the sliding window (${2 * Math.floor(config.numSlidingWindowBlocks / 2) + 1} blocks of ${config.block})`,
    change: 'a smaller block or window',
  }),
};
