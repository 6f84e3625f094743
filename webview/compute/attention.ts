/**
 * Attention in the webview on the chosen backend: the CPU path in a Web Worker (cancellable,
 * the UI never blocks), or the gpu.js gather kernels on WebGPU, WebGL2 or WebAssembly.
 */
import { GPU } from 'gpu.js';
import { AttentionResult, buildPattern, PatternConfig } from '../../src/core';
import { gpuAttention } from '../../src/gpu/kernels';
import { fallbackSentence, firstThatRuns } from '../../src/gpu/fallback';
import type { KernelSources } from '../../src/gpu/kernelSources';
import type { BackendName } from './device';
import { AttentionInput, resolveInput } from '../../src/core/attention/synthetic';
import { ViewWeights } from './viewWeights';
import { parseWorkerReply, WorkerRequest } from './workerProtocol';

export interface ComputeReport {
  backend: BackendName;
  /** The kernel that actually ran: a gpu.js kernel class, or the CPU kernel name. */
  kernel: string;
  stages: Record<string, number>;
  ms: number;
  /** "WebGPU failed (shader compile), used the CPU path" when an earlier backend failed. */
  fallback?: string;
  /** Each failed backend's whole error (the compiler's text), for the output channel. */
  failures?: { backend: string; stage: string; detail: string }[];
  /** GPU runs: rows recomputed in float64 and the worst relative error. */
  check?: { rows: number; maxError: number };
}

export interface ComputeOutcome {
  result: AttentionResult;
  report: ComputeReport;
  /** When the probabilities stayed behind (too many to send): weights per viewport on demand. */
  views?: ViewWeights;
}

export interface ComputeJob {
  promise: Promise<ComputeOutcome>;
  cancel(): void;
}

/** The worker script is fetched and started from a blob: webviews cannot start workers cross-origin. */
let workerSource: Promise<string> | undefined;
export function setWorkerUrl(url: string): void {
  workerSource = fetch(url).then((r) => {
    if (!r.ok) throw new Error(`cannot load the attention worker (${r.status})`);
    return r.text();
  });
}

