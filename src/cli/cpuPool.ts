/**
 * The CPU path across worker threads that share Q, K, V and the outputs through
 * SharedArrayBuffers. Without probabilities the work is units (runs of query blocks of a
 * block-form head, or whole heads) taken one at a time from a shared counter, so that two threads
 * share a head and a thread on a busy core takes less; with probabilities, heads are split
 * evenly (their CSR lists come back in head order). Inputs already in shared memory (the CLI
 * reads .npy files into it) are used in place. Workers run dist/cpu-worker.js, a bundle of the
 * attention core only, where it lies beside the running bundle.
 */
import { existsSync } from 'fs';
import { availableParallelism } from 'os';
import { join } from 'path';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { attendHeads, attendScheduled, buildPattern, CpuKernelName, PatternConfig, QKV, SparseProbs } from '../core';
import { enableRelaxedSimd } from './relaxedSimd';

interface Job {
  config: PatternConfig;
  h0: number;
  h1: number;
  n: number;
  d: number;
  heads: number;
  withProbs: boolean;
  /** Views of shared memory (a message shares, not copies, them). */
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  out: Float32Array;
  lse: Float32Array;
  /** The next unit's index (Int32 [1]), when scheduled by units. */
  counter?: SharedArrayBuffer;
}

/** `data` itself when it lies in shared memory, else a shared copy. */
function shared(data: Float32Array): Float32Array {
  if (data.buffer instanceof SharedArrayBuffer) return data;
  const copy = new Float32Array(new SharedArrayBuffer(data.byteLength));
  copy.set(data);
  return copy;
}

interface JobResult {
  kernel: CpuKernelName;
  probs: SparseProbs[];
  /** Why a slower path ran (the SIMD kernel's memory could not be reserved). */
  note?: string;
}

function runJob(job: Job): JobResult {
  const input: QKV = { heads: job.heads, n: job.n, d: job.d, q: job.q, k: job.k, v: job.v };
  const buffers = { out: job.out, lse: job.lse };
  if (job.counter) {
    const counter = new Int32Array(job.counter);
    return { probs: [], ...attendScheduled(buildPattern(job.config), input, buffers, () => Atomics.add(counter, 0, 1)) };
  }
  return attendHeads(buildPattern(job.config), input, job.h0, job.h1, buffers, { withProbs: job.withProbs });
}

/** True inside a pool worker: it then serves jobs until terminated, and the caller does nothing else. */
export function serveWorker(): boolean {
  if (isMainThread || !workerData || workerData.kind !== 'sparse-attn-cpu') return false;
  enableRelaxedSimd();
  parentPort!.on('message', (job: Job) => {
    try {
      parentPort!.postMessage(runJob(job));
    } catch (e) {
      parentPort!.postMessage({ error: (e as Error).message });
    }
  });
  return true;
}

export interface CpuRun {
  out: Float32Array;
  lse: Float32Array;
  probs?: SparseProbs[];
  kernel: CpuKernelName;
  threads: number;
  /** Why a slower path ran: threads that could not start, memory that could not be reserved. */
  notes: string[];
}

/**
 * Worker threads that stay up between runs (starting one costs more than a small run). One thread
 * is a worker too, so that the main thread stays free to answer Ctrl-C; in-process only when not
 * running from a bundle (the worker script is the bundle itself: unit tests under tsx).
 */
export class CpuPool {
  private readonly workers: Worker[] = [];
  /** Set when fewer threads started than asked for (a thread or memory limit). */
  private startNote = '';

  constructor(threads = availableParallelism()) {
    enableRelaxedSimd();
    if (!__filename.endsWith('.js')) return;
    // The small worker bundle where it was built beside this one; else this bundle serves (serveWorker).
    const script = existsSync(join(__dirname, 'cpu-worker.js')) ? join(__dirname, 'cpu-worker.js') : __filename;
    for (let w = 0; w < Math.max(1, threads); w++) {
      try {
        this.workers.push(new Worker(script, { workerData: { kind: 'sparse-attn-cpu' } }));
      } catch (e) {
        // Under a process or address-space limit a thread may not start (EAGAIN): use those that did.
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        this.startNote = `${w} of ${threads} worker threads started (${code}${/EAGAIN|ERR_WORKER_INIT/.test(String(code)) ? ': a thread or memory limit?' : ''})${w === 0 ? '; computed on the main thread' : ''}`;
        break;
      }
    }
  }

  get threads(): number {
    return Math.max(1, this.workers.length);
  }

  async run(config: PatternConfig, input: QKV, withProbs: boolean, signal?: AbortSignal): Promise<CpuRun> {
    const { heads, n, d } = input;
    const out = new Float32Array(new SharedArrayBuffer(heads * n * d * 4));
    const lse = new Float32Array(new SharedArrayBuffer(heads * n * 4));
    const counter = withProbs ? undefined : new SharedArrayBuffer(4);
    const base = { config, n, d, heads, withProbs, q: shared(input.q), k: shared(input.k), v: shared(input.v), out, lse, counter };
    const used = counter ? this.workers : this.workers.slice(0, Math.min(this.workers.length, heads));
    const startNotes = this.startNote ? [this.startNote] : [];
    if (used.length === 0) {
      const { kernel, probs, note } = runJob({ ...base, h0: 0, h1: heads });
      return { out, lse, probs: withProbs ? probs : undefined, kernel, threads: 1, notes: [...startNotes, ...(note ? [note] : [])] };
    }
    const onAbort = () => this.close();
    signal?.addEventListener('abort', onAbort);
    try {
      const results = await Promise.all(
        used.map((worker, w) => {
          const h0 = Math.floor((w * heads) / used.length);
          const h1 = Math.floor(((w + 1) * heads) / used.length);
          return new Promise<JobResult>((resolve, reject) => {
            const onExit = () => reject(new Error(signal?.aborted ? 'attention compute cancelled' : 'an attention worker stopped'));
            worker.once('exit', onExit);
            worker.once('message', (m) => {
              worker.off('exit', onExit);
              if (m.error) reject(new Error(m.error));
              else resolve(m);
            });
            worker.postMessage({ ...base, h0, h1 });
          });
        }),
      );
      const notes = [...startNotes, ...new Set(results.flatMap((r) => (r.note ? [r.note] : [])))];
      // Kernels can differ per worker when one could not reserve its memory: name both.
      const kernels = [...new Set(results.map((r) => r.kernel))];
      return {
        out,
        lse,
        probs: withProbs ? results.flatMap((r) => r.probs) : undefined,
        kernel: kernels.length === 1 ? kernels[0] : 'js',
        threads: used.length,
        notes,
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    for (const worker of this.workers) void worker.terminate();
  }
}

/** One run on a pool that is closed afterwards (the CLI's case). */
export async function runCpuPool(config: PatternConfig, input: QKV, withProbs: boolean, threads = availableParallelism(), signal?: AbortSignal): Promise<CpuRun> {
  // Units split a head between threads, except where heads are the unit (probabilities).
  const pool = new CpuPool(withProbs ? Math.min(threads, input.heads) : threads);
  try {
    return await pool.run(config, input, withProbs, signal);
  } finally {
    pool.close();
  }
}
