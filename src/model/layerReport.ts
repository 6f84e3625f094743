/**
 * One layer of a real model under a pattern: the pattern at the layer's n and heads, the model's own
 * (dense) attention, and the coverage, with the one-line text the CLI, the inspector and the JSON
 * share ("head 3 keeps 71.2% of its attention mass under fixed l=32 c=4").
 */
import { buildPattern, DENSE_PROBS_LIMIT_BYTES, formatBytes, patternSpec, validateConfig } from '../core';
import type { PatternConfig, PatternMask } from '../core';
import { AttentionMaps, coverage, denseAttention, LayerCoverage } from './attention';
import type { LayerQkv } from './layerQkv';
import { ModelError } from './weights';

export interface LayerUnderPattern {
  pattern: PatternConfig;
  mask: PatternMask;
  dense: AttentionMaps;
  coverage: LayerCoverage;
}

/** `config` at the layer's n (its token count) and head count; a config they break is refused with the registry's words. */
export function layerPattern(config: PatternConfig, qkv: Pick<LayerQkv, 'n' | 'heads'>): PatternConfig {
  const pattern = { ...config, n: qkv.n, heads: qkv.heads } as PatternConfig;
  const issues = validateConfig(pattern);
  if (issues.length) throw new ModelError(`the pattern does not fit this layer (n = ${qkv.n} tokens, ${qkv.heads} heads): ${issues.map((i) => i.message).join('; ')}`);
  return pattern;
}

/** Dense attention [heads, n, n] is what coverage needs: refused past the dense-probabilities budget, with the n that fits. */
export function checkDenseAttentionSize(n: number, heads: number): void {
  const bytes = 4 * heads * n * n;
  if (bytes <= DENSE_PROBS_LIMIT_BYTES) return;
  const fits = Math.floor(Math.sqrt(DENSE_PROBS_LIMIT_BYTES / (4 * heads)));
  throw new ModelError(`the model's attention for ${n} tokens and ${heads} heads is ${formatBytes(bytes)} (limit ${formatBytes(DENSE_PROBS_LIMIT_BYTES)}): use at most ${fits} tokens`);
}

export function underPattern(qkv: LayerQkv, config: PatternConfig): LayerUnderPattern {
  const pattern = layerPattern(config, qkv);
  checkDenseAttentionSize(qkv.n, qkv.heads);
  const mask = buildPattern(pattern);
  const dense = denseAttention(qkv);
  return { pattern, mask, dense, coverage: coverage(dense, mask) };
}

/** "fixed l=32 c=4": the preset and its parameters by their short names (n and heads left out). */
export function patternLabel(config: PatternConfig): string {
  const values = config as unknown as Record<string, unknown>;
  const parts = patternSpec(config.pattern)
    .params.filter((p) => p.key !== 'n' && p.key !== 'heads' && p.short)
    .map((p) => `${p.short}=${Array.isArray(values[p.key]) ? `[${(values[p.key] as number[]).join(',')}]` : values[p.key]}`);
  return [config.pattern, ...parts].join(' ');
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One line per head and one for the layer. */
export function coverageLines(result: LayerCoverage, pattern: PatternConfig): string[] {
  const label = patternLabel(pattern);
  const lines = result.heads.map((h) => {
    const worst = h.worst[0];
    return `head ${h.head} keeps ${percent(h.mean)} of its attention mass under ${label}${worst ? ` (least: row ${worst.row}, ${percent(worst.share)})` : ''}`;
  });
  lines.push(`layer mean: ${percent(result.mean)} of the attention mass is inside the pattern`);
  return lines;
}
