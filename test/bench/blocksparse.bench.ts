/**
 * `npm run bench` (CPU against block-sparse peers), bundled by esbuild so the CPU pool's workers
 * can start: fixed l=128, c=8, causal, merged, 8 heads, d=64. Ours with 1 and 2 threads, NumPy and
 * PyTorch block-sparse (test/bench/blocksparse_peer.py) with 1 and 2 threads, and NumPy's GEMM on
 * one thread, interleaved round by round in one run so that load on the machine hits all alike;
 * medians. Every peer's output is checked against ours (max abs difference <= 2e-6).
 * Sizes: `node dist/test/bench-blocksparse.js 4096 16384 65536` (default 4096 16384); rounds:
 * BENCH_ROUNDS (default 5; 3 at n >= 65536). PyTorch runs up to n = 16384.
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createInterface, Interface } from 'readline';
import { buildPattern, defaultConfig, FactorizedConfig, patternStats, QKV } from '../../src/core';
import { CpuPool, serveWorker } from '../../src/cli/cpuPool';
import { SimdCeiling, simdCeiling } from './simdCeiling';

const H = 8;
const D = 64;
const L = 128;
const C = 8;
const TOLERANCE = 2e-6;
const PEER = join(__dirname, '../../test/bench/blocksparse_peer.py');

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function randomInput(n: number): QKV {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  // In shared memory, as the CLI reads .npy inputs (src/cli/npyInputs.ts): the pool uses them in place.
  const make = () => {
    const a = new Float32Array(new SharedArrayBuffer(H * n * D * 4));
    for (let x = 0; x < a.length; x++) a[x] = random();
    return a;
  };
  return { heads: H, n, d: D, q: make(), k: make(), v: make() };
}

/** A Python that imports `module`, or undefined. */
function pythonWith(module: string, candidates: string[]): string | undefined {
  return candidates.find((p) => {
    try {
      execFileSync(p, ['-c', `import ${module}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

/** One peer process that stays up: one JSON answer per command line. */
class Peer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly waiting: Array<(line: string) => void> = [];

  constructor(readonly name: string, python: string, library: string, inputs: string, n: number, readonly threads: number) {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
    // The machine's tuning variables are for the project's own tools; the peer runs as a user's would.
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    this.child = spawn(python, [PEER, library, inputs, String(H), String(n), String(D), String(L), String(C), String(threads)], { env });
    this.child.stderr.on('data', (chunk) => process.stderr.write(`[${name}] ${chunk}`));
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  ask(command: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        const answer = JSON.parse(line);
        if (answer.error) reject(new Error(`${this.name}: ${answer.error}`));
        else resolve(answer);
      });
      this.child.stdin.write(`${command}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let x = 0; x < a.length; x++) worst = Math.max(worst, Math.abs(a[x] - b[x]));
  return worst;
}

async function benchSize(n: number, rounds: number, pools: Map<number, CpuPool>, ceiling: SimdCeiling | undefined, numpy?: string, torch?: string): Promise<void> {
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n, heads: H, stride: L, c: C, subblocks: 1 };
  const cells = patternStats(buildPattern(config), D).heads.reduce((s, h) => s + h.nnz, 0);
  const usefulFlops = cells * D * 4;
  const input = randomInput(n);
  const dir = mkdtempSync(join(tmpdir(), 'sai-bench-'));
  const inputs = join(dir, 'qkv.f32');
  const bytes = new Uint8Array(3 * input.q.byteLength);
  [input.q, input.k, input.v].forEach((a, i) => bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), i * a.byteLength));
  writeFileSync(inputs, bytes);
  const peers: Peer[] = [];
  for (const threads of [1, 2]) {
    if (numpy) peers.push(new Peer(`NumPy block-sparse, ${threads} BLAS thread${threads > 1 ? 's' : ''}`, numpy, 'numpy', inputs, n, threads));
    // PyTorch 1.13's loop takes minutes per round at n = 65536 on this machine: up to 16384 only.
    if (torch && n <= 16384) peers.push(new Peer(`PyTorch block-sparse, ${threads} thread${threads > 1 ? 's' : ''}`, torch, 'torch', inputs, n, threads));
  }
  const gemmPeer = peers.find((p) => p.threads === 1 && p.name.startsWith('NumPy'));
  const times = new Map<string, number[]>();
  const record = (name: string, ms: number) => times.set(name, [...(times.get(name) ?? []), ms]);
  const gemm: number[] = [];
  const ceilingRates: number[] = [];
  try {
    for (const peer of peers) {
      const info = await peer.ask('info');
      console.log(`  n=${n} ${peer.name}: ${info.library} ${info.version}, BLAS core ${info.blas_core}, ${info.threads} thread(s)`);
    }
    // Warm-up (JIT, worker start, BLAS buffers), then the output check once.
    const ours = new Map<number, Float32Array>();
    for (const [threads, pool] of pools) ours.set(threads, (await pool.run(config, input, false)).out);
    for (const peer of peers) {
      await peer.ask('run');
      const file = join(dir, 'out.f32');
      await peer.ask(`write ${file}`);
      const theirs = new Float32Array(readFileSync(file).buffer.slice(0));
      for (const [threads, out] of ours) {
        const diff = maxAbsDifference(out, theirs);
        console.log(`  n=${n} ours (${threads} thread${threads > 1 ? 's' : ''}) vs ${peer.name}: max abs difference ${diff.toExponential(2)}`);
        if (!(diff <= TOLERANCE)) throw new Error(`outputs differ by ${diff} (> ${TOLERANCE}) at n=${n}`);
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const [threads, pool] of pools) {
        const t0 = performance.now();
        await pool.run(config, input, false);
        record(`ours, ${threads} thread${threads > 1 ? 's' : ''}`, performance.now() - t0);
      }
      for (const peer of peers) record(peer.name, ((await peer.ask('run')).seconds as number) * 1000);
      if (gemmPeer) gemm.push((await gemmPeer.ask('gemm')).gflops as number);
      if (ceiling) ceilingRates.push(ceiling.measure());
    }
  } finally {
    peers.forEach((p) => p.close());
    rmSync(dir, { recursive: true, force: true });
  }
  const medians = new Map([...times].map(([name, values]) => [name, median(values)]));
  const gemmRate = gemm.length ? median(gemm) : NaN;
  console.log(`\nn=${n}: medians of ${rounds} interleaved rounds, ms (in-process compute; ours from inputs in shared memory, as the CLI reads them)`);
  for (const [name, ms] of medians) {
    const sameThreads = name.endsWith('2 threads') ? '2' : '1';
    const numpyPeer = [...medians].find(([other]) => other.startsWith('NumPy') && other.includes(`${sameThreads} BLAS`));
    const ratio = numpyPeer && !name.startsWith('NumPy') ? `  NumPy block-sparse (${sameThreads} thr) / this = ${(numpyPeer[1] / ms).toFixed(2)}x` : '';
    const rate = usefulFlops / ms / 1e6;
    console.log(`  ${name.padEnd(36)} ${ms.toFixed(1).padStart(10)}  ${rate.toFixed(2).padStart(6)} GFLOP/s useful${ratio}`);
  }
  console.log(`  NumPy float32 GEMM 2048^3 on 1 BLAS thread: ${gemmRate.toFixed(1)} GFLOP/s (median of ${gemm.length})`);
  for (const threads of pools.keys()) {
    const ms = medians.get(`ours, ${threads} thread${threads > 1 ? 's' : ''}`)!;
    console.log(`  ours, ${threads} thread(s): ${((100 * usefulFlops) / ms / 1e6 / gemmRate).toFixed(1)}% of the 1-thread GEMM rate (useful work: ${cells} allowed cells x d x 4)`);
  }
  if (ceilingRates.length) {
    // What no WebAssembly kernel can beat: the targets of issue 12 set against it.
    const top = median(ceilingRates);
    console.log(`  WebAssembly SIMD ceiling, 1 thread (f32x4 fused multiply-adds only, no memory): ${top.toFixed(1)} GFLOP/s (median of ${ceilingRates.length})`);
    const oneThread = usefulFlops / medians.get('ours, 1 thread')! / 1e6;
    console.log(`  ours, 1 thread: ${((100 * oneThread) / top).toFixed(1)}% of that ceiling (softmax and data movement are not counted as useful)`);
    const numpyOne = medians.get('NumPy block-sparse, 1 BLAS thread');
    if (numpyOne) {
      const needed = (usefulFlops * 1.5) / numpyOne / 1e6;
      console.log(`  1.5x NumPy block-sparse on 1 thread needs ${needed.toFixed(1)} GFLOP/s useful: ${((100 * needed) / top).toFixed(0)}% of the ceiling; 25% of GEMM needs ${(gemmRate / 4).toFixed(1)} (${((100 * gemmRate) / 4 / top).toFixed(0)}%)`);
    }
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const numpy = pythonWith('numpy', ['python3', '/usr/bin/python3']);
  const torch = pythonWith('torch', ['/usr/bin/python3', 'python3']);
  if (!numpy) console.log('no Python with NumPy: the NumPy peer is skipped');
  if (!torch) console.log('no Python with torch: the PyTorch peer is skipped');
  const pools = new Map([[1, new CpuPool(1)], [2, new CpuPool(2)]]);
  const ceiling = await simdCeiling();
  if (!ceiling) console.log('no relaxed SIMD in this engine: the WebAssembly ceiling is not measured');
  console.log(`block-sparse bench: fixed l=${L}, c=${C}, causal, merged, ${H} heads, d=${D}; node ${process.version}`);
  try {
    for (const n of sizes.length ? sizes : [4096, 16384]) {
      const rounds = Number(process.env.BENCH_ROUNDS) || (n >= 65536 ? 3 : 5);
      await benchSize(n, rounds, pools, ceiling, numpy, torch);
    }
  } finally {
    pools.forEach((p) => p.close());
  }
}

if (!serveWorker()) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
