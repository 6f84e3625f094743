/** Pattern configurations, one shape per preset, and their validation. */

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

export type PatternConfig = FactorizedConfig | OpenAIFixedConfig | DeepSpeedFixedConfig;
export type PatternName = PatternConfig['pattern'];
export const PATTERN_NAMES: readonly PatternName[] = [...FACTORIZED_PATTERNS, 'openai-fixed', 'deepspeed-fixed'];

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

export function defaultConfig(pattern: PatternName = 'fixed'): PatternConfig {
  switch (pattern) {
    case 'openai-fixed':
      return { pattern, n: 256, heads: 4, block: 32, stride: 128, numVerts: 4, vertsize: 1 };
    case 'deepspeed-fixed':
      return {
        pattern,
        n: 128,
        heads: 2,
        block: 16,
        numLocalBlocks: 4,
        numGlobalBlocks: 1,
        attention: 'bidirectional',
        horizontalGlobalAttention: false,
        differentLayoutPerHead: false,
        numDifferentGlobalPatterns: 1,
      };
    default:
      return { pattern, n: 256, heads: 4, stride: 32, c: 4, subblocks: 1, mode: 'merged', layer: 0, bidirectional: false };
  }
}

/** Dense masks beyond this many cells per call are refused (the union alone would be too big). */
export const MAX_POSITIONS = 1 << 24;
/** A block preset's layout [H, n/block, n/block] is one byte per block: bounded like a dense export. */
export const MAX_LAYOUT_BYTES = 256 * 1024 * 1024;
/** More heads than any published model uses; beyond, per-head arrays and PNGs stop being sane. */
export const MAX_HEADS = 1024;

function checkInteger(issues: ConfigIssue[], field: string, value: number, min: number, label = field): void {
  if (!Number.isInteger(value)) issues.push({ field, message: `${label} must be an integer (got ${value})` });
  else if (value < min) issues.push({ field, message: `${label} must be >= ${min} (got ${value})` });
}

/** Every problem with a config at once (empty when it is valid). DeepSpeed's own messages for its preset. */
export function validateConfig(config: PatternConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  checkInteger(issues, 'n', config.n, 1);
  checkInteger(issues, 'heads', config.heads, 1);
  if (Number.isInteger(config.heads) && config.heads > MAX_HEADS) {
    issues.push({ field: 'heads', message: `heads (${config.heads}) exceeds the supported maximum of ${MAX_HEADS}` });
  }
  if (Number.isInteger(config.n) && config.n > MAX_POSITIONS) {
    issues.push({ field: 'n', message: `n (${config.n}) exceeds the supported maximum of ${MAX_POSITIONS} positions` });
  }
  if (config.pattern === 'openai-fixed') validateOpenAI(config, issues);
  else if (config.pattern === 'deepspeed-fixed') validateDeepSpeed(config, issues);
  else validateFactorized(config, issues);
  if (!issues.length && (config.pattern === 'openai-fixed' || config.pattern === 'deepspeed-fixed')) checkLayoutSize(config, issues);
  return issues;
}

/** Refuses, before it is allocated, a block layout past MAX_LAYOUT_BYTES (n = 2^20, block 16 would be 4 GiB a head). */
function checkLayoutSize(config: OpenAIFixedConfig | DeepSpeedFixedConfig, issues: ConfigIssue[]): void {
  const blocks = config.n / config.block;
  const bytes = config.heads * blocks * blocks;
  if (bytes <= MAX_LAYOUT_BYTES) return;
  const mib = (b: number) => `${(b / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;
  issues.push({
    field: 'block',
    message: `the block layout [${config.heads}, ${blocks}, ${blocks}] would need ${mib(bytes)} (limit ${mib(MAX_LAYOUT_BYTES)}): use a larger block, fewer heads or a smaller n`,
  });
}

function validateFactorized(config: FactorizedConfig, issues: ConfigIssue[]): void {
  if (config.pattern === 'dense') return;
  checkInteger(issues, 'stride', config.stride, 1, 'stride l');
  checkInteger(issues, 'layer', config.layer, 0);
  if (!['merged', 'split', 'interleaved'].includes(config.mode)) {
    issues.push({ field: 'mode', message: `mode must be merged, split or interleaved (got ${config.mode})` });
  }
  const usesSummary = config.pattern !== 'strided' && config.pattern !== 'local';
  if (!usesSummary) return;
  checkInteger(issues, 'c', config.c, 1);
  checkInteger(issues, 'subblocks', config.subblocks, 1);
  if (issues.length) return;
  if (config.c > config.stride) issues.push({ field: 'c', message: `c (${config.c}) must be <= l (${config.stride})` });
  else if (config.subblocks * config.c > config.stride) {
    issues.push({
      field: 'subblocks',
      message: `subblocks*c (${config.subblocks * config.c}) exceeds l (${config.stride}): heads cannot have distinct summary sub-blocks`,
    });
  }
  const isPort = config.pattern !== 'fixed';
  if (isPort && config.subblocks !== 1) {
    issues.push({ field: 'subblocks', message: `${config.pattern} has one summary set for all heads: use subblocks 1 (got ${config.subblocks})` });
  }
  if ((config.pattern === 'lra-fixed' || config.pattern === 'fairseq-fixed') && config.mode !== 'merged') {
    issues.push({ field: 'mode', message: `${config.pattern} builds one merged mask: use mode merged (got ${config.mode})` });
  }
  if (config.pattern === 'fairseq-fixed' && config.n <= config.stride) {
    issues.push({ field: 'n', message: `fairseq-fixed asserts n > l: n (${config.n}) must exceed l (${config.stride})` });
  }
  if (config.pattern === 'fairseq-fixed' && config.c >= config.stride) {
    issues.push({ field: 'c', message: `fairseq-fixed never advances its checkpoint when c == l: use c < l (got c ${config.c}, l ${config.stride})` });
  }
  if (config.pattern === 'jukebox-summary' && config.bidirectional) {
    issues.push({ field: 'bidirectional', message: 'jukebox-summary is autoregressive only: drop --bidirectional' });
  }
  if (config.pattern === 'jukebox-summary' && config.n % config.stride !== 0) {
    issues.push({ field: 'n', message: `jukebox asserts n_ctx % blocks == 0: n (${config.n}) must be a multiple of l (${config.stride})` });
  }
  if (config.pattern === 'lra-fixed' && config.bidirectional) {
    issues.push({ field: 'bidirectional', message: 'lra-fixed is causal only (long-range-arena builds its fixed pattern for decoding): drop --bidirectional' });
  }
}

function validateOpenAI(config: OpenAIFixedConfig, issues: ConfigIssue[]): void {
  if (![8, 16, 32, 64].includes(config.block)) {
    issues.push({ field: 'block', message: `block must be one of 8, 16, 32, 64 (got ${config.block})` });
    return;
  }
  checkInteger(issues, 'stride', config.stride, 1, 'stride l');
  checkInteger(issues, 'numVerts', config.numVerts, 1, 'num_verts');
  checkInteger(issues, 'vertsize', config.vertsize, 1);
  if (issues.length) return;
  if (config.n % config.block !== 0) {
    issues.push({ field: 'n', message: `n (${config.n}) must be a multiple of block (${config.block})` });
  }
  if (config.stride % config.block !== 0) {
    issues.push({ field: 'stride', message: `stride l (${config.stride}) must be a multiple of block (${config.block})` });
  }
  if ((config.stride / config.block) % config.vertsize !== 0) {
    issues.push({
      field: 'vertsize',
      message: `l/block (${config.stride / config.block}) must be a multiple of vertsize (${config.vertsize}): OpenAI reshapes the window's blocks into groups of vertsize`,
    });
  }
  if (config.heads % config.numVerts !== 0) {
    issues.push({ field: 'heads', message: `OpenAI asserts n_heads % num_verts == 0: heads (${config.heads}) must be a multiple of num_verts (${config.numVerts})` });
  }
  const c = config.vertsize * config.block;
  if (config.numVerts * c > config.stride) {
    issues.push({
      field: 'numVerts',
      message: `num_verts*vertsize*block (${config.numVerts * c}) exceeds l (${config.stride}): heads cannot have distinct summary sub-blocks`,
    });
  }
}

