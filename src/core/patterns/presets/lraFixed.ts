/** google-research/long-range-arena's fixed pattern: one more summary cell at each block start (c+1 cells). */
import type { FactorizedConfig } from '../../config';
import { factorizedSnippet } from '../../export/torchSnippet';
import { BIDIRECTIONAL, C, HEADS, N, STRIDE } from '../params';
import { lraHead, PORT_NOTES } from '../ports';
import type { PatternSpec } from '../spec';
import { factorizedDefaults, factorizedMask, portRules, sameForAllHeads, strideWindow, summaryRules } from './factorizedRules';

export const lraFixedSpec: PatternSpec<FactorizedConfig> = {
  name: 'lra-fixed',
  summary: PORT_NOTES['lra-fixed'],
  defaults: factorizedDefaults('lra-fixed'),
  params: [N, STRIDE, C, HEADS, BIDIRECTIONAL], // shown so a bidirectional config carried over can be unticked
  validate(config, issues) {
    summaryRules(config, issues);
    portRules(config, issues, true);
    if (config.bidirectional) {
      issues.push({ field: 'bidirectional', message: 'lra-fixed is causal only (long-range-arena builds its fixed pattern for decoding): drop --bidirectional' });
    }
  },
  build: (config) => factorizedMask(config, sameForAllHeads(lraHead(config.n, config.stride, config.c, config.bidirectional), config.heads), PORT_NOTES['lra-fixed']),
  causal: () => true,
  rule: () => 'lra-fixed rule',
  torchSnippet: factorizedSnippet,
  window: strideWindow,
};
