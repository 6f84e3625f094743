/**
 * DeepSpeed's other SparsityConfig classes (deepspeed/ops/sparse_attention/sparsity_config.py),
 * transcribed: VariableSparsityConfig, BSLongformerSparsityConfig and DenseSparsityConfig. Each
 * head's layout is the same (their layouts do not depend on the head, random blocks aside, which
 * the presets refuse), so one layout is built and propagated as check_and_propagate does.
 */
import type { DeepSpeedBSLongformerConfig, DeepSpeedDenseConfig, DeepSpeedVariableConfig } from '../config';
import { BlockLayout, FULL, HeadMask } from '../mask';
import { pythonSlice } from './deepspeed';
import { expandLayout } from './openai';

/** One head's nb x nb layout with `layout[rows, cols] = 1` in Python's slice semantics. */
class HeadLayout {
  readonly data: Uint8Array;
  constructor(readonly nb: number) {
    this.data = new Uint8Array(nb * nb);
  }
  set(rows: [number, number], cols: [number, number]): void {
    const [r0, r1] = pythonSlice(rows[0], rows[1], this.nb);
    const [c0, c1] = pythonSlice(cols[0], cols[1], this.nb);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: fill() with an end at or before its start fills nothing; the guard only saves a call (`false`, `c1 <= c0` and the row loop's `<=`, `>=` are killed)
    for (let row = r0; row < r1; row++) if (c1 > c0) this.data.fill(1, row * this.nb + c0, row * this.nb + c1);
  }
  /** The same layout for every head, as check_and_propagate_first_head_layout leaves it. */
  toLayout(block: number, heads: number): BlockLayout {
    const size = this.nb * this.nb;
    const data = new Uint8Array(heads * size);
    for (let h = 0; h < heads; h++) data.set(this.data, h * size);
    return { block, heads, blocks: this.nb, data };
  }
}

/** global_block_indices, or with end indices the [start, end) ranges, as DeepSpeed pairs them. */
function globalRanges(starts: readonly number[], ends: readonly number[]): Array<[number, number | undefined]> {
  return ends.length ? starts.map((s, k) => [s, ends[k]]) : starts.map((s) => [s, undefined]);
}

export function variableLayout(config: DeepSpeedVariableConfig): BlockLayout {
  const nb = config.n / config.block;
  const layout = new HeadLayout(nb);
  const unidirectional = config.attention === 'unidirectional';
  // set_local_layout: the listed windows, then the last size repeated over what is left.
  let start = 0;
  let end = 0;
  let size = 0;
  for (size of config.localWindowBlocks) {
    end = Math.min(end + size, nb);
    for (let row = start; row < end; row++) layout.set([row, row + 1], [start, unidirectional ? row + 1 : end]);
    start += size;
  }
  // Stryker disable next-line EqualityOperator: at i = nb the window's rows [nb, nb) are empty (`>=` is killed)
  for (let i = start; i < nb; i += size) {
    const last = Math.min(i + size, nb);
    for (let row = i; row < last; row++) layout.set([row, row + 1], [i, unidirectional ? row + 1 : last]);
  }
  // set_global_layout
  for (const [s, e] of globalRanges(config.globalBlockIndices, config.globalBlockEndIndices)) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a range from nb on is clamped to [nb, nb) by pythonSlice and sets nothing; skipping it only saves time (`true` and `<` are killed)
    if (s >= nb) continue;
    const stop = e === undefined ? s + 1 : Math.min(e, nb);
    if (config.horizontalGlobalAttention) layout.set([s, stop], [0, nb]);
    layout.set([config.attention === 'bidirectional' ? 0 : s, nb], [s, stop]);
  }
  return layout.toLayout(config.block, config.heads);
}

export function bsLongformerLayout(config: DeepSpeedBSLongformerConfig): BlockLayout {
  const nb = config.n / config.block;
  const layout = new HeadLayout(nb);
  // set_sliding_window_layout
  const w = Math.floor(config.numSlidingWindowBlocks / 2);
  // Stryker disable next-line EqualityOperator: row nb is clamped to [nb, nb) by pythonSlice and sets nothing (`>=` is killed)
  for (let row = 0; row < nb; row++) layout.set([row, row + 1], [Math.max(0, row - w), Math.min(row + w + 1, nb)]);
  // set_global_layout: global rows and columns, then torch.tril for unidirectional (block level).
  for (const [s, e] of globalRanges(config.globalBlockIndices, config.globalBlockEndIndices)) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a range from nb on is clamped to [nb, nb) by pythonSlice and sets nothing; skipping it only saves time (`true` and `<` are killed)
    if (s >= nb) continue;
    const stop = e === undefined ? s + 1 : Math.min(e, nb);
    layout.set([s, stop], [0, nb]);
    layout.set([0, nb], [s, stop]);
  }
  if (config.attention === 'unidirectional') {
    // Stryker disable next-line EqualityOperator: row nb fills from past the end of the data (ignored; `>=` is killed)
    for (let row = 0; row < nb; row++) layout.data.fill(0, row * nb + row + 1, (row + 1) * nb);
  }
  return layout.toLayout(config.block, config.heads);
}

export function denseBlockLayout(config: DeepSpeedDenseConfig): BlockLayout {
  const layout = new HeadLayout(config.n / config.block);
  layout.data.fill(1);
  return layout.toLayout(config.block, config.heads);
}

/** DeepSpeed expands every set block to a full B x B tile: no causal cut inside blocks. */
export function layoutHeads(layout: BlockLayout, n: number): HeadMask[] {
  return expandLayout(layout, n, FULL);
}
