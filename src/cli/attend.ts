/** `sparse-attn attend`: attention restricted to a pattern, on the CPU path or a gpu.js backend. */
import { writeFileSync } from 'fs';
import { availableParallelism } from 'os';
import { buildPattern, encodeNpy, formatBytes, probsToDense, SparseProbs } from '../core';
import { gpuAttention } from '../gpu/kernels';
import { ALL_PATTERN_FLAGS, configFromFlags, parseFlags, UsageError } from './args';
import { runCpuPool } from './cpuPool';
import { hardwareWebGpu, NodeGpu, nodeWebAssembly, nodeWebGpu } from './nodeGpu';
import { readQkv } from './npyInputs';

/** --probs writes a dense [H, n, n] float32 array; beyond this n it would not fit sensibly. */
export const MAX_DENSE_PROBS_N = 8192;
const BACKENDS = ['auto', 'cpu', 'webasm', 'webgpu', 'webgl2'];

function requiredPath(flags: Map<string, string | true>, name: string): string {
  const value = flags.get(name);
  if (typeof value !== 'string') throw new UsageError(`attend needs --${name} FILE.npy (float32 [H, n, d])`);
  return value;
}

export async function attendCommand(argv: string[], print: (line: string) => void): Promise<number> {
  const flags = parseFlags(argv, [...ALL_PATTERN_FLAGS, 'q', 'k', 'v', 'out', 'probs', 'lse', 'backend', 'threads']);
  const paths = { q: requiredPath(flags, 'q'), k: requiredPath(flags, 'k'), v: requiredPath(flags, 'v') };
  const out = requiredPath(flags, 'out');
  const backend = String(flags.get('backend') ?? 'auto');
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')} (got "${backend}")`);
  if (backend === 'webgl2') throw new UsageError('--backend webgl2 runs in the inspector webview (Chromium), not in Node: use cpu, webasm or webgpu');
  const threads = flags.has('threads') ? Number(flags.get('threads')) : availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer (got "${flags.get('threads')}")`);
  const input = readQkv(paths);
  const config = configFromFlags(flags, { n: input.n, heads: input.heads });
  if (config.n !== input.n) throw new UsageError(`${paths.q} holds n=${input.n} positions but --n is ${config.n}`);
  if (config.heads !== input.heads) throw new UsageError(`${paths.q} holds ${input.heads} heads but --heads is ${config.heads}`);
  const probsPath = flags.get('probs');
  if (typeof probsPath === 'string' && input.n > MAX_DENSE_PROBS_N) {
    const bytes = input.heads * input.n * input.n * 4;
    throw new UsageError(`--probs writes a dense [${input.heads}, ${input.n}, ${input.n}] float32 array (${formatBytes(bytes)}); it is limited to n <= ${MAX_DENSE_PROBS_N}`);
  }
  const mask = buildPattern(config);
  const withProbs = typeof probsPath === 'string';

  let gpu: NodeGpu | undefined;
  let reason = '';
  if (backend === 'webgpu') gpu = await nodeWebGpu();
  else if (backend === 'webasm') gpu = nodeWebAssembly();
  else if (backend === 'auto') {
    const found = await hardwareWebGpu();
    if (typeof found === 'string') reason = ` (auto: ${found})`;
    else gpu = found;
  }

  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  const started = performance.now();
  let result: { out: Float32Array | Float64Array; lse: Float32Array | Float64Array; probs?: SparseProbs[] };
  try {
    if (gpu) {
      const run = await gpuAttention(gpu.gpu, mask, input, { withProbs, cancel: { get cancelled() { return controller.signal.aborted; } } });
      result = run.result;
      const t = run.info.timings;
      print(`backend: ${gpu.device}, kernel ${run.info.kernelClass}; stages ms: upload ${t.upload.toFixed(1)}, lse ${t.lse.toFixed(1)}, probs ${t.probs.toFixed(1)}, output ${t.output.toFixed(1)}`);
    } else {
      const run = await runCpuPool(config, input, withProbs, threads, controller.signal);
      result = run;
      print(`backend: cpu (${run.kernel} kernel, ${run.threads} thread${run.threads > 1 ? 's' : ''})${reason}`);
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    gpu?.dispose();
  }
  const ms = performance.now() - started;
  const { heads, n, d } = input;
  writeFileSync(out, encodeNpy('<f4', [heads, n, d], Float32Array.from(result.out)));
  const written = [out];
  if (typeof probsPath === 'string') {
    writeFileSync(probsPath, encodeNpy('<f4', [heads, n, n], probsToDense(result.probs!, n)));
    written.push(probsPath);
  }
  const lsePath = flags.get('lse');
  if (typeof lsePath === 'string') {
    writeFileSync(lsePath, encodeNpy('<f4', [heads, n], Float32Array.from(result.lse)));
    written.push(lsePath);
  }
  print(`${config.pattern}: ${heads} heads, n=${n}, d=${d} in ${ms.toFixed(1)} ms; wrote ${written.join(', ')}`);
  return 0;
}
