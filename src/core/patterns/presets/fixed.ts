/** The paper's fixed pattern (Child et al. 2019, section 4.2): A1 the block, A2 the summary cells, K sub-blocks over heads. */
import type { FactorizedConfig } from '../../config';
import { factorizedSnippet } from '../../export/torchSnippet';
import { assignHeads } from '../factorized';
import { BIDIRECTIONAL, C, HEADS, LAYER, MODE, N, STRIDE, SUBBLOCKS } from '../params';
import { paperFixedSets } from '../ports';
import type { PatternSpec } from '../spec';
import { factorizedDefaults, factorizedMask, notBidirectional, strideWindow, summaryRules } from './factorizedRules';

export const fixedSpec: PatternSpec<FactorizedConfig> = {
  name: 'fixed',
  summary: "the paper's fixed pattern: each block of l, plus the last c cells of every block (K sub-blocks over heads)",
  defaults: factorizedDefaults('fixed'),
  params: [N, STRIDE, C, HEADS, SUBBLOCKS, MODE, LAYER, BIDIRECTIONAL],
  validate: summaryRules,
  build: (config) => factorizedMask(config, assignHeads(paperFixedSets(config.n, config.stride, config.c, config.bidirectional), config.heads, config.subblocks, config.mode, config.layer)),
  causal: notBidirectional,
  torchSnippet: factorizedSnippet,
  window: strideWindow,
};
