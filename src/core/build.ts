/** Builds any preset into its compact per-head mask, or explains what is wrong with the config. */
import { ConfigError, FactorizedConfig, PatternConfig, validateConfig } from './config';
import type { HeadMask, PatternMask } from './mask';
import { deepspeedHeads, deepspeedWarnings } from './patterns/deepspeed';
import { assignHeads } from './patterns/factorized';
import { openaiHeads } from './patterns/openai';
import { fairseqHead, jukeboxSets, lraHead, paperFixedSets, PORT_NOTES } from './patterns/ports';
import { denseHead, localHead, stridedSets } from './patterns/strided';

/** Throws ConfigError (with every issue, each tied to a field) when the config is invalid. */
export function buildPattern(config: PatternConfig): PatternMask {
  const issues = validateConfig(config);
  if (issues.length) throw new ConfigError(issues);
  switch (config.pattern) {
    case 'openai-fixed': {
      const { layout, heads } = openaiHeads(config);
      return { n: config.n, heads, layout, warnings: [] };
    }
    case 'deepspeed-fixed': {
      const { layout, heads } = deepspeedHeads(config);
      return { n: config.n, heads, layout, warnings: deepspeedWarnings(config) };
    }
    default:
      return buildFactorized(config);
  }
}

function sameForAllHeads(head: HeadMask, count: number): HeadMask[] {
  return new Array<HeadMask>(count).fill(head);
}

function buildFactorized(config: FactorizedConfig): PatternMask {
  const { n, heads, stride: l, c, bidirectional } = config;
  const base = { n, warnings: [] as string[] };
  switch (config.pattern) {
    case 'fixed':
      return { ...base, heads: assignHeads(paperFixedSets(n, l, c, bidirectional), heads, config.subblocks, config.mode, config.layer) };
    case 'strided':
      return { ...base, heads: assignHeads(stridedSets(n, l, bidirectional), heads, 1, config.mode, config.layer) };
    case 'local':
      return { ...base, heads: sameForAllHeads(localHead(n, l, bidirectional), heads) };
    case 'dense':
      return { ...base, heads: sameForAllHeads(denseHead(n, bidirectional), heads) };
    case 'lra-fixed':
      return { ...base, heads: sameForAllHeads(lraHead(n, l, c, bidirectional), heads), note: PORT_NOTES['lra-fixed'] };
    case 'fairseq-fixed':
      return { ...base, heads: sameForAllHeads(fairseqHead(n, l, c, bidirectional), heads), note: PORT_NOTES['fairseq-fixed'] };
    case 'jukebox-summary':
      return {
        ...base,
        heads: assignHeads(jukeboxSets(n, l, c), heads, 1, config.mode, config.layer),
        note: PORT_NOTES['jukebox-summary'],
      };
  }
}
