/**
 * Messages between the page and its workers (webview/compute/worker.ts): valibot schemas that give
 * the types and the check each side runs on arrival, as the host <-> webview protocol does.
 * Tensors are typed arrays (transferred where the sender is done with them).
 */
import * as v from 'valibot';
import type { PatternAnalysis, PatternConfig, SparseProbs } from '../../src/core';
import type { AttentionInput } from '../../src/core/attention/synthetic';
import { isPatternConfig, parserOf } from '../../src/protocol';

const id = v.pipe(v.number(), v.integer());
const fraction = v.number();
const f32 = v.custom<Float32Array>((x) => x instanceof Float32Array, 'not a Float32Array');
const i32 = v.custom<Int32Array>((x) => x instanceof Int32Array, 'not an Int32Array');
const config = v.custom<PatternConfig>(isPatternConfig, 'not a pattern config');
const isFloatArray = (x: unknown) => x instanceof Float32Array || x instanceof Float64Array;

/** How a pixel covering many cells shows a mask: 1 if any cell is allowed, or the share allowed. */
const MaskPoolingSchema = v.picklist(['any', 'share']);
export type MaskPooling = v.InferOutput<typeof MaskPoolingSchema>;

const PoolViewportSchema = v.object({ row: v.number(), col: v.number(), span: v.number() });
export type PoolViewport = v.InferOutput<typeof PoolViewportSchema>;

/** Q/K/V as typed arrays, or the synthetic ones' recipe (tokens and pasted embeddings). */
const AttentionInputSchema = v.custom<AttentionInput>((x) => {
  if (typeof x !== 'object' || x === null) return false;
  const input = x as Record<string, unknown>;
  if ('synthetic' in input) {
    const s = input.synthetic as { tokens?: unknown; embeddings?: { dim?: unknown; values?: unknown } } | null;
    return !!s && Array.isArray(s.tokens) && (s.embeddings === undefined || (typeof s.embeddings.dim === 'number' && s.embeddings.values instanceof Float32Array));
  }
  return ['heads', 'n', 'd'].every((k) => typeof input[k] === 'number') && ['q', 'k', 'v'].every((k) => input[k] instanceof Float32Array);
}, 'not an attention input');

const SparseProbsSchema = v.custom<SparseProbs>((x) => {
  const p = x as Partial<SparseProbs> | null;
  return !!p && p.rowPtr instanceof Int32Array && p.cols instanceof Int32Array && isFloatArray(p.values);
}, 'not CSR probabilities');

const request = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) => v.object({ type: v.literal(type), ...entries });

const WorkerRequestSchema = v.variant('type', [
  /** `serve`: stay alive afterwards and answer viewport and row requests. */
  request('compute', { config, input: AttentionInputSchema, withProbs: v.boolean(), serve: v.boolean() }),
  /** Answer viewport and row requests for attention computed elsewhere (a GPU backend). */
  request('serve', { config, input: AttentionInputSchema, lse: f32 }),
  /** A newer pool on the same channel supersedes an older one still running. */
  request('pool', { id, channel: v.picklist(['view', 'export']), view: PoolViewportSchema, size: v.number() }),
  request('row', { id, head: v.number(), i: v.number() }),
  /** Build the pattern and its statistics here, off the UI thread; the worker keeps the mask for poolMask. */
  request('analyze', { id, config, reachLimit: v.number() }),
  /** The kept mask pooled over a viewport: per head, any allowed cell under the pixel, or the share. */
  request('poolMask', { id, view: PoolViewportSchema, size: v.number(), pooling: MaskPoolingSchema }),
]);
export type WorkerRequest = v.InferOutput<typeof WorkerRequestSchema>;

const WorkerReplySchema = v.variant('type', [
  request('progress', { fraction }),
  request('result', {
    kernel: v.string(),
    out: v.custom<Float32Array | Float64Array>(isFloatArray),
    lse: v.custom<Float32Array | Float64Array>(isFloatArray),
    probs: v.optional(v.array(SparseProbsSchema)),
    ms: v.number(),
    serving: v.boolean(),
  }),
  request('poolProgress', { id, fraction }),
  request('pooled', { id, layers: v.array(f32) }),
  request('superseded', { id }),
  request('row', { id, cols: i32, values: f32 }),
  request('failed', { id: v.optional(id), message: v.string() }),
  request('analyzeProgress', { id, fraction, stage: v.string() }),
  // The statistics are the core's own object, made by the same bundle: checked for its parts the page reads.
  request('analyzed', { id, analysis: v.custom<PatternAnalysis>((x) => typeof x === 'object' && x !== null && 'stats' in x && 'reach' in x), ms: v.number() }),
  /** Distinct pooled layers, and which of them each head shows (heads that share a mask share one). */
  request('maskPooled', { id, layers: v.array(f32), headLayer: v.array(v.number()) }),
]);
export type WorkerReply = v.InferOutput<typeof WorkerReplySchema>;

export const parseWorkerRequest = parserOf(WorkerRequestSchema);
export const parseWorkerReply = parserOf(WorkerReplySchema);
