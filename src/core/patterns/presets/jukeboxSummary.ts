/** openai/jukebox's summary attention (get_mask('summary')): the last c cells of every block but the last. */
import type { FactorizedConfig } from '../../config';
import { factorizedSnippet } from '../../export/torchSnippet';
import { assignHeads } from '../factorized';
import { C, HEADS, LAYER, MODE, N, STRIDE } from '../params';
import { jukeboxSets, PORT_NOTES } from '../ports';
import type { PatternSpec } from '../spec';
import { factorizedDefaults, factorizedMask, portRules, strideWindow, summaryRules } from './factorizedRules';

export const jukeboxSummarySpec: PatternSpec<FactorizedConfig> = {
  name: 'jukebox-summary',
  summary: PORT_NOTES['jukebox-summary'],
  defaults: factorizedDefaults('jukebox-summary'),
  params: [N, STRIDE, C, HEADS, MODE, LAYER],
  validate(config, issues) {
    summaryRules(config, issues);
    portRules(config, issues, false);
    if (config.bidirectional) issues.push({ field: 'bidirectional', message: 'jukebox-summary is autoregressive only: drop --bidirectional' });
    if (config.n % config.stride !== 0) {
      issues.push({ field: 'n', message: `jukebox asserts n_ctx % blocks == 0: n (${config.n}) must be a multiple of l (${config.stride})` });
    }
  },
  build: (config) => factorizedMask(config, assignHeads(jukeboxSets(config.n, config.stride, config.c), config.heads, 1, config.mode, config.layer), PORT_NOTES['jukebox-summary']),
  causal: () => true,
  torchSnippet: factorizedSnippet,
  window: strideWindow,
};
