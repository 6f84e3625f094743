/**
 * What the inspector can afford, decided before any work starts: the largest n it opens, the
 * tiles a pattern would store (memory and time grow with them), and the memory attention needs.
 * Each limit comes with the estimate that broke it, so the form can say what to change.
 *
 * Figures (measured with `node --expose-gc --import tsx`, build + statistics, this repo's 2-core
 * machine): about 150 bytes of heap and 1-4 µs per stored tile; n = 2^20, l = 32, 8 heads stores
 * 524,280 tiles, 74 MB, 1.1 s.
 */
import { buildPattern } from './build';
import { ConfigIssue, isFactorized, PatternConfig } from './config';
import { formatBytes } from './dense';
import { patternSpec } from './patterns/registry';

/** The inspector opens up to 2^20 positions (masks interactive, weights per viewport). */
export const INSPECTOR_MAX_N = 1 << 20;
/** Tiles a pattern may store in the inspector: ~300 MB and a few seconds in its worker. */
export const INSPECTOR_MAX_TILES = 2_000_000;
export const BYTES_PER_TILE = 150;
/** Q, K, V and the output (float32) the attention worker may hold. */
export const ATTENTION_MAX_BYTES = 1 << 30;

/** Tiles the pattern will store over its distinct heads: a closed form, or a small build scaled up. */
export function estimateTiles(config: PatternConfig): number {
  const n = config.n;
  // Stryker disable next-line LogicalOperator: a preset has a layout exactly when its config has a block (`in` narrows the type); `||` picks the same presets
  if (patternSpec(config.pattern).layout && 'block' in config) {
    // Set blocks grow at most with the square of the block count: build a few blocks and scale.
    const blocks = n / config.block;
    const sampleBlocks = Math.min(blocks, 64);
    const sample = buildPattern({ ...config, n: sampleBlocks * config.block } as PatternConfig);
    const stored = Array.from(new Set(sample.heads)).reduce((s, h) => s + h.storedElements, 0);
    return Math.ceil(stored * (blocks / sampleBlocks) ** 2);
  }
  if (!isFactorized(config) || config.pattern === 'strided' || config.pattern === 'local' || config.pattern === 'dense') return 4 * Math.min(config.heads, 2);
  const blocks = Math.ceil(n / config.stride);
  // Per block: A1 is one tile; A2 one strip per summary set (two when bidirectional: before and after).
  const strips = config.bidirectional ? 2 : 1;
  const sets = config.pattern === 'fixed' ? Math.min(config.heads, config.subblocks) : 2;
  if (config.mode === 'split') return blocks * (1 + Math.min(Math.ceil(config.heads / 2), sets) * strips);
  if (config.mode === 'interleaved') return blocks * (config.layer % 2 === 0 ? 1 : sets * strips);
  return sets * blocks * (1 + strips);
}

/** Why the inspector will not open this config, tied to the field to change; empty when it will. */
export function inspectorIssues(config: PatternConfig): ConfigIssue[] {
  const n = config.n;
  if (n > INSPECTOR_MAX_N) {
    return [
      {
        field: 'n',
        message: `n = ${n.toLocaleString('en-US')} is past the inspector's limit of ${INSPECTOR_MAX_N.toLocaleString('en-US')} (2^20) positions; \`sparse-attn stats\` takes up to 2^24`,
      },
    ];
  }
  const tiles = estimateTiles(config);
  if (tiles > INSPECTOR_MAX_TILES) {
    const field = 'block' in config ? 'block' : 'stride';
    const what = 'block' in config ? 'a larger block' : 'a larger l';
    return [
      {
        field,
        message: `about ${tiles.toLocaleString('en-US')} tiles (${formatBytes(tiles * BYTES_PER_TILE)}) at n = ${n.toLocaleString('en-US')}: past the inspector's ${INSPECTOR_MAX_TILES.toLocaleString('en-US')}; use ${what} or a smaller n`,
      },
    ];
  }
  return [];
}

/** The attention worker's Q, K, V and output for this config at head size d, and whether they fit. */
export function attentionMemory(config: PatternConfig, d: number): { bytes: number; fits: boolean; message: string } {
  const bytes = 4 * config.heads * config.n * d * 4;
  const fits = bytes <= ATTENTION_MAX_BYTES;
  const message = fits
    ? ''
    : `Q, K, V and the output of ${config.heads} heads × ${config.n.toLocaleString('en-US')} positions × d = ${d} need ${formatBytes(bytes)} (limit ${formatBytes(ATTENTION_MAX_BYTES)}): the maps show the masks; lower n or the heads for attention weights`;
  return { bytes, fits, message };
}
