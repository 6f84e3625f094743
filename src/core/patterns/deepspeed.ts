/**
 * DeepSpeed's FixedSparsityConfig (deepspeed/ops/sparse_attention/sparsity_config.py),
 * line for line: set_local_layout, set_global_layout with its short-last-window rule, and
 * check_and_propagate_first_head_layout. Validation lives in config.ts with DeepSpeed's messages.
 */
import type { DeepSpeedFixedConfig } from '../config';
import { BlockLayout, FULL, HeadMask } from '../mask';
import { expandLayout } from './openai';

/**
 * Python's slice bounds `[start:stop]` over `length` items: negative values count from the end
 * and everything is clamped, so `layout[h, -1:, -1:2]` means the last row, last column.
 */
export function pythonSlice(start: number, stop: number, length: number): [number, number] {
  const clamp = (x: number) => Math.min(length, Math.max(0, x < 0 ? x + length : x));
  return [clamp(start), clamp(stop)];
}

export function deepspeedLayout(config: DeepSpeedFixedConfig): BlockLayout {
  const nb = config.n / config.block;
  const heads = config.heads;
  const data = new Uint8Array(heads * nb * nb);
  /** layout[h, rows, cols] = 1 with Python slices: never outside head h's nb x nb layout. */
  const setSlice = (h: number, [r0, r1]: [number, number], [c0, c1]: [number, number]): void => {
    for (let row = r0; row < r1; row++) data.fill(1, h * nb * nb + row * nb + c0, h * nb * nb + row * nb + Math.max(c0, c1));
  };
  const unidirectional = config.attention === 'unidirectional';
  const local = config.numLocalBlocks;
  const global = config.numGlobalBlocks;
  const layoutHeads = config.differentLayoutPerHead ? heads : 1;

  // `layout[h, first_row:, start:end] = 1` and, horizontally, `layout[h, start:end, :] = 1`. A
  // short sequence makes start negative (num_blocks - num_global_blocks); Python's slice wraps.
  const setGlobalColumns = (h: number, start: number, end: number): void => {
    const firstRow = unidirectional ? start : 0;
    setSlice(h, pythonSlice(firstRow, nb, nb), pythonSlice(start, end, nb));
    if (config.horizontalGlobalAttention) setSlice(h, pythonSlice(start, end, nb), [0, nb]);
  };

  // Stryker disable next-line EqualityOperator: `<=` sets a head past the last layout head: past the end of the data (ignored), or head 1, which the propagation below overwrites (`>=` is killed)
  for (let h = 0; h < layoutHeads; h++) {
    // set_local_layout
    // Stryker disable next-line EqualityOperator: at i = nb the window's rows [nb, nb) are empty (`>=` is killed)
    for (let i = 0; i < nb; i += local) {
      const end = Math.min(i + local, nb);
      for (let row = i; row < end; row++) setSlice(h, [row, row + 1], [i, unidirectional ? row + 1 : end]);
    }
    // set_global_layout: all full windows, then a clamped global block for a short last window.
    const firstGlobal = local - (1 + (h % config.numDifferentGlobalPatterns)) * global;
    const fullEnd = nb - (nb % local);
    for (let i = firstGlobal; i < fullEnd; i += local) setGlobalColumns(h, i, i + global);
    if (fullEnd < nb) {
      const start = Math.min(fullEnd + firstGlobal, nb - global);
      setGlobalColumns(h, start, start + global);
    }
  }
  // check_and_propagate_first_head_layout
  if (!config.differentLayoutPerHead) {
    const size = nb * nb;
    // Stryker disable next-line EqualityOperator: h = heads copies past the end of the data (ignored; `>=` is killed)
    for (let h = 1; h < heads; h++) data.copyWithin(h * size, 0, size);
  }
  return { block: config.block, heads, blocks: nb, data };
}

export function deepspeedWarnings(config: DeepSpeedFixedConfig): string[] {
  const warnings: string[] = [];
  if (config.attention === 'unidirectional' && config.numGlobalBlocks >= 2) {
    warnings.push(
      `DeepSpeed quirk: unidirectional with num_global_blocks=${config.numGlobalBlocks} sets each global column group from its first block row on, ` +
        `so those rows attend up to ${config.numGlobalBlocks - 1} block(s) into the future`,
    );
  }
  if (config.attention === 'unidirectional') {
    warnings.push('DeepSpeed applies no causal cut inside blocks: diagonal blocks are full unless you pass a token-level causal mask');
  }
  return warnings;
}

export function deepspeedHeads(config: DeepSpeedFixedConfig): { layout: BlockLayout; heads: HeadMask[] } {
  const layout = deepspeedLayout(config);
  return { layout, heads: expandLayout(layout, config.n, FULL) };
}
