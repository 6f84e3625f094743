/** Messages between the page and the attention worker (webview/compute/worker.ts). */
import type { PatternAnalysis, PatternConfig, SparseProbs } from '../../src/core';
import type { AttentionInput } from '../../src/core/attention/synthetic';

/** How a pixel covering many cells shows a mask: 1 if any cell is allowed, or the share allowed. */
export type MaskPooling = 'any' | 'share';

export interface PoolViewport {
  row: number;
  col: number;
  span: number;
}

export type WorkerRequest =
  /** `serve`: stay alive afterwards and answer viewport and row requests. */
  | { type: 'compute'; config: PatternConfig; input: AttentionInput; withProbs: boolean; serve: boolean }
  /** Answer viewport and row requests for attention computed elsewhere (a GPU backend). */
  | { type: 'serve'; config: PatternConfig; input: AttentionInput; lse: Float32Array }
  /** A newer pool on the same channel supersedes an older one still running. */
  | { type: 'pool'; id: number; channel: 'view' | 'export'; view: PoolViewport; size: number }
  | { type: 'row'; id: number; head: number; i: number }
  /** Build the pattern and its statistics here, off the UI thread; the worker keeps the mask for poolMask. */
  | { type: 'analyze'; id: number; config: PatternConfig; reachLimit: number }
  /** The kept mask max-pooled over a viewport: 1 where a head allows some cell under the pixel. */
  | { type: 'poolMask'; id: number; view: PoolViewport; size: number; pooling: MaskPooling };

export type WorkerReply =
  | { type: 'progress'; fraction: number }
  | { type: 'result'; kernel: string; out: Float32Array; lse: Float32Array; probs?: SparseProbs[]; ms: number; serving: boolean }
  | { type: 'poolProgress'; id: number; fraction: number }
  | { type: 'pooled'; id: number; layers: Float32Array[] }
  | { type: 'superseded'; id: number }
  | { type: 'row'; id: number; cols: Int32Array; values: Float32Array }
  | { type: 'failed'; id?: number; message: string }
  | { type: 'analyzeProgress'; id: number; fraction: number; stage: string }
  | { type: 'analyzed'; id: number; analysis: PatternAnalysis; ms: number }
  /** Distinct pooled layers, and which of them each head shows (heads that share a mask share one). */
  | { type: 'maskPooled'; id: number; layers: Float32Array[]; headLayer: number[] };
