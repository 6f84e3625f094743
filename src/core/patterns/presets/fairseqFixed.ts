/** fairseq's SparseMultiheadAttention: windows (k*l, (k+1)*l] and c+1 summary cells spilling into the next block. */
import type { FactorizedConfig } from '../../config';
import { factorizedSnippet } from '../../export/torchSnippet';
import { BIDIRECTIONAL, C, HEADS, N, STRIDE } from '../params';
import { fairseqHead, PORT_NOTES } from '../ports';
import type { PatternSpec } from '../spec';
import { factorizedDefaults, factorizedMask, notBidirectional, portRules, sameForAllHeads, strideWindow, summaryRules } from './factorizedRules';

export const fairseqFixedSpec: PatternSpec<FactorizedConfig> = {
  name: 'fairseq-fixed',
  summary: PORT_NOTES['fairseq-fixed'],
  defaults: factorizedDefaults('fairseq-fixed'),
  params: [N, STRIDE, C, HEADS, BIDIRECTIONAL].map((p) => (p === STRIDE ? { ...p, python: ['stride'] } : p === C ? { ...p, python: ['expressivity'] } : p)),
  validate(config, issues) {
    summaryRules(config, issues);
    portRules(config, issues, true);
    if (config.n <= config.stride) issues.push({ field: 'n', message: `fairseq-fixed asserts n > l: n (${config.n}) must exceed l (${config.stride})` });
    if (config.c >= config.stride) {
      issues.push({ field: 'c', message: `fairseq-fixed never advances its checkpoint when c == l: use c < l (got c ${config.c}, l ${config.stride})` });
    }
  },
  build: (config) => factorizedMask(config, sameForAllHeads(fairseqHead(config.n, config.stride, config.c, config.bidirectional), config.heads), PORT_NOTES['fairseq-fixed']),
  causal: notBidirectional,
  rule: () => 'fairseq-fixed rule',
  torchSnippet: factorizedSnippet,
  window: strideWindow,
};
