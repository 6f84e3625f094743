/**
 * Q/K/V of an architecture the forward pass does not know: the caller names the projection tensors
 * (separate q, k, v or one fused qkv), the head count, and gives the layer's input [n, d] (after
 * whatever norm the model applies). No RoPE or norm is applied here: Q = input · Wᵀ + b (nn.Linear) or input · W + b (Conv1D).
 */
import { matmul, packWeights } from './matmul';
import { repeatHeads, splitHeads } from './ops';
import type { LayerQkv } from './layerQkv';
import { ModelError, WeightProvider } from './weights';

export interface ProjectionChoice {
  /** Separate projections; K and V may have fewer heads than Q (grouped-query). */
  q?: string;
  k?: string;
  v?: string;
  /** Or one fused projection with 3 · heads · headDim outputs. */
  qkv?: string;
  heads: number;
  /** A fused projection's outputs: q | k | v (GPT-2 and most), or q, k, v side by side per head (GPT-NeoX). */
  fusedOrder?: 'blocks' | 'per-head';
  /**
   * nn.Linear's [out, in] or Conv1D's [in, out]. By default the side that equals the input's width
   * is the input side; a square weight is taken as nn.Linear unless this says conv1d.
   */
  layout?: 'linear' | 'conv1d';
  causal: boolean;
  /** The layer the tensors belong to, as LayerQkv reports it. */
  layer: number;
}

/**
 * How a 2-D weight `shape` maps an input of width d: nn.Linear's [out, d] or Conv1D's [d, out]. By
 * default the side that equals d is the input side; a square weight is nn.Linear unless `layout`
 * says conv1d. Refuses, naming the tensor, a weight with no side of width d.
 */
export function projectionOutputs(name: string, shape: readonly number[], d: number, layout?: 'linear' | 'conv1d'): { out: number; conv1d: boolean } {
  if (shape.length !== 2 || (shape[0] !== d && shape[1] !== d)) {
    throw new ModelError(`${name} has shape [${shape.join(', ')}]; a projection of the input (width ${d}) is [out, ${d}] or [${d}, out]`);
  }
  const conv1d = layout ? layout === 'conv1d' : shape[1] !== d;
  if (conv1d && shape[0] !== d) throw new ModelError(`${name} has shape [${shape.join(', ')}]; as a Conv1D weight its first side must be the input's width ${d}`);
  if (!conv1d && shape[1] !== d) throw new ModelError(`${name} has shape [${shape.join(', ')}]; as an nn.Linear weight its second side must be the input's width ${d}`);
  return { out: conv1d ? shape[1] : shape[0], conv1d };
}

/** One projection of x [n, d]: its outputs [n, out], with its bias (the `.weight` name's `.bias`) when the checkpoint has one. */
async function project(weights: WeightProvider, name: string, x: Float32Array, n: number, d: number, layout?: 'linear' | 'conv1d'): Promise<{ y: Float32Array; out: number }> {
  if (!weights.names().includes(name)) throw new ModelError(`the checkpoint has no tensor ${name}: pick one of its projection weights`);
  const shape = weights.shape(name);
  const { out, conv1d } = projectionOutputs(name, shape, d, layout);
  const data = await weights.read(name);
  if (data.length !== d * out) throw new ModelError(`${name} holds ${data.length} values; its shape [${shape.join(', ')}] needs ${d * out}`);
  const w = packWeights(data, d, out, conv1d ? 'in-out' : 'out-in');
  const biasName = name.replace(/weight$/, 'bias');
  const hasBias = biasName !== name && weights.names().includes(biasName);
  if (hasBias && (weights.shape(biasName).length !== 1 || weights.shape(biasName)[0] !== out)) throw new ModelError(`${biasName} has shape [${weights.shape(biasName).join(', ')}]; ${name} needs [${out}]`);
  return { y: matmul(x, n, w, hasBias ? await weights.read(biasName) : undefined), out };
}

function headSize(width: number, heads: number, what: string): number {
  if (!Number.isInteger(heads) || heads < 1) throw new ModelError(`the head count must be a positive integer, not ${heads}`);
  if (width % heads !== 0) throw new ModelError(`${what} has ${width} outputs, not a multiple of the ${heads} heads`);
  return width / heads;
}

/** Per-head Q, K, V of `input` [n, d] through the chosen projections (grouped-query K/V repeated per query head). */
export async function projectQkv(weights: WeightProvider, choice: ProjectionChoice, input: Float32Array, n: number): Promise<LayerQkv> {
  const d = input.length / n;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d)) throw new ModelError(`the input has ${input.length} values, not [${n}, d]`);
  const { heads, causal, layer } = choice;
  const result = (q: Float32Array, k: Float32Array, v: Float32Array, headDim: number, kvHeads: number): LayerQkv => {
    const group = heads / kvHeads;
    return { layer, n, heads, headDim, kvHeads, q, k: repeatHeads(k, kvHeads, group, n, headDim), v: repeatHeads(v, kvHeads, group, n, headDim), scale: 1 / Math.sqrt(headDim), causal };
  };
  if (choice.qkv !== undefined) {
    if (choice.q || choice.k || choice.v) throw new ModelError('name either one fused projection or separate q, k and v, not both');
    const { y, out } = await project(weights, choice.qkv, input, n, d, choice.layout);
    if (out % 3 !== 0) throw new ModelError(`${choice.qkv} has ${out} outputs, not 3 × heads × head size`);
    const headDim = headSize(out / 3, heads, `a third of ${choice.qkv}`);
    const perHead = choice.fusedOrder === 'per-head';
    const part = (which: number) => splitHeads(y, n, out, heads, headDim, perHead ? which * headDim : (which * out) / 3, perHead ? 3 * headDim : headDim);
    return result(part(0), part(1), part(2), headDim, heads);
  }
  if (!choice.q || !choice.k || !choice.v) throw new ModelError('name the q, k and v projections (or one fused qkv projection)');
  const q = await project(weights, choice.q, input, n, d, choice.layout);
  const k = await project(weights, choice.k, input, n, d, choice.layout);
  const v = await project(weights, choice.v, input, n, d, choice.layout);
  const headDim = headSize(q.out, heads, choice.q);
  if (k.out !== v.out) throw new ModelError(`${choice.k} has ${k.out} outputs but ${choice.v} has ${v.out}; K and V have the same heads`);
  const kvHeads = k.out / headDim;
  if (!Number.isInteger(kvHeads) || heads % kvHeads !== 0) {
    throw new ModelError(`${choice.k} has ${k.out} outputs: not a whole number of ${headDim}-wide heads that ${heads} query heads can share`);
  }
  return result(splitHeads(q.y, n, q.out, heads, headDim), splitHeads(k.y, n, k.out, kvHeads, headDim), splitHeads(v.y, n, v.out, kvHeads, headDim), headDim, kvHeads);
}
