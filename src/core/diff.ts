/**
 * Cell-by-cell comparison of a user's dense mask with a pattern, and the search for a known
 * port that explains the difference ("why does my mask differ from the paper?").
 */
import { buildPattern } from './build';
import { FACTORIZED_PATTERNS, FactorizedConfig, isFactorized, PatternConfig, PatternName } from './config';
import type { HeadMask, PatternMask } from './mask';
import { PORT_NOTES } from './patterns/ports';
import { RangeList } from './ranges';

export interface CellDifference {
  i: number;
  j: number;
  /** missing: the pattern allows it, their mask does not; extra: the reverse. */
  kind: 'missing' | 'extra';
}

export interface HeadDifference {
  head: number;
  missing: number;
  extra: number;
  examples: CellDifference[];
}

export interface MaskDifference {
  identical: boolean;
  heads: HeadDifference[];
}

/** `theirs` is [H, n, n] (nonzero = allowed); one head is compared against every head. */
export function diffDense(theirs: Uint8Array, theirHeads: number, mask: PatternMask, maxExamples = 5): MaskDifference {
  const n = mask.n;
  const list = new RangeList();
  const heads = mask.heads.map((head, h) => diffHead(theirs, (theirHeads === 1 ? 0 : h) * n * n, head, h, list, maxExamples));
  return { identical: heads.every((d) => d.missing === 0 && d.extra === 0), heads };
}

function diffHead(theirs: Uint8Array, offset: number, head: HeadMask, h: number, list: RangeList, maxExamples: number): HeadDifference {
  const n = head.n;
  const result: HeadDifference = { head: h, missing: 0, extra: 0, examples: [] };
  const note = (i: number, j: number, kind: CellDifference['kind']): void => {
    if (kind === 'missing') result.missing++;
    else result.extra++;
    if (result.examples.length < maxExamples) result.examples.push({ i, j, kind });
  };
  for (let i = 0; i < n; i++) {
    head.row(i, list);
    const base = offset + i * n;
    let j = 0;
    for (let r = 0; r <= list.length; r++) {
      const allowedFrom = r < list.length ? list.starts[r] : n;
      for (; j < allowedFrom; j++) if (theirs[base + j] !== 0) note(i, j, 'extra');
      // Stryker disable next-line ConditionalExpression: without the break, j is already n and every end is <= n, so the next loop runs no step and r passes length (`true` is killed)
      if (r === list.length) break;
      for (; j < list.ends[r]; j++) if (theirs[base + j] === 0) note(i, j, 'missing');
    }
  }
  return result;
}

export interface KnownMatch {
  config: PatternConfig;
  /** What the matching variant is, in one line. */
  description: string;
}

/**
 * The same parameters in another preset of the fixed family (the paper against a port, say):
 * ports take one summary set, and lra/fairseq one merged mask. Undefined for block presets or
 * the same preset. The difference view and the known-port search both use it.
 */
export function relativeConfig(config: PatternConfig, other: PatternName): PatternConfig | undefined {
  if (!isFactorized(config) || other === config.pattern || !(FACTORIZED_PATTERNS as readonly string[]).includes(other)) return undefined;
  const mergedOnly = other === 'lra-fixed' || other === 'fairseq-fixed';
  return { ...config, pattern: other as FactorizedConfig['pattern'], subblocks: other === 'fixed' ? config.subblocks : 1, mode: mergedOnly ? 'merged' : config.mode };
}

/** Variants of `config` a user's mask may really be: the ports, the other direction, one sub-block. */
export function candidateVariants(config: PatternConfig): KnownMatch[] {
  if (!isFactorized(config)) return [];
  const variants: KnownMatch[] = [];
  for (const pattern of FACTORIZED_PATTERNS) {
    const variant = relativeConfig(config, pattern);
    if (variant) variants.push({ config: variant, description: PORT_NOTES[pattern] ?? `the ${pattern} pattern with the same parameters` });
  }
  variants.push({
    config: { ...config, bidirectional: !config.bidirectional },
    description: config.bidirectional ? 'the causal variant (j <= i cut)' : 'the bidirectional variant (no j <= i cut)',
  });
  if (config.subblocks > 1) variants.push({ config: { ...config, subblocks: 1 }, description: 'one summary sub-block shared by all heads' });
  return variants;
}

/** The first known variant that equals `theirs` exactly, if any. */
export function findKnownMatch(theirs: Uint8Array, theirHeads: number, config: PatternConfig): KnownMatch | undefined {
  for (const variant of candidateVariants(config)) {
    let mask: PatternMask;
    try {
      mask = buildPattern(variant.config);
    } catch {
      continue; // the variant does not accept these parameters
    }
    if (diffDense(theirs, theirHeads, mask, 0).identical) return variant;
  }
  return undefined;
}
