/**
 * Pattern configurations, one shape per preset, and their validation. What each preset's
 * parameters are and which rules it has lives in its spec (patterns/presets/, via the registry).
 */
import { patternSpec, REGISTERED_PATTERNS } from './patterns/registry';
import { checkParams } from './patterns/spec';

export type Mode = 'merged' | 'split' | 'interleaved';

/** Patterns described by stride l, summary length c and the paper's two sets. */
export const FACTORIZED_PATTERNS = [
  'fixed',
  'strided',
  'local',
  'dense',
  'lra-fixed',
  'fairseq-fixed',
  'jukebox-summary',
] as const;
export type FactorizedPattern = (typeof FACTORIZED_PATTERNS)[number];

export interface FactorizedConfig {
  pattern: FactorizedPattern;
  n: number;
  heads: number;
  /** Stride / block length l (unused by dense). */
  stride: number;
  /** Summary length c (fixed and its ports). */
  c: number;
  /** K distinct summary sub-blocks; head h uses k = h mod K. */
  subblocks: number;
  mode: Mode;
  /** Layer index r, used by the interleaved mode. */
  layer: number;
  bidirectional: boolean;
}

export interface OpenAIFixedConfig {
  pattern: 'openai-fixed';
  n: number;
  heads: number;
  block: number;
  stride: number;
  numVerts: number;
  vertsize: number;
}

export interface DeepSpeedFixedConfig {
  pattern: 'deepspeed-fixed';
  n: number;
  heads: number;
  block: number;
  numLocalBlocks: number;
  numGlobalBlocks: number;
  attention: string;
  horizontalGlobalAttention: boolean;
  differentLayoutPerHead: boolean;
  numDifferentGlobalPatterns: number;
}

export function isFactorized(config: PatternConfig): config is FactorizedConfig {
  return (FACTORIZED_PATTERNS as readonly string[]).includes(config.pattern);
}

/** DeepSpeed VariableSparsityConfig (random blocks refused: Python's random.sample cannot be reproduced). */
export interface DeepSpeedVariableConfig {
  pattern: 'deepspeed-variable';
  n: number;
  heads: number;
  block: number;
  numRandomBlocks: number;
  localWindowBlocks: number[];
  globalBlockIndices: number[];
  /** Empty means None: each global index is one block. */
  globalBlockEndIndices: number[];
  attention: string;
  horizontalGlobalAttention: boolean;
  differentLayoutPerHead: boolean;
}

/** DeepSpeed BSLongformerSparsityConfig. */
export interface DeepSpeedBSLongformerConfig {
  pattern: 'deepspeed-bslongformer';
  n: number;
  heads: number;
  block: number;
  numSlidingWindowBlocks: number;
  globalBlockIndices: number[];
  globalBlockEndIndices: number[];
  attention: string;
  differentLayoutPerHead: boolean;
}

/** DeepSpeed DenseSparsityConfig: every block. */
export interface DeepSpeedDenseConfig {
  pattern: 'deepspeed-dense';
  n: number;
  heads: number;
  block: number;
  differentLayoutPerHead: boolean;
}

export type PatternConfig =
  | FactorizedConfig
  | OpenAIFixedConfig
  | DeepSpeedFixedConfig
  | DeepSpeedVariableConfig
  | DeepSpeedBSLongformerConfig
  | DeepSpeedDenseConfig;
export type PatternName = PatternConfig['pattern'];
/** Every preset, in the order the form and the CLI list them: the registry's. */
export const PATTERN_NAMES: readonly PatternName[] = REGISTERED_PATTERNS;

/** One thing wrong with a config, tied to the field at fault so a form can show it inline. */
export interface ConfigIssue {
  field: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'ConfigError';
  }
}

/** A preset's defaults (a fresh copy: lists included). */
export function defaultConfig(pattern: PatternName = 'fixed'): PatternConfig {
  return structuredClone(patternSpec(pattern).defaults);
}

/** Positions a pattern may have (statistics and exports; the inspector opens up to 2^20). */
export const MAX_POSITIONS = 1 << 24;
/** A block preset's layout [H, n/block, n/block] is one byte per block: bounded like a dense export. */
export const MAX_LAYOUT_BYTES = 256 * 1024 * 1024;
/** More heads than any published model uses; beyond, per-head arrays and PNGs stop being sane. */
export const MAX_HEADS = 1024;

