/** Everything the inspector and `sparse-attn stats` report for one config. */
import { buildPattern } from './build';
import type { PatternConfig } from './config';
import { PatternMask, unionOf } from './mask';
import { REACH_LIMIT, ReachResult, twoHopReach } from './reach';
import { PatternStats, patternStats } from './stats';

export interface PatternAnalysis {
  stats: PatternStats;
  reach: ReachResult;
  /** Which sets the two steps of the reachability check go through. */
  reachSteps: string;
  warnings: string[];
  note?: string;
}

export function isCausal(config: PatternConfig): boolean {
  if (config.pattern === 'openai-fixed') return true;
  if (config.pattern === 'deepspeed-fixed') return config.attention === 'unidirectional';
  return !config.bidirectional;
}

export function analyzePattern(config: PatternConfig, d = 64, mask: PatternMask = buildPattern(config), reachLimit = REACH_LIMIT): PatternAnalysis {
  const causal = isCausal(config);
  let reach: ReachResult;
  let reachSteps: string;
  if ('mode' in config && config.mode === 'interleaved') {
    // Information crosses layer r and then layer r+1: one set each.
    const next = buildPattern({ ...config, layer: config.layer + 1 });
    reach = twoHopReach(unionOf(mask), unionOf(next), causal, reachLimit);
    reachSteps = `layer ${config.layer} then layer ${config.layer + 1}`;
  } else {
    const union = unionOf(mask);
    reach = twoHopReach(union, union, causal, reachLimit);
    reachSteps = 'union of heads, twice';
  }
  return { stats: patternStats(mask, d), reach, reachSteps, warnings: mask.warnings, note: mask.note };
}
