/** openai/sparse_attention get_blocksparse_obj(attn_mode='fixed'): a block layout plus the causal cut inside diagonal blocks. */
import type { OpenAIFixedConfig } from '../../config';
import { openaiSnippet } from '../../export/torchSnippet';
import { openaiHeads } from '../openai';
import { HEADS, N, NUM_VERTS, OPENAI_BLOCK, OPENAI_STRIDE, VERTSIZE } from '../params';
import type { PatternSpec } from '../spec';

export const openaiFixedSpec: PatternSpec<OpenAIFixedConfig> = {
  name: 'openai-fixed',
  summary: "OpenAI's blocksparse fixed layout: windows of l, num_verts summary groups of vertsize blocks, causal",
  defaults: { pattern: 'openai-fixed', n: 256, heads: 4, block: 32, stride: 128, numVerts: 4, vertsize: 1 },
  params: [N, HEADS, OPENAI_BLOCK, OPENAI_STRIDE, NUM_VERTS, VERTSIZE],
  layout: true,
  validate(config, issues) {
    if (![8, 16, 32, 64].includes(config.block)) {
      issues.push({ field: 'block', message: `block must be one of 8, 16, 32, 64 (got ${config.block})` });
      return;
    }
    if (config.n % config.block !== 0) issues.push({ field: 'n', message: `n (${config.n}) must be a multiple of block (${config.block})` });
    if (config.stride % config.block !== 0) {
      issues.push({ field: 'stride', message: `stride l (${config.stride}) must be a multiple of block (${config.block})` });
    }
    if ((config.stride / config.block) % config.vertsize !== 0) {
      issues.push({
        field: 'vertsize',
        message: `l/block (${config.stride / config.block}) must be a multiple of vertsize (${config.vertsize}): OpenAI reshapes the window's blocks into groups of vertsize`,
      });
    }
    if (config.heads % config.numVerts !== 0) {
      issues.push({ field: 'heads', message: `OpenAI asserts n_heads % num_verts == 0: heads (${config.heads}) must be a multiple of num_verts (${config.numVerts})` });
    }
    const c = config.vertsize * config.block;
    if (config.numVerts * c > config.stride) {
      issues.push({
        field: 'numVerts',
        message: `num_verts*vertsize*block (${config.numVerts * c}) exceeds l (${config.stride}): heads cannot have distinct summary sub-blocks`,
      });
    }
  },
  build(config) {
    const { layout, heads } = openaiHeads(config);
    return { n: config.n, heads, layout, warnings: [] };
  },
  causal: () => true,
  rule: (config, _h, i, j) => (Math.floor(i / config.stride) === Math.floor(j / config.stride) ? 'local window' : 'global (summary) block'),
  torchSnippet: openaiSnippet,
  window: (config) => ({ size: config.stride, what: `l (${config.stride})`, change: 'l < n' }),
};
