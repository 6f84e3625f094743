/** Full attention (causal unless bidirectional): the baseline every sparse pattern is measured against. */
import type { FactorizedConfig } from '../../config';
import { factorizedSnippet } from '../../export/torchSnippet';
import { BIDIRECTIONAL, HEADS, N } from '../params';
import { denseHead } from '../strided';
import type { PatternSpec } from '../spec';
import { factorizedDefaults, factorizedMask, notBidirectional, sameForAllHeads } from './factorizedRules';

export const denseSpec: PatternSpec<FactorizedConfig> = {
  name: 'dense',
  summary: 'full attention, causal unless bidirectional',
  defaults: factorizedDefaults('dense'),
  params: [N, HEADS, BIDIRECTIONAL],
  validate: () => {},
  build: (config) => factorizedMask(config, sameForAllHeads(denseHead(config.n, config.bidirectional), config.heads)),
  causal: notBidirectional,
  rule: () => 'dense',
  torchSnippet: factorizedSnippet,
};