export async function startWorker(): Promise<Worker> {
  if (!workerSource) throw new Error('the attention worker URL was not set');
  const url = URL.createObjectURL(new Blob([await workerSource], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  return worker;
}

/** `serve`: without probabilities, keep the worker as the viewport weight source. */
function runInWorker(config: PatternConfig, input: AttentionInput, withProbs: boolean, serve: boolean, onProgress?: (fraction: number) => void): ComputeJob {
  let worker: Worker | undefined;
  let cancelled = false;
  let rejectJob: (e: Error) => void = () => {};
  const started = performance.now();
  const promise = new Promise<ComputeOutcome>((resolve, reject) => {
    rejectJob = reject;
    startWorker()
      .then((created) => {
        worker = created;
        if (cancelled) return created.terminate();
        worker.onmessage = (event: MessageEvent<unknown>) => {
          const m = parseWorkerReply(event.data) ?? { type: 'failed' as const, message: 'the attention worker sent a malformed reply' };
          if (m.type === 'progress') return onProgress?.(m.fraction);
          if (m.type !== 'result') {
            created.terminate();
            return reject(new Error(m.type === 'failed' ? m.message : `unexpected worker reply ${m.type}`));
          }
          const report = { backend: 'cpu' as const, kernel: `${m.kernel} (worker)`, stages: { compute: m.ms }, ms: performance.now() - started };
          const views = m.serving ? new ViewWeights(created) : undefined;
          if (!views) created.terminate();
          // From here the worker belongs to the views (or is gone): cancelling the job leaves it alone.
          worker = undefined;
          resolve({ result: { out: m.out, lse: m.lse, probs: m.probs }, report, views });
        };
        worker.onerror = (e) => reject(new Error(`attention worker failed: ${e.message}`));
        const request: WorkerRequest = { type: 'compute', config, input, withProbs, serve: serve && !withProbs };
        // Pasted Q/K/V are fresh copies made for this compute (qkvForConfig), and the CPU worker is
        // the last backend to try: moved to the worker, not copied.
        worker.postMessage(request, 'q' in input ? [input.q.buffer, input.k.buffer, input.v.buffer] : []);
      })
      .catch(reject);
  });
  promise.catch(() => {}); // a cancelled job nobody awaits is not an unhandled rejection
  return {
    promise,
    cancel: () => {
      cancelled = true;
      worker?.terminate();
      rejectJob(new Error('attention compute cancelled'));
    },
  };
}

/** A worker that answers viewport requests for attention computed on the GPU (from its lse). */
async function serveFromWorker(config: PatternConfig, input: AttentionInput, lse: Float32Array | Float64Array): Promise<ViewWeights> {
  const worker = await startWorker();
  const request: WorkerRequest = { type: 'serve', config, input, lse: Float32Array.from(lse) };
  worker.postMessage(request);
  return new ViewWeights(worker);
}

function runOnGpu(
  backend: Exclude<BackendName, 'cpu'>,
  config: PatternConfig,
  input: AttentionInput,
  withProbs: boolean,
  serve: boolean,
  sources?: KernelSources,
): ComputeJob {
  let cancelled = false;
  const started = performance.now();
  const gpu = new GPU({ mode: backend });
  const promise = Promise.resolve()
    .then(() => gpuAttention(gpu, buildPattern(config), resolveInput(config, input), { withProbs, sources, cancel: { get cancelled() { return cancelled; } } }))
    .then(async ({ result, info }) => ({
      result,
      report: { backend, kernel: info.kernelClass, stages: { ...info.timings }, ms: performance.now() - started, check: info.check },
      views: serve && !withProbs && !cancelled ? await serveFromWorker(config, input, result.lse) : undefined,
    }))
    .finally(() => gpu.destroy());
  return { promise, cancel: () => (cancelled = true) };
}

export interface ComputeOptions {
  /** Send every probability to the page (for small n). */
  withProbs?: boolean;
  /** Otherwise, keep a worker that computes weights per viewport on demand. */
  serveViews?: boolean;
  /** The fraction of heads done (the CPU worker reports it after each head). */
  onProgress?: (fraction: number) => void;
  /** Backends to try, in order, when `backend` fails (see fallbackChain). */
  fallbacks?: readonly BackendName[];
  /** Other gpu.js kernel sources: tests break one to see the fallback. */
  sources?: KernelSources;
}

function runOne(backend: BackendName, config: PatternConfig, input: AttentionInput, options: ComputeOptions): ComputeJob {
  const { withProbs = false, serveViews = false, onProgress } = options;
  return backend === 'cpu' ? runInWorker(config, input, withProbs, serveViews, onProgress) : runOnGpu(backend, config, input, withProbs, serveViews, options.sources);
}

/**
 * Runs on `backend`; if it fails (not when cancelled), on each of `options.fallbacks` in turn. On
 * the CPU path (the last to try) the input's Q/K/V buffers move to the worker: pass fresh arrays.
 */
export function computeAttention(backend: BackendName, config: PatternConfig, input: AttentionInput, options: ComputeOptions = {}): ComputeJob {
  let current: ComputeJob | undefined;
  let cancelled = false;
  const started = performance.now();
  const attempts = [backend, ...(options.fallbacks ?? [])].map((b) => ({
    backend: b,
    run: () => {
      if (cancelled) return Promise.reject(new Error('attention compute cancelled'));
      current = runOne(b, config, input, options);
      return current.promise;
    },
  }));
  const isCancel = (e: unknown) => cancelled || (e instanceof Error && /cancelled/.test(e.message));
  const promise = firstThatRuns(attempts, isCancel).then(({ value, backend: ran, failures }) => {
    if (!failures.length) return value;
    const report: ComputeReport = {
      ...value.report,
      ms: performance.now() - started,
      fallback: fallbackSentence(failures, ran),
      failures: failures.map((f) => ({ backend: f.backend, stage: f.stage, detail: f.detail })),
    };
    return { ...value, report };
  });
  promise.catch(() => {}); // a cancelled job nobody awaits is not an unhandled rejection
  return {
    promise,
    cancel: () => {
      cancelled = true;
      current?.cancel();
    },
  };
}