/**
 * Every problem with a config at once (empty when it is valid): each parameter's own check from
 * the registry, the limits, then the preset's rules (the peers' own messages where they are theirs).
 */
export function validateConfig(config: PatternConfig): ConfigIssue[] {
  const spec = PATTERN_NAMES.includes(config.pattern) ? patternSpec(config.pattern) : undefined;
  if (!spec) return [{ field: 'pattern', message: `unknown pattern "${config.pattern}"; choose one of ${PATTERN_NAMES.join(', ')}` }];
  const issues: ConfigIssue[] = [];
  checkParams(spec.params, config, issues);
  if (Number.isInteger(config.heads) && config.heads > MAX_HEADS) {
    issues.push({ field: 'heads', message: `heads (${config.heads}) exceeds the supported maximum of ${MAX_HEADS}` });
  }
  if (Number.isInteger(config.n) && config.n > MAX_POSITIONS) {
    issues.push({ field: 'n', message: `n (${config.n}) exceeds the supported maximum of ${MAX_POSITIONS} positions` });
  }
  if (issues.length) return issues;
  spec.validate(config, issues);
  if (!issues.length && spec.layout && 'block' in config) checkLayoutSize(config, issues);
  return issues;
}

/** Refuses, before it is allocated, a block layout past MAX_LAYOUT_BYTES (n = 2^20, block 16 would be 4 GiB a head). */
function checkLayoutSize(config: PatternConfig & { block: number }, issues: ConfigIssue[]): void {
  const blocks = config.n / config.block;
  const bytes = config.heads * blocks * blocks;
  if (bytes <= MAX_LAYOUT_BYTES) return;
  const mib = (b: number) => `${(b / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;
  issues.push({
    field: 'block',
    message: `the block layout [${config.heads}, ${blocks}, ${blocks}] would need ${mib(bytes)} (limit ${mib(MAX_LAYOUT_BYTES)}): use a larger block, fewer heads or a smaller n`,
  });
}

/**
 * The config for another preset that keeps every value the two presets share (n, heads, l, c,
 * block, …). A kept value the new preset rejects (say 4 sub-blocks for a port with one summary
 * set) falls back to the new preset's default, so switching never lands on an error the user
 * did not make.
 */
export function switchPreset(current: PatternConfig, pattern: PatternName): PatternConfig {
  const fresh = defaultConfig(pattern) as unknown as Record<string, unknown>;
  const old = current as unknown as Record<string, unknown>;
  const kept = { ...fresh };
  // A value of another type (a hand-edited setting) is not shared; a field the old preset lacks is `undefined`.
  for (const key of Object.keys(fresh)) if (key !== 'pattern' && typeof old[key] === typeof fresh[key]) kept[key] = old[key];
  let config = kept as unknown as PatternConfig;
  // Reset the fields the new preset complains about, one round at a time (a reset can clear another issue).
  // Each round resets fields to defaults, which the next round no longer counts, so the loop ends by
  // itself well before 4 rounds: more rounds, or running on without issues, change nothing.
  // Stryker disable next-line EqualityOperator,UpdateOperator: see above; `>=` (no round) is killed
  for (let round = 0; round < 4; round++) {
    // n and heads are the user's sequence: kept even when the preset objects (the field says why).
    // Every issue names a field of the new preset's config. A field already at its default is left
    // out only to end the rounds sooner: resetting it again changes nothing.
    // Stryker disable next-line ConditionalExpression: see above; the n and heads exclusions are killed
    const resettable = (field: string) => field !== 'n' && field !== 'heads' && (config as unknown as Record<string, unknown>)[field] !== fresh[field];
    const issues = validateConfig(config).filter((issue) => resettable(issue.field));
    // Stryker disable next-line ConditionalExpression: see above; `true` is killed
    if (!issues.length) break;
    const next = { ...(config as unknown as Record<string, unknown>) };
    for (const issue of issues) next[issue.field] = fresh[issue.field];
    config = next as unknown as PatternConfig;
  }
  // An issue on a field already at its default comes from a kept value elsewhere (OpenAI's
  // num_verts*vertsize*block against a kept l): the kept values the preset does not default to go too.
  const values = config as unknown as Record<string, unknown>;
  if (validateConfig(config).some((issue) => issue.field !== 'n' && issue.field !== 'heads')) {
    const reset = { ...values };
    for (const key of Object.keys(fresh)) if (key !== 'n' && key !== 'heads') reset[key] = fresh[key];
    return reset as unknown as PatternConfig;
  }
  return config;
}
