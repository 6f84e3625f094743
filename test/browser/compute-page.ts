// Bundled for the compute page: the webview's compute modules plus in-page checks against the
// float64 reference (kept here, not in page.evaluate, so no test-runner helpers leak in).
import { buildPattern, PatternConfig, poolProbs, referenceAttention } from '../../src/core';
import { computeAttention, setWorkerUrl } from '../../webview/compute/attention';
import { BackendName, chooseBackend, detectDevice, fallbackChain } from '../../webview/compute/device';
import { BROKEN_KERNELS } from '../support/brokenKernels';

function seededInput(config: PatternConfig, d: number) {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
  const make = () => Float32Array.from({ length: config.heads * config.n * d }, random);
  return { heads: config.heads, n: config.n, d, q: make(), k: make(), v: make() };
}

/** Worst output error, worst row-sum error and cells stored outside the mask, for one backend. */
async function runCase(backend: BackendName, config: PatternConfig, d: number) {
  const input = seededInput(config, d);
  const ref = referenceAttention(buildPattern(config), input);
  const { result, report } = await computeAttention(backend, config, input, { withProbs: true }).promise;
  let outErr = 0;
  for (let x = 0; x < ref.out.length; x++) outErr = Math.max(outErr, Math.abs(ref.out[x] - result.out[x]));
  let sumErr = 0;
  let outside = 0;
  result.probs!.forEach((p, h) => {
    const rp = ref.probs![h];
    for (let i = 0; i < config.n; i++) {
      let sum = 0;
      for (let t = p.rowPtr[i]; t < p.rowPtr[i + 1]; t++) sum += p.values[t];
      if (p.rowPtr[i + 1] > p.rowPtr[i]) sumErr = Math.max(sumErr, Math.abs(sum - 1));
      const allowed = new Set(Array.from(rp.cols.subarray(rp.rowPtr[i], rp.rowPtr[i + 1])));
      for (let t = p.rowPtr[i]; t < p.rowPtr[i + 1]; t++) if (!allowed.has(p.cols[t])) outside++;
    }
  });
  return { outErr, sumErr, outside, kernel: report.kernel };
}

/** Starts a long CPU job, cancels it after 50 ms, and counts UI-thread ticks meanwhile. */
async function cancelProbe(): Promise<string> {
  const config = { pattern: 'dense', n: 4096, heads: 8, stride: 1, c: 1, subblocks: 1, mode: 'merged', layer: 0, bidirectional: true } as PatternConfig;
  // Synthetic inputs: the worker builds Q/K/V itself, as in the inspector, so nothing large is copied.
  const fractions: number[] = [];
  const job = computeAttention('cpu', config, { synthetic: { tokens: [] } }, { onProgress: (f) => fractions.push(f) });
  setTimeout(() => job.cancel(), 50);
  const ticks = await new Promise<number>((done) => {
    let count = 0;
    const id = setInterval(() => count++, 10);
    setTimeout(() => (clearInterval(id), done(count)), 300);
  });
  try {
    await job.promise;
    return 'finished';
  } catch (e) {
    return `${(e as Error).message}; ticks ${ticks}`;
  }
}

/**
 * Without probabilities, a worker serves viewport weights (from the compute's own log-sum-exp):
 * the worst difference between what it pools and the reference probabilities pooled, over a whole
 * view and a zoomed one, and over one row.
 */
async function serveProbe(backend: BackendName, config: PatternConfig, d: number) {
  const input = seededInput(config, d);
  const ref = referenceAttention(buildPattern(config), input);
  const { views, result } = await computeAttention(backend, config, input, { serveViews: true }).promise;
  if (!views || result.probs) return { error: 'no viewport worker, or probabilities sent anyway' };
  let worst = 0;
  for (const [view, size] of [[{ row: 0, col: 0, span: config.n }, 64], [{ row: 37, col: 5, span: 50 }, 50]] as const) {
    const layers = await views.pool(view, size);
    layers.forEach((layer, h) => {
      const expected = poolProbs(ref.probs![h], view, size);
      for (let p = 0; p < layer.length; p++) worst = Math.max(worst, Math.abs(layer[p] - expected[p]));
    });
  }
  const row = await views.row(1, config.n - 1);
  const rp = ref.probs![1];
  const from = rp.rowPtr[config.n - 1];
  row.values.forEach((v, t) => (worst = Math.max(worst, Math.abs(v - rp.values[from + t]), row.cols[t] === rp.cols[from + t] ? 0 : 1)));
  views.dispose();
  return { worst };
}

/** A backend whose kernels are broken on purpose: which backend ran in the end, the sentence, and the error. */
async function fallbackProbe(backend: BackendName, broken: keyof typeof BROKEN_KERNELS, config: PatternConfig) {
  const input = seededInput(config, 16);
  const ref = referenceAttention(buildPattern(config), input);
  const fallbacks = fallbackChain(backend, await detectDevice());
  const { result, report } = await computeAttention(backend, config, input, { withProbs: true, fallbacks, sources: BROKEN_KERNELS[broken] }).promise;
  let outErr = 0;
  for (let x = 0; x < ref.out.length; x++) outErr = Math.max(outErr, Math.abs(ref.out[x] - result.out[x]));
  return { backend: report.backend, kernel: report.kernel, fallback: report.fallback, details: (report.failures ?? []).map((f) => f.detail).join('\n'), outErr };
}

(window as unknown as { sai: object }).sai = { runCase, cancelProbe, serveProbe, fallbackProbe, setWorkerUrl, chooseBackend, detectDevice };
