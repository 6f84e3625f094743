/**
 * What the fixed family's presets share: defaults, the summary rules (c <= l, K*c <= l), how
 * heads take the two sets, and the window warning. Each preset module adds its own rules.
 */
import type { ConfigIssue, FactorizedConfig, FactorizedPattern } from '../../config';
import type { HeadMask, PatternMask } from '../../mask';
import type { WindowSize } from '../spec';

export function factorizedDefaults(pattern: FactorizedPattern, over: Partial<FactorizedConfig> = {}): FactorizedConfig {
  return { pattern, n: 256, heads: 4, stride: 32, c: 4, subblocks: 1, mode: 'merged', layer: 0, bidirectional: false, ...over };
}

/** c within the block, and K distinct sub-blocks of c cells fitting in it. */
export function summaryRules(config: FactorizedConfig, issues: ConfigIssue[]): void {
  if (config.c > config.stride) issues.push({ field: 'c', message: `c (${config.c}) must be <= l (${config.stride})` });
  else if (config.subblocks * config.c > config.stride) {
    issues.push({
      field: 'subblocks',
      message: `subblocks*c (${config.subblocks * config.c}) exceeds l (${config.stride}): heads cannot have distinct summary sub-blocks`,
    });
  }
}

/** A port builds one summary set and (lra, fairseq) one merged mask for all heads. */
export function portRules(config: FactorizedConfig, issues: ConfigIssue[], mergedOnly: boolean): void {
  if (config.subblocks !== 1) {
    issues.push({ field: 'subblocks', message: `${config.pattern} has one summary set for all heads: use subblocks 1 (got ${config.subblocks})` });
  }
  if (mergedOnly && config.mode !== 'merged') {
    issues.push({ field: 'mode', message: `${config.pattern} builds one merged mask: use mode merged (got ${config.mode})` });
  }
}

export function sameForAllHeads(head: HeadMask, count: number): HeadMask[] {
  return new Array<HeadMask>(count).fill(head);
}

export function factorizedMask(config: FactorizedConfig, heads: HeadMask[], note?: string): PatternMask {
  return { n: config.n, heads, warnings: [], ...(note ? { note } : {}) };
}

export function strideWindow(config: FactorizedConfig): WindowSize {
  return { size: config.stride, what: `l (${config.stride})`, change: 'l < n' };
}

export const notBidirectional = (config: FactorizedConfig): boolean => !config.bidirectional;
