/** `sparse-attn attend`: attention restricted to a pattern, on the CPU path or a gpu.js backend. */
import { availableParallelism } from 'os';
import { buildPattern, DENSE_PROBS_LIMIT_BYTES, encodeNpy, formatBytes, npyHeader, PatternMask, probsToDense, SparseProbs } from '../core';
import { kernelVariant } from '../core/attention/wasmModule';
import { BackendAttempt, fallbackSentence, firstThatRuns } from '../gpu/fallback';
import type { KernelSources } from '../gpu/kernelSources';
import { ALL_PATTERN_FLAGS, configFromFlags, parseFlags, UsageError } from './args';
import { runCpuPool } from './cpuPool';
import type { NodeGpu } from './nodeGpu';
import { readQkv } from './npyInputs';
import { checkOutputPaths, writeAtomically } from './outputs';

const BACKENDS = ['auto', 'cpu', 'webasm', 'webgpu', 'webgl2'];

function requiredPath(flags: Map<string, string | true>, name: string): string {
  const value = flags.get(name);
  if (typeof value !== 'string') throw new UsageError(`attend needs --${name} FILE.npy (float32 [H, n, d])`);
  return value;
}

export async function attendCommand(argv: string[], print: (line: string) => void): Promise<number> {
  const flags = parseFlags(argv, [...ALL_PATTERN_FLAGS, 'q', 'k', 'v', 'out', 'probs', 'lse', 'backend', 'threads', 'verbose']);
  const paths = { q: requiredPath(flags, 'q'), k: requiredPath(flags, 'k'), v: requiredPath(flags, 'v') };
  const out = requiredPath(flags, 'out');
  const backend = String(flags.get('backend') ?? 'auto');
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')} (got "${backend}")`);
  if (backend === 'webgl2') throw new UsageError('--backend webgl2 runs in the inspector webview (Chromium), not in Node: use cpu, webasm or webgpu');
  // Every output path is checked before any work (a bad --probs used to fail after --out was written).
  checkOutputPaths(
    (['out', 'probs', 'lse'] as const).flatMap((flag) => (typeof flags.get(flag) === 'string' ? [{ flag, path: flags.get(flag) as string }] : [])),
    { npy: true },
  );
  const threads = flags.has('threads') ? Number(flags.get('threads')) : availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer (got "${flags.get('threads')}")`);
  const input = readQkv(paths);
  const config = configFromFlags(flags, { n: input.n, heads: input.heads });
  if (config.n !== input.n) throw new UsageError(`${paths.q} holds n=${input.n} positions but --n is ${config.n}`);
  if (config.heads !== input.heads) throw new UsageError(`${paths.q} holds ${input.heads} heads but --heads is ${config.heads}`);
  const probsPath = flags.get('probs');
  const probsBytes = input.heads * input.n * input.n * 4;
  if (typeof probsPath === 'string' && probsBytes > DENSE_PROBS_LIMIT_BYTES) {
    // Bounded by bytes, as Export… is: the heads count as much as n.
    const fits = Math.floor(Math.sqrt(DENSE_PROBS_LIMIT_BYTES / (4 * input.heads)));
    throw new UsageError(
      `--probs writes a dense [${input.heads}, ${input.n}, ${input.n}] float32 array (${formatBytes(probsBytes)}, limit ${formatBytes(DENSE_PROBS_LIMIT_BYTES)}): n <= ${fits} with ${input.heads} heads, or drop --probs`,
    );
  }
  const mask = buildPattern(config);
  const withProbs = typeof probsPath === 'string';

  // gpu.js (and its native parts) load only when a gpu.js backend may run: not for --backend cpu.
  let gpu: NodeGpu | undefined;
  let reason = '';
  if (backend === 'webgpu') gpu = await loadNodeGpu().nodeWebGpu();
  else if (backend === 'webasm') gpu = loadNodeGpu().nodeWebAssembly();
  else if (backend === 'auto') {
    const found = await loadNodeGpu().hardwareWebGpu();
    if (typeof found === 'string') reason = ` (auto: ${found})`;
    else gpu = found;
  }

  // Ctrl-C or SIGTERM stops the compute (it runs in worker threads, so the main thread hears it);
  // nothing is written, and the exit code says which signal (130, 143).
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // From here Ctrl-C stops the run cleanly; --verbose says so (scripts and tests wait for it).
  if (flags.has('verbose')) process.stderr.write(`sparse-attn attend: computing ${input.heads} heads at n=${input.n} (Ctrl-C stops)\n`);
  const started = performance.now();
  let run: AttendRun;
  try {
    run = await attendWithFallback({ config, mask, input, withProbs, threads, gpu, signal: controller.signal, cpuReason: reason });
  } catch (e) {
    if (!stoppedBy) throw e;
    process.stderr.write(`sparse-attn attend: stopped by ${stoppedBy}; nothing was written\n`);
    return stoppedBy === 'SIGINT' ? 130 : 143;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    gpu?.dispose();
  }
  const result = run.result;
  print(`backend: ${run.line}`);
  if (run.fallback) {
    process.stderr.write(`sparse-attn attend: ${run.fallback}${flags.has('verbose') ? '' : ' (--verbose prints the compiler text)'}\n`);
    if (flags.has('verbose')) for (const detail of run.details) process.stderr.write(`${detail}\n`);
  }
  const ms = performance.now() - started;
  const { heads, n, d } = input;
  writeAtomically(out, float32Npy([heads, n, d], result.out));
  const written = [out];
  if (typeof probsPath === 'string') {
    writeAtomically(probsPath, encodeNpy('<f4', [heads, n, n], probsToDense(result.probs!, n)));
    written.push(probsPath);
  }
  const lsePath = flags.get('lse');
  if (typeof lsePath === 'string') {
    writeAtomically(lsePath, float32Npy([heads, n], result.lse));
    written.push(lsePath);
  }
  print(`${config.pattern}: ${heads} heads, n=${n}, d=${d} in ${ms.toFixed(1)} ms; wrote ${written.join(', ')}`);
  // Rows with no allowed key get output 0 and lse −∞ silently everywhere: say so.
  const empty = new Array<number>(heads).fill(0);
  for (let x = 0; x < heads * n; x++) if (result.lse[x] === -Infinity) empty[Math.floor(x / n)]++;
  const total = empty.reduce((a, b) => a + b, 0);
  if (total) print(`note: ${total} rows attend to nothing (${empty.flatMap((e, h) => (e ? [`head ${h}: ${e}`] : [])).join(', ')}): their output is 0 and their lse -inf`);
  return 0;
}

/** A float32 .npy as header and payload chunks: the payload is written from where it lies, not copied. */
function float32Npy(shape: number[], data: Float32Array | Float64Array): Uint8Array[] {
  const floats = data instanceof Float32Array ? data : Float32Array.from(data);
  return [npyHeader('<f4', shape), new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength)];
}

/**
 * gpu.js and its native parts, loaded on first use (a synchronous require: esbuild bundles it, and
 * unlike `import()` it resolves TypeScript sources in the tests too).
 */
const loadNodeGpu = () => require('./nodeGpu') as typeof import('./nodeGpu');
const loadGpuKernels = () => require('../gpu/kernels') as typeof import('../gpu/kernels');

export interface AttendRun {
  result: { out: Float32Array | Float64Array; lse: Float32Array | Float64Array; probs?: SparseProbs[] };
  /** What ran, e.g. "webgpu on NVIDIA ..., kernel WebGPUKernel; stages ms: ...". */
  line: string;
  /** One sentence when a GPU backend failed and the CPU path ran instead ("" otherwise). */
  fallback: string;
  /** The failed backends' whole error text (shader compiler output included). */
  details: string[];
}

/**
 * The chosen gpu.js backend, then the CPU path if that fails to compile, throws, falls back to
 * gpu.js's CPU kernel or disagrees with float64 on the spot-checked rows.
 */
export async function attendWithFallback(options: {
  config: ReturnType<typeof configFromFlags>;
  mask: PatternMask;
  input: Awaited<ReturnType<typeof readQkv>>;
  withProbs: boolean;
  threads: number;
  gpu?: NodeGpu;
  signal: AbortSignal;
  cpuReason?: string;
  /** Kernel sources other than ours: tests break one to see the fallback. */
  sources?: KernelSources;
}): Promise<AttendRun> {
  const { config, mask, input, withProbs, threads, gpu, signal } = options;
  const attempts: BackendAttempt<Omit<AttendRun, 'fallback' | 'details'>>[] = [];
  const logs: string[] = [];
  if (gpu) {
    attempts.push({
      backend: gpu.gpu.mode ?? 'gpu',
      run: async () => {
        const { gpuAttention } = loadGpuKernels();
        const { withQuietConsole } = loadNodeGpu();
        // gpu.js prints whole shaders on a compile error: keep them for --verbose, not the terminal.
        const { value, lines } = await withQuietConsole(() =>
          gpuAttention(gpu.gpu, mask, input, { withProbs, sources: options.sources, cancel: { get cancelled() { return signal.aborted; } } }),
        );
        logs.push(...lines);
        const t = value.info.timings;
        const stages = `upload ${t.upload.toFixed(1)}, lse ${t.lse.toFixed(1)}, probs ${t.probs.toFixed(1)}, output ${t.output.toFixed(1)}, check ${t.check.toFixed(1)}`;
        return { result: value.result, line: `${gpu.device}, kernel ${value.info.kernelClass}; stages ms: ${stages}` };
      },
    });
  }
  attempts.push({
    backend: 'cpu',
    run: async () => {
      const cpu = await runCpuPool(config, input, withProbs, threads, signal);
      const notes = cpu.notes.length ? `; ${cpu.notes.join('; ')}` : '';
      // Node 20 runs the fused multiply-add kernels once the CPU pool has turned relaxed SIMD on.
      const kernel = cpu.kernel === 'wasm-simd' && kernelVariant() === 'relaxed' ? 'wasm-simd kernel with relaxed-SIMD FMA' : `${cpu.kernel} kernel`;
      return { result: cpu, line: `cpu (${kernel}, ${cpu.threads} thread${cpu.threads > 1 ? 's' : ''}${notes})${options.cpuReason ?? ''}` };
    },
  });
  const isCancel = (e: unknown) => signal.aborted || (e instanceof Error && /cancelled/.test(e.message));
  const { value, failures } = await firstThatRuns(attempts, isCancel);
  const fallback = fallbackSentence(failures, 'cpu');
  return { ...value, line: fallback ? `${value.line}; ${fallback}` : value.line, fallback, details: [...failures.map((f) => f.detail), ...logs] };
}