function validateDeepSpeed(config: DeepSpeedFixedConfig, issues: ConfigIssue[]): void {
  checkInteger(issues, 'block', config.block, 1);
  checkInteger(issues, 'numLocalBlocks', config.numLocalBlocks, 1, 'num_local_blocks');
  checkInteger(issues, 'numGlobalBlocks', config.numGlobalBlocks, 1, 'num_global_blocks');
  checkInteger(issues, 'numDifferentGlobalPatterns', config.numDifferentGlobalPatterns, 1, 'num_different_global_patterns');
  if (issues.length) return;
  // The order and wording follow DeepSpeed's FixedSparsityConfig.__init__ and setup_layout.
  if (config.numLocalBlocks % config.numGlobalBlocks !== 0) {
    issues.push({
      field: 'numGlobalBlocks',
      message: `Number of blocks in a local window, ${config.numLocalBlocks}, must be dividable by number of global blocks, ${config.numGlobalBlocks}!`,
    });
  }
  if (config.attention !== 'unidirectional' && config.attention !== 'bidirectional') {
    issues.push({ field: 'attention', message: 'only "uni/bi-directional" attentions are supported for now!' });
  }
  if (config.attention !== 'bidirectional' && config.horizontalGlobalAttention) {
    issues.push({ field: 'horizontalGlobalAttention', message: 'only "bi-directional" attentions can support horizontal global attention!' });
  }
  if (config.numDifferentGlobalPatterns > 1 && !config.differentLayoutPerHead) {
    issues.push({
      field: 'numDifferentGlobalPatterns',
      message:
        'Number of different layouts cannot be more than one when you have set a single layout for all heads! Set different_layout_per_head to True.',
    });
  }
  const windows = Math.floor(config.numLocalBlocks / config.numGlobalBlocks);
  if (config.numDifferentGlobalPatterns > windows) {
    issues.push({
      field: 'numDifferentGlobalPatterns',
      message: `Number of layout versions (num_different_global_patterns), ${config.numDifferentGlobalPatterns}, cannot be larger than number of local window blocks divided by number of global blocks, ${config.numLocalBlocks} / ${config.numGlobalBlocks} = ${windows}!`,
    });
  }
  if (config.n % config.block !== 0) {
    issues.push({ field: 'n', message: `Sequence Length, ${config.n}, needs to be dividable by Block size ${config.block}!` });
  }
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
  for (const key of Object.keys(fresh)) if (key !== 'pattern' && key in old && typeof old[key] === typeof fresh[key]) kept[key] = old[key];
  let config = kept as unknown as PatternConfig;
  // Reset the fields the new preset complains about, one round at a time (a reset can clear another issue).
  for (let round = 0; round < 4; round++) {
    // n and heads are the user's sequence: kept even when the preset objects (the field says why).
    const resettable = (field: string) => field !== 'n' && field !== 'heads' && field in fresh && (config as unknown as Record<string, unknown>)[field] !== fresh[field];
    const issues = validateConfig(config).filter((issue) => resettable(issue.field));
    if (!issues.length) break;
    const next = { ...(config as unknown as Record<string, unknown>) };
    for (const issue of issues) next[issue.field] = fresh[issue.field];
    config = next as unknown as PatternConfig;
  }
  return config;
}
