/** DeepSpeed DenseSparsityConfig: every block (kept in DeepSpeed "for the sake of comparison"). */
import type { DeepSpeedDenseConfig } from '../../config';
import { header } from '../../export/torchSnippet';
import { denseBlockLayout, layoutHeads } from '../deepspeedFamily';
import { DIFFERENT_LAYOUT_PER_HEAD, DS_BLOCK, HEADS, N } from '../params';
import type { PatternSpec } from '../spec';
import { sequenceRule } from './deepspeedRules';

export const deepspeedDenseSpec: PatternSpec<DeepSpeedDenseConfig> = {
  name: 'deepspeed-dense',
  summary: "DeepSpeed's DenseSparsityConfig: every block set (no causal cut: DeepSpeed leaves that to the attention mask)",
  defaults: { pattern: 'deepspeed-dense', n: 256, heads: 2, block: 16, differentLayoutPerHead: false },
  params: [N, HEADS, DS_BLOCK, DIFFERENT_LAYOUT_PER_HEAD],
  layout: true,
  validate: sequenceRule,
  build: (config) => {
    const layout = denseBlockLayout(config);
    return { n: config.n, heads: layoutHeads(layout, config.n), layout, warnings: [] };
  },
  causal: () => false,
  rule: () => 'dense',
  torchSnippet: (c) => header(c, [`n, H = ${c.n}, ${c.heads}`, '# DeepSpeed DenseSparsityConfig: layout[:, :, :] = 1', 'mask = torch.ones(H, n, n, dtype=torch.bool)']),
};
