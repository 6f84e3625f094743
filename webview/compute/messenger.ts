/**
 * Requests to a worker and their replies, matched by id: every request gets one final reply
 * (a value, or an error) and, meanwhile, any number of progress reports. One messenger serves
 * the attention worker's viewport weights and the pattern worker's statistics and masks.
 */
type Waiter = { resolve(value: unknown): void; reject(e: Error): void; onProgress?: (progress: number) => void };

/** A reply as the worker sends it: `progress` replies report; every other type settles its request. */
export interface Reply {
  type: string;
  id?: number;
}

export class WorkerMessenger<R extends Reply> {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  /**
   * `settle` turns a final reply into its value, or throws the error it stands for; `progressOf`
   * says whether a reply is a progress report, and how far.
   */
  constructor(
    readonly worker: Worker,
    private readonly settle: (reply: R) => unknown,
    private readonly progressOf: (reply: R) => number | undefined,
    name: string,
  ) {
    worker.onmessage = (event: MessageEvent<R>) => {
      const reply = event.data;
      const waiter = reply.id === undefined ? undefined : this.waiting.get(reply.id);
      if (!waiter) return;
      const progress = this.progressOf(reply);
      if (progress !== undefined) return waiter.onProgress?.(progress);
      this.waiting.delete(reply.id!);
      try {
        waiter.resolve(this.settle(reply));
      } catch (e) {
        waiter.reject(e as Error);
      }
    };
    worker.onerror = (e) => this.failAll(`${name} failed: ${e.message}`);
  }

  /** Sends `build(id)` and resolves with its final reply's value. */
  request<T>(build: (id: number) => object, onProgress?: (progress: number) => void, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      this.worker.postMessage(build(id), transfer);
    });
  }

  private failAll(message: string): void {
    for (const waiter of this.waiting.values()) waiter.reject(new Error(message));
    this.waiting.clear();
  }

  /** Stops the worker; whatever is still waiting is rejected with `reason`. */
  dispose(reason: string): void {
    this.worker.terminate();
    this.failAll(reason);
  }
}
