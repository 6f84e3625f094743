/**
 * The one request/response messenger: panel <-> host (PNG and SVG of the maps) and page <-> worker
 * (viewport weights, statistics, pooled masks) both send requests through it. Every request gets an
 * id, any number of progress reports and one final reply (a value, or the error it stands for);
 * a timeout, a stopped channel or a superseding request settle it too. Pure: the caller supplies
 * how a message is sent and hands every reply it receives to `receive`.
 */

/** A reply as it arrives: `id` ties it to its request. */
export interface Reply {
  type: string;
  id?: number;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(e: Error): void;
  onProgress?: (progress: number) => void;
  timer?: ReturnType<typeof setTimeout>;
}

export interface RequestOptions {
  onProgress?: (progress: number) => void;
  /** Moved, not copied, to the other side (ArrayBuffers of tensors). */
  transfer?: unknown[];
  /** Rejected with `timeoutMessage` when no final reply came within this many ms. */
  timeoutMs?: number;
  timeoutMessage?: string;
}

export class Messenger<R extends Reply> {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  /**
   * `send` posts a request; `settle` turns a final reply into its value, or throws the error it
   * stands for; `progressOf` says whether a reply is a progress report, and how far.
   */
  constructor(
    private readonly send: (message: object, transfer: unknown[]) => void,
    private readonly settle: (reply: R) => unknown,
    private readonly progressOf: (reply: R) => number | undefined = () => undefined,
  ) {}

  /** Sends `build(id)` and resolves with its final reply's value. */
  request<T>(build: (id: number) => object, options: RequestOptions = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { resolve: resolve as (value: unknown) => void, reject, onProgress: options.onProgress };
      if (options.timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          this.waiting.delete(id);
          reject(new Error(options.timeoutMessage ?? `no reply within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      this.waiting.set(id, waiter);
      try {
        this.send(build(id), options.transfer ?? []);
      } catch (e) {
        this.finish(id);
        reject(e as Error);
      }
    });
  }

  /** Hands a reply to its request; false when no request waits for it (a stale or foreign reply). */
  receive(reply: R): boolean {
    const waiter = reply.id === undefined ? undefined : this.waiting.get(reply.id);
    if (!waiter) return false;
    const progress = this.progressOf(reply);
    if (progress !== undefined) {
      waiter.onProgress?.(progress);
      return true;
    }
    this.finish(reply.id!);
    try {
      waiter.resolve(this.settle(reply));
    } catch (e) {
      waiter.reject(e as Error);
    }
    return true;
  }

  /** Rejects everything still waiting (the channel stopped). */
  failAll(message: string): void {
    for (const id of [...this.waiting.keys()]) this.finish(id)?.reject(new Error(message));
  }

  get pending(): number {
    return this.waiting.size;
  }

  private finish(id: number): Waiter | undefined {
    const waiter = this.waiting.get(id);
    if (waiter?.timer !== undefined) clearTimeout(waiter.timer);
    this.waiting.delete(id);
    return waiter;
  }
}
