/** Why a cell is allowed: which of the paper's sets contains it, or which preset rule. */
import type { PatternConfig } from './config';
import { buildPattern } from './build';
import { PatternMask, rowColumns } from './mask';
import { headSets } from './patterns/factorized';
import { patternSpec } from './patterns/registry';

export type CellReason = 'A1' | 'A2' | 'A1+A2' | 'masked' | string;

/** Presets whose cells explainCell answers from the definition alone, without a mask. */
export function explainedByDefinition(config: PatternConfig): boolean {
  return config.pattern === 'fixed' || config.pattern === 'strided' || config.pattern === 'jukebox-summary';
}

/**
 * For fixed, strided and jukebox: 'A1', 'A2' or 'A1+A2' by the paper's definitions. For the other
 * presets: a short name of the rule that allows the cell. 'masked' when the head does not attend.
 */
export function explainCell(config: PatternConfig, h: number, i: number, j: number, mask?: PatternMask): CellReason {
  const causalOk = !('bidirectional' in config) || config.bidirectional || j <= i;
  if (explainedByDefinition(config) && 'stride' in config && 'c' in config) {
    const { stride: l, c } = config;
    // Stryker disable next-line ConditionalExpression: k is read only by fixed (strided ignores it, jukebox overwrites inA2), so subblocks for all is the same; `false` is killed
    const { a1: usesA1, a2: usesA2, k } = headSets(h, config.pattern === 'fixed' ? config.subblocks : 1, config.mode, config.layer);
    let inA1: boolean;
    let inA2: boolean;
    if (config.pattern === 'strided') {
      // Stryker disable next-line ConditionalExpression,ArithmeticOperator: causalOk already means bidirectional or j <= i, so the last clause (or i + j >= 0) is always true; the line's other mutants are killed
      inA1 = causalOk && Math.abs(i - j) <= l && (config.bidirectional || i - j >= 0);
      inA2 = causalOk && (i - j) % l === 0;
    } else {
      inA1 = causalOk && Math.floor(i / l) === Math.floor(j / l);
      const p = j % l;
      inA2 = causalOk && p >= l - (k + 1) * c && p <= l - k * c - 1;
      if (config.pattern === 'jukebox-summary') inA2 = causalOk && p >= l - c && Math.floor(j / l) < config.n / l - 1;
    }
    const a1 = usesA1 && inA1;
    const a2 = usesA2 && inA2;
    return a1 && a2 ? 'A1+A2' : a1 ? 'A1' : a2 ? 'A2' : 'masked';
  }
  // Block layouts and ports: the mask itself decides; the preset's spec names the rule.
  const allowed = rowColumns((mask ?? buildPattern(config)).heads[h], i).includes(j);
  // Stryker disable next-line OptionalChaining,StringLiteral: every preset reaching here has a rule (explain.test.ts checks it); 'masked' → "" is killed
  return allowed ? (patternSpec(config.pattern).rule?.(config, h, i, j) ?? `${config.pattern} rule`) : 'masked';
}
