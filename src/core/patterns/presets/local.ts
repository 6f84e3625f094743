/** A band of l positions (xformers' local_1d_pattern / causal local attention). */
import type { FactorizedConfig } from '../../config';
import { factorizedSnippet } from '../../export/torchSnippet';
import { BIDIRECTIONAL, HEADS, N, STRIDE } from '../params';
import { localHead } from '../strided';
import type { PatternSpec } from '../spec';
import { factorizedDefaults, factorizedMask, notBidirectional, sameForAllHeads, strideWindow } from './factorizedRules';

export const localSpec: PatternSpec<FactorizedConfig> = {
  name: 'local',
  summary: 'a band of l positions around (or, causal, before) each query',
  defaults: factorizedDefaults('local'),
  params: [N, STRIDE, HEADS, BIDIRECTIONAL],
  validate: () => {},
  build: (config) => factorizedMask(config, sameForAllHeads(localHead(config.n, config.stride, config.bidirectional), config.heads)),
  causal: notBidirectional,
  rule: () => 'local band',
  torchSnippet: factorizedSnippet,
  window: strideWindow,
};
