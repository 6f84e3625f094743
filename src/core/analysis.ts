/** Everything the inspector and `sparse-attn stats` report for one config. */
import { buildPattern } from './build';
import type { PatternConfig } from './config';
import { PatternMask, unionOf } from './mask';
import { patternSpec } from './patterns/registry';
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
  return patternSpec(config.pattern).causal(config);
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
  const stats = patternStats(mask, d);
  return { stats, reach, reachSteps, warnings: [...shapeWarnings(config), ...emptyRowWarnings(stats), ...mask.warnings], note: mask.note };
}

/** Rows that attend to nothing get output 0 silently in every implementation: say how many, and where. */
export function emptyRowWarnings(stats: PatternStats): string[] {
  const heads = stats.heads.map((s, h) => [h, s.emptyRows] as const).filter(([, empty]) => empty > 0);
  if (!heads.length) return [];
  const total = heads.reduce((sum, [, empty]) => sum + empty, 0);
  const which = heads.length === stats.heads.length && new Set(heads.map(([, e]) => e)).size === 1 ? `${heads[0][1]} in every head` : heads.map(([h, e]) => `head ${h}: ${e}`).join(', ');
  return [`${total} rows attend to nothing (${which}): their output is 0 and their log-sum-exp −∞`];
}

/**
 * A config whose one window spans the whole sequence: every head is the same dense (causal)
 * pattern, which looks like a bug in the tool unless it is said.
 */
export function shapeWarnings(config: PatternConfig): string[] {
  const window = patternSpec(config.pattern).window?.(config);
  if (!window || config.n > window.size) return [];
  const shape = isCausal(config) ? 'dense causal triangle' : 'dense square';
  return [`n (${config.n}) ≤ ${window.what}: the whole sequence is one window, so every head is the same ${shape}; choose ${window.change} to see the sparse pattern`];
}
