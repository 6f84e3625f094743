/**
 * The CPU path across worker threads: heads are split between workers that share Q, K, V and
 * the outputs through SharedArrayBuffers. The same bundle is the worker script.
 */
import { availableParallelism } from 'os';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { attendHeads, buildPattern, CpuKernelName, PatternConfig, QKV, SparseProbs } from '../core';

interface Job {
  config: PatternConfig;
  h0: number;
  h1: number;
  n: number;
  d: number;
  heads: number;
  withProbs: boolean;
  q: SharedArrayBuffer;
  k: SharedArrayBuffer;
  v: SharedArrayBuffer;
  out: SharedArrayBuffer;
  lse: SharedArrayBuffer;
}

function shared(data: Float32Array): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(data.byteLength);
  new Float32Array(buffer).set(data);
  return buffer;
}

function runJob(job: Job): { kernel: CpuKernelName; probs: SparseProbs[] } {
  const input: QKV = { heads: job.heads, n: job.n, d: job.d, q: new Float32Array(job.q), k: new Float32Array(job.k), v: new Float32Array(job.v) };
  const buffers = { out: new Float32Array(job.out), lse: new Float32Array(job.lse) };
  return attendHeads(buildPattern(job.config), input, job.h0, job.h1, buffers, { withProbs: job.withProbs });
}

/** True inside a worker started by runCpuPool: the caller then does nothing else. */
export function serveWorker(): boolean {
  if (isMainThread || !workerData || workerData.kind !== 'sparse-attn-cpu') return false;
  try {
    const { kernel, probs } = runJob(workerData.job as Job);
    parentPort!.postMessage({ kernel, probs });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
  return true;
}

export interface CpuRun {
  out: Float32Array;
  lse: Float32Array;
  probs?: SparseProbs[];
  kernel: CpuKernelName;
  threads: number;
}

/** Runs on `threads` workers (capped by heads); in-process when 1 or when not running from a bundle. */
export async function runCpuPool(config: PatternConfig, input: QKV, withProbs: boolean, threads = availableParallelism(), signal?: AbortSignal): Promise<CpuRun> {
  const { heads, n, d } = input;
  const out = new SharedArrayBuffer(heads * n * d * 4);
  const lse = new SharedArrayBuffer(heads * n * 4);
  const base = { config, n, d, heads, withProbs, q: shared(input.q), k: shared(input.k), v: shared(input.v), out, lse };
  const workers = Math.max(1, Math.min(threads, heads));
  const bundled = __filename.endsWith('.js');
  if (workers === 1 || !bundled) {
    const { kernel, probs } = runJob({ ...base, h0: 0, h1: heads });
    return { out: new Float32Array(out), lse: new Float32Array(lse), probs: withProbs ? probs : undefined, kernel, threads: 1 };
  }
  const ranges = Array.from({ length: workers }, (_, w) => [Math.floor((w * heads) / workers), Math.floor(((w + 1) * heads) / workers)]);
  const started = ranges.map(([h0, h1]) => new Worker(__filename, { workerData: { kind: 'sparse-attn-cpu', job: { ...base, h0, h1 } } }));
  const onAbort = () => started.forEach((w) => void w.terminate());
  signal?.addEventListener('abort', onAbort);
  try {
    const results = await Promise.all(
      started.map(
        (worker) =>
          new Promise<{ kernel: CpuKernelName; probs: SparseProbs[] }>((resolve, reject) => {
            worker.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
            worker.once('error', reject);
            worker.once('exit', (code) => reject(new Error(signal?.aborted ? 'attention compute cancelled' : `worker exited with code ${code}`)));
          }),
      ),
    );
    return { out: new Float32Array(out), lse: new Float32Array(lse), probs: withProbs ? results.flatMap((r) => r.probs) : undefined, kernel: results[0].kernel, threads: workers };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    started.forEach((w) => void w.terminate());
  }
}
