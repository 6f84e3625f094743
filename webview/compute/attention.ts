/**
 * Attention in the webview on the chosen backend: the CPU path in a Web Worker (cancellable,
 * the UI never blocks), or the gpu.js gather kernels on WebGPU, WebGL2 or WebAssembly.
 */
import { GPU } from 'gpu.js';
import { AttentionResult, buildPattern, PatternConfig } from '../../src/core';
import { gpuAttention } from '../../src/gpu/kernels';
import type { BackendName } from './device';
import { AttentionInput, resolveInput } from '../../src/core/attention/synthetic';

export interface ComputeReport {
  backend: BackendName;
  /** The kernel that actually ran: a gpu.js kernel class, or the CPU kernel name. */
  kernel: string;
  stages: Record<string, number>;
  ms: number;
}

export interface ComputeJob {
  promise: Promise<{ result: AttentionResult; report: ComputeReport }>;
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

function runInWorker(config: PatternConfig, input: AttentionInput, withProbs: boolean, onProgress?: (fraction: number) => void): ComputeJob {
  let worker: Worker | undefined;
  let rejectJob: (e: Error) => void = () => {};
  const started = performance.now();
  const promise = new Promise<{ result: AttentionResult; report: ComputeReport }>((resolve, reject) => {
    rejectJob = reject;
    if (!workerSource) return reject(new Error('the attention worker URL was not set'));
    workerSource
      .then((source) => {
        const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
        worker = new Worker(url);
        URL.revokeObjectURL(url);
        worker.onmessage = (event) => {
          const m = event.data;
          if (m.progress !== undefined) return onProgress?.(m.progress);
          worker?.terminate();
          if (!m.ok) return reject(new Error(m.message));
          const report = { backend: 'cpu' as const, kernel: `${m.kernel} (worker)`, stages: { compute: m.ms }, ms: performance.now() - started };
          resolve({ result: { out: m.out, lse: m.lse, probs: m.probs }, report });
        };
        worker.onerror = (e) => reject(new Error(`attention worker failed: ${e.message}`));
        worker.postMessage({ config, input, withProbs });
      })
      .catch(reject);
  });
  promise.catch(() => {}); // a cancelled job nobody awaits is not an unhandled rejection
  return {
    promise,
    cancel: () => {
      worker?.terminate();
      rejectJob(new Error('attention compute cancelled'));
    },
  };
}

function runOnGpu(backend: Exclude<BackendName, 'cpu'>, config: PatternConfig, input: AttentionInput, withProbs: boolean): ComputeJob {
  let cancelled = false;
  const started = performance.now();
  const gpu = new GPU({ mode: backend });
  const promise = gpuAttention(gpu, buildPattern(config), resolveInput(config, input), { withProbs, cancel: { get cancelled() { return cancelled; } } })
    .then(({ result, info }) => ({
      result,
      report: { backend, kernel: info.kernelClass, stages: { ...info.timings }, ms: performance.now() - started },
    }))
    .finally(() => gpu.destroy());
  return { promise, cancel: () => (cancelled = true) };
}

/** `onProgress` gets the fraction of heads done (the CPU worker reports it after each head). */
export function computeAttention(backend: BackendName, config: PatternConfig, input: AttentionInput, withProbs = false, onProgress?: (fraction: number) => void): ComputeJob {
  return backend === 'cpu' ? runInWorker(config, input, withProbs, onProgress) : runOnGpu(backend, config, input, withProbs);
}
