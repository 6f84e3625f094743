/**
 * DeepSpeed's FixedSparsityConfig (deepspeed/ops/sparse_attention/sparsity_config.py),
 * line for line: set_local_layout, set_global_layout with its short-last-window rule, and
 * check_and_propagate_first_head_layout. Validation lives in config.ts with DeepSpeed's messages.
 */
import type { DeepSpeedFixedConfig } from '../config';
import { BlockLayout, FULL, HeadMask } from '../mask';
import { expandLayout } from './openai';

export function deepspeedLayout(config: DeepSpeedFixedConfig): BlockLayout {
  const nb = config.n / config.block;
  const heads = config.heads;
  const data = new Uint8Array(heads * nb * nb);
  const set = (h: number, row: number, col: number): void => {
    data[h * nb * nb + row * nb + col] = 1;
  };
  const unidirectional = config.attention === 'unidirectional';
  const local = config.numLocalBlocks;
  const global = config.numGlobalBlocks;
  const layoutHeads = config.differentLayoutPerHead ? heads : 1;

  const setGlobalColumns = (h: number, start: number, end: number): void => {
    const firstRow = unidirectional ? start : 0;
    for (let row = firstRow; row < nb; row++) for (let col = start; col < Math.min(end, nb); col++) set(h, row, col);
    if (config.horizontalGlobalAttention) {
      for (let row = start; row < Math.min(end, nb); row++) for (let col = 0; col < nb; col++) set(h, row, col);
    }
  };

  for (let h = 0; h < layoutHeads; h++) {
    // set_local_layout
    for (let i = 0; i < nb; i += local) {
      const end = Math.min(i + local, nb);
      for (let row = i; row < end; row++) {
        for (let col = i; col < (unidirectional ? row + 1 : end); col++) set(h, row, col);
      }
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
