/**
 * The page's side of a serving attention worker: weights max-pooled over a viewport, or one query
 * row, computed on demand from Q/K/V and log-sum-exp. Used when the probabilities are too many to
 * send to the page (n in the tens of thousands).
 */
import type { PoolViewport, WorkerReply, WorkerRequest } from './workerProtocol';

type Pending = { resolve(value: any): void; reject(e: Error): void; onProgress?: (fraction: number) => void };

export class ViewWeights {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const m = event.data;
      if (!('id' in m) || m.id === undefined) return;
      const waiter = this.pending.get(m.id);
      if (!waiter) return;
      if (m.type === 'poolProgress') return waiter.onProgress?.(m.fraction);
      this.pending.delete(m.id);
      if (m.type === 'pooled') waiter.resolve(m.layers);
      else if (m.type === 'row') waiter.resolve({ cols: m.cols, values: m.values });
      else if (m.type === 'superseded') waiter.reject(new Error('superseded by a newer view'));
      else if (m.type === 'failed') waiter.reject(new Error(m.message));
    };
    worker.onerror = (e) => this.failAll(`attention worker failed: ${e.message}`);
  }

  private request<T>(message: WorkerRequest & { id: number }, onProgress?: (fraction: number) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject, onProgress });
      this.worker.postMessage(message);
    });
  }

  /** One layer per head, size×size, -1 where masked. A newer request on the channel supersedes (rejects) an older one. */
  pool(view: PoolViewport, size: number, onProgress?: (fraction: number) => void, channel: 'view' | 'export' = 'view'): Promise<Float32Array[]> {
    return this.request({ type: 'pool', id: this.nextId++, channel, view: { row: view.row, col: view.col, span: view.span }, size }, onProgress);
  }

  row(head: number, i: number): Promise<{ cols: Int32Array; values: Float32Array }> {
    return this.request({ type: 'row', id: this.nextId++, head, i });
  }

  private failAll(message: string): void {
    for (const waiter of this.pending.values()) waiter.reject(new Error(message));
    this.pending.clear();
  }

  dispose(): void {
    this.worker.terminate();
    this.failAll('the attention behind these maps was replaced');
  }
}
