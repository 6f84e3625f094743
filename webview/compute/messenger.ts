/**
 * The one messenger (src/messenger.ts) over a Web Worker: the attention worker's viewport weights
 * and the pattern worker's statistics and masks. A worker that dies fails what is waiting.
 */
import { Messenger, Reply, RequestOptions } from '../../src/messenger';

export type { Reply };

export class WorkerMessenger<R extends Reply> {
  private readonly messenger: Messenger<R>;

  /** `parse` checks each reply on arrival (the worker protocol's schema); a malformed one fails everything waiting. */
  constructor(
    readonly worker: Worker,
    settle: (reply: R) => unknown,
    progressOf: (reply: R) => number | undefined,
    name: string,
    parse: (raw: unknown) => R | undefined,
  ) {
    this.messenger = new Messenger<R>((message, transfer) => worker.postMessage(message, transfer as Transferable[]), settle, progressOf);
    worker.onmessage = (event: MessageEvent<unknown>) => {
      const reply = parse(event.data);
      if (reply) this.messenger.receive(reply);
      else this.messenger.failAll(`${name} sent a malformed reply`);
    };
    worker.onerror = (e) => this.messenger.failAll(`${name} failed: ${e.message}`);
  }

  /** Sends `build(id)` and resolves with its final reply's value. */
  request<T>(build: (id: number) => object, onProgress?: (progress: number) => void, transfer: Transferable[] = []): Promise<T> {
    const options: RequestOptions = { onProgress, transfer };
    return this.messenger.request<T>(build, options);
  }

  /** Stops the worker; whatever is still waiting is rejected with `reason`. */
  dispose(reason: string): void {
    this.worker.terminate();
    this.messenger.failAll(reason);
  }
}
