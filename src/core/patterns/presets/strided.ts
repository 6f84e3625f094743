/** The paper's strided pattern: A1 the previous l positions, A2 every l-th position. */
import type { FactorizedConfig } from '../../config';
import { factorizedSnippet } from '../../export/torchSnippet';
import { assignHeads } from '../factorized';
import { BIDIRECTIONAL, HEADS, LAYER, MODE, N, STRIDE } from '../params';
import { stridedSets } from '../strided';
import type { PatternSpec } from '../spec';
import { factorizedDefaults, factorizedMask, notBidirectional, strideWindow } from './factorizedRules';

export const stridedSpec: PatternSpec<FactorizedConfig> = {
  name: 'strided',
  summary: "the paper's strided pattern: the previous l positions, and every l-th one",
  defaults: factorizedDefaults('strided'),
  params: [N, STRIDE, HEADS, MODE, LAYER, BIDIRECTIONAL],
  validate: () => {},
  build: (config) => factorizedMask(config, assignHeads(stridedSets(config.n, config.stride, config.bidirectional), config.heads, 1, config.mode, config.layer)),
  causal: notBidirectional,
  torchSnippet: factorizedSnippet,
  window: strideWindow,
};
