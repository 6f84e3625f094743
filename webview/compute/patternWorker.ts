/**
 * The pattern off the UI thread, for large n: a worker (the attention worker's script) builds the
 * mask, computes its statistics and pools it per viewport, so no n freezes the panel. A new
 * config terminates the old worker: that is the cancellation.
 */
import type { PatternAnalysis, PatternConfig } from '../../src/core';
import { startWorker } from './attention';
import { WorkerMessenger } from './messenger';
import { MaskPooling, parseWorkerReply, PoolViewport, WorkerReply } from './workerProtocol';

function settle(m: WorkerReply): unknown {
  if (m.type === 'analyzed') return { analysis: m.analysis, ms: m.ms };
  if (m.type === 'maskPooled') return m.headLayer.map((k) => m.layers[k]);
  if (m.type === 'superseded') throw new Error('superseded by a newer view');
  if (m.type === 'failed') throw new Error(m.message);
  throw new Error(`unexpected reply ${m.type}`);
}

export class PatternWorker {
  private constructor(private readonly messenger: WorkerMessenger<WorkerReply>) {}

  static async start(): Promise<PatternWorker> {
    const progress = (m: WorkerReply) => (m.type === 'analyzeProgress' ? m.fraction : undefined);
    return new PatternWorker(new WorkerMessenger<WorkerReply>(await startWorker(), settle, progress, 'pattern worker', parseWorkerReply));
  }

  analyze(config: PatternConfig, reachLimit: number, onProgress?: (fraction: number) => void): Promise<{ analysis: PatternAnalysis; ms: number }> {
    return this.messenger.request((id) => ({ type: 'analyze', id, config, reachLimit }), onProgress);
  }

  /** One layer per head (heads that share a mask share the array), size×size: 1 where any cell is allowed, or the share allowed. */
  poolMask(view: PoolViewport, size: number, pooling: MaskPooling = 'any'): Promise<Float32Array[]> {
    return this.messenger.request((id) => ({ type: 'poolMask', id, view: { row: view.row, col: view.col, span: view.span }, size, pooling }));
  }

  dispose(): void {
    this.messenger.dispose('the pattern was replaced');
  }
}
