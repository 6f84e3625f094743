/**
 * Where the maps, the readout and the row view read attention weights: one interface, whoever
 * holds them. StoredWeights has every probability (CSR, small n); WorkerWeights asks the attention
 * worker, which keeps Q/K/V and log-sum-exp, per viewport or row (large n); a checkpoint's
 * weights will be a third. The views never ask which one they have, only what it can do. The
 * compute view owns the worker's lifetime (it stops it when the config changes).
 */
import { poolProbs, type PoolView as Viewport, type SparseProbs } from '../src/core';
import { maxWeightIn, weightAt } from './weightMaps';

export interface WeightRow {
  cols: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface WeightSource {
  /** One layer per head, size×size over the view: the largest weight under each pixel, -1 where masked. */
  pool(view: Viewport, size: number, onProgress?: (fraction: number) => void, channel?: 'view' | 'export'): Promise<Float32Array[]>;
  /** One query row: its allowed keys and their weights. */
  row(h: number, i: number): Promise<WeightRow>;
  /**
   * A cell's weight (undefined: masked), or the largest under a pixel, when known at once; null
   * when this source only knows pooled views (the readout then reads the pooled layer).
   */
  weightAt(h: number, i: number, j: number): number | undefined | null;
  maxIn(h: number, cells: { i0: number; i1: number; j0: number; j1: number }): number | undefined | null;
  /** Every weight as CSR, for painters that pool on the GPU; only where all are here. */
  readonly csr?: SparseProbs[];
}

export class StoredWeights implements WeightSource {
  constructor(readonly csr: SparseProbs[]) {}

  async pool(view: Viewport, size: number): Promise<Float32Array[]> {
    return this.csr.map((probs) => poolProbs(probs, view, size));
  }

  async row(h: number, i: number): Promise<WeightRow> {
    const probs = this.csr[h];
    const [from, to] = [probs.rowPtr[i], probs.rowPtr[i + 1]];
    return { cols: probs.cols.subarray(from, to), values: probs.values.subarray(from, to) };
  }

  weightAt(h: number, i: number, j: number): number | undefined {
    return weightAt(this.csr[h], i, j);
  }

  maxIn(h: number, cells: { i0: number; i1: number; j0: number; j1: number }): number | undefined {
    return maxWeightIn(this.csr[h], cells.i0, cells.i1, cells.j0, cells.j1);
  }
}

/** What the attention worker answers (compute/viewWeights.ts); no DOM types here, so Node tests load this file. */
export interface PooledViews {
  pool(view: Viewport, size: number, onProgress?: (fraction: number) => void, channel?: 'view' | 'export'): Promise<Float32Array[]>;
  row(head: number, i: number): Promise<WeightRow>;
}

export class WorkerWeights implements WeightSource {
  readonly csr = undefined;
  constructor(private readonly views: PooledViews) {}

  pool(view: Viewport, size: number, onProgress?: (fraction: number) => void, channel: 'view' | 'export' = 'view'): Promise<Float32Array[]> {
    return this.views.pool(view, size, onProgress, channel);
  }

  row(h: number, i: number): Promise<WeightRow> {
    return this.views.row(h, i);
  }

  weightAt(): null {
    return null;
  }

  maxIn(): null {
    return null;
  }
}
