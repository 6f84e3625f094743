/** Sizes every architecture resolves the same way, and the attention step every block shares. */
import { blockAttentionOutput } from '../attention';
import type { HfConfig } from '../hfConfig';
import { matmul, packWeights } from '../matmul';
import type { PackedWeights, WeightLayout } from '../matmul';
import { mergeHeads } from '../ops';
import type { LayerQkv } from '../layerQkv';
import { CheckedWeights, ModelError } from '../weights';
import type { ModelHints } from './network';

/** Layers from config.json, else the highest layer index among the names (`layer` matches one layer's names and captures the index). */
export function layerCount(config: HfConfig, keys: string[], names: string[], layer: RegExp): number {
  const fromConfig = config.count(...keys);
  if (fromConfig !== undefined) return fromConfig;
  let highest = -1;
  for (const name of names) {
    const match = layer.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1;
}

/** The head count: config.json's, else the caller's hint; nothing in the tensor shapes says it. */
export function headCount(config: HfConfig, keys: string[], hints: ModelHints, label: string): number {
  const heads = config.count(...keys) ?? hints.heads;
  if (heads === undefined) {
    throw new ModelError(`the ${label} weights do not say how many attention heads there are: put config.json (${keys[0]}) beside them or give the head count`);
  }
  if (!Number.isInteger(heads) || heads < 1) throw new ModelError(`the head count must be a positive integer, not ${heads}`);
  return heads;
}

export function checkDivides(hidden: number, heads: number, label: string): number {
  if (hidden % heads !== 0) throw new ModelError(`${label}: the hidden size ${hidden} is not a multiple of the ${heads} heads (check num_attention_heads in config.json)`);
  return hidden / heads;
}

/** The model's own dense attention over a layer's Q/K/V, heads merged back to rows [n, heads·headDim]. */
export function attendDense(qkv: LayerQkv): Float32Array {
  return mergeHeads(blockAttentionOutput(qkv), qkv.heads, qkv.n, qkv.headDim);
}

/** A name prefix inside a regular expression. */
export function escape(prefix: string): string {
  return prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** RoPE scaling (linear, dynamic, yarn, llama3, …) changes every angle; only plain RoPE is computed. */
export function checkPlainRope(config: HfConfig): void {
  const scaling = config.value('rope_scaling');
  if (scaling === undefined) return;
  const fields = typeof scaling === 'object' && scaling !== null ? (scaling as Record<string, unknown>) : {};
  const kind = fields.rope_type ?? fields.type;
  if (kind === 'default') return;
  throw new ModelError(`config.json's rope_scaling ${JSON.stringify(kind ?? scaling)} is not computed here; only plain RoPE (rope_scaling null) is`);
}

/**
 * A projection's weight, packed for matmul straight from how it is stored: nn.Linear's
 * [outDim, inDim] ('out-in') or Conv1D's [inDim, outDim] ('in-out'). Each block reads and packs
 * its weights once per run.
 */
export async function readPacked(w: CheckedWeights, name: string, inDim: number, outDim: number, layout: WeightLayout): Promise<PackedWeights> {
  return packWeights(await w.read(name, layout === 'out-in' ? [outDim, inDim] : [inDim, outDim]), inDim, outDim, layout);
}

/** An nn.Linear (`name`.weight [outDim, inDim], and `name`.bias where the checkpoint has one, or always when `bias` is 'required') applied to x [n, inDim]. */
export async function applyLinear(w: CheckedWeights, name: string, x: Float32Array, n: number, inDim: number, outDim: number, bias: 'required' | 'optional'): Promise<Float32Array> {
  const weight = await readPacked(w, `${name}.weight`, inDim, outDim, 'out-in');
  const b = bias === 'required' ? await w.read(`${name}.bias`, [outDim]) : await w.optional(`${name}.bias`, [outDim]);
  return matmul(x, n, weight, b);
}

/** Positions 0 .. n − 1: the rows of a learned position embedding that n tokens use. */
export function positions(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
