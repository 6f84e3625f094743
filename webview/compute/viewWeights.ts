/**
 * The page's side of a serving attention worker: weights max-pooled over a viewport, or one query
 * row, computed on demand from Q/K/V and log-sum-exp. Used when the probabilities are too many to
 * send to the page (n in the tens of thousands).
 */
import { WorkerMessenger } from './messenger';
import { parseWorkerReply, PoolViewport, WorkerReply } from './workerProtocol';

function settle(m: WorkerReply): unknown {
  if (m.type === 'pooled') return m.layers;
  if (m.type === 'row') return { cols: m.cols, values: m.values };
  if (m.type === 'superseded') throw new Error('superseded by a newer view');
  if (m.type === 'failed') throw new Error(m.message);
  throw new Error(`unexpected reply ${m.type}`);
}

export class ViewWeights {
  private readonly messenger: WorkerMessenger<WorkerReply>;

  constructor(worker: Worker) {
    this.messenger = new WorkerMessenger<WorkerReply>(worker, settle, (m) => (m.type === 'poolProgress' ? m.fraction : undefined), 'attention worker', parseWorkerReply);
  }

  /** One layer per head, size×size, -1 where masked. A newer request on the channel supersedes (rejects) an older one. */
  pool(view: PoolViewport, size: number, onProgress?: (fraction: number) => void, channel: 'view' | 'export' = 'view'): Promise<Float32Array[]> {
    return this.messenger.request((id) => ({ type: 'pool', id, channel, view: { row: view.row, col: view.col, span: view.span }, size }), onProgress);
  }

  row(head: number, i: number): Promise<{ cols: Int32Array; values: Float32Array }> {
    return this.messenger.request((id) => ({ type: 'row', id, head, i }));
  }

  dispose(): void {
    this.messenger.dispose('the attention behind these maps was replaced');
  }
}
